"""gRPC GenerationService: Generate, GenerateStream and the prompt registry, translated to and from the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from llmops.common.v1.envelope_pb2 import TokenUsage
from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.validation import next_page_token, page_window
from llmops_generation.domain.prompts import Activation, ActivationChange, PromptTemplate
from llmops_generation.prompt_registry import PromptRegistry
from llmops_generation.service_layer import Answer, GenerateInput, RouteTable, generate, generate_stream, prepare
from llmops_generation.settings import GenerationSettings


def _input(request: generation_pb2.GenerateRequest) -> GenerateInput:
    return GenerateInput(
        request.tenant_id, request.question, [c.text for c in request.contexts], request.prompt_name,
        request.prompt_version, request.model_route, request.session_id, request.max_output_tokens,
        request.temperature,
    )  # fmt: skip


def _response(answer: Answer) -> generation_pb2.GenerateResponse:
    return generation_pb2.GenerateResponse(
        text=answer.text,
        prompt_name=answer.prompt_name,
        prompt_version=answer.prompt_version,
        model=answer.model,
        provider=answer.provider,
        usage=TokenUsage(input_tokens=answer.input_tokens, output_tokens=answer.output_tokens),
        cost_usd=answer.cost_usd,
        finish_reason=answer.finish_reason,
        cached_input_tokens=answer.cached_input_tokens,
        model_route=answer.model_route,
    )


def _template(prompt: PromptTemplate, weight: float) -> generation_pb2.PromptTemplate:
    return generation_pb2.PromptTemplate(
        name=prompt.name, version=prompt.version, template=f"{prompt.system}\n---\n{prompt.user}",
        description=prompt.description, system=prompt.system, user=prompt.user,
        content_sha256=prompt.content_sha256, active_weight=weight,
    )  # fmt: skip


def _weighted(activation: Activation | None) -> list[generation_pb2.WeightedVersion]:
    return [generation_pb2.WeightedVersion(version=v, weight=w) for v, w in activation.weights] if activation else []


def _activation(change: ActivationChange) -> generation_pb2.PromptActivation:
    return generation_pb2.PromptActivation(
        name=change.current.name, versions=_weighted(change.current), previous=_weighted(change.previous),
        actor=change.actor, activation_id=change.activation_id,
    )  # fmt: skip


class GenerationServicer(generation_pb2_grpc.GenerationServiceServicer):
    def __init__(self, routes: RouteTable, prompts: PromptRegistry, settings: GenerationSettings) -> None:
        self.routes = routes
        self.prompts = prompts
        self.capture_content = settings.telemetry.capture_content

    async def Generate(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.GenerateResponse:
        job, route = await prepare(_input(request), self.routes, self.prompts)
        return _response(await generate(job, route, self.capture_content))

    async def GenerateStream(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[generation_pb2.GenerateStreamResponse]:
        job, route = await prepare(_input(request), self.routes, self.prompts)
        async for item in generate_stream(job, route, self.capture_content):
            if isinstance(item, Answer):
                yield generation_pb2.GenerateStreamResponse(final=_response(item))
            else:
                yield generation_pb2.GenerateStreamResponse(token=item)

    async def ListPrompts(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.ListPromptsRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.ListPromptsResponse:
        offset, size = page_window(request.page.page_size, request.page.page_token)
        rows = await self.prompts.listing()
        return generation_pb2.ListPromptsResponse(
            prompts=[_template(p, w) for p, w in rows[offset : offset + size]],
            next_page_token=next_page_token(offset, size, offset + size < len(rows)),
        )

    async def GetPrompt(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GetPromptRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.PromptTemplate:
        return _template(*await self.prompts.get(request.name, request.version))

    async def DiffPrompts(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.DiffPromptsRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.DiffPromptsResponse:
        diff = await self.prompts.diff(request.name, request.from_version, request.to_version)
        return generation_pb2.DiffPromptsResponse(diff=diff)

    async def ActivatePrompt(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.ActivatePromptRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.PromptActivation:
        weights = [(v.version, v.weight) for v in request.versions]
        return _activation(await self.prompts.activate(request.name, weights, request.actor or "unknown"))

    async def RollbackPrompt(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.RollbackPromptRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.PromptActivation:
        return _activation(await self.prompts.rollback(request.name, request.actor or "unknown"))
