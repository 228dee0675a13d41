"""gRPC GenerationService: Generate, GenerateStream, ListPrompts, translated to and from the use cases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from llmops.common.v1.envelope_pb2 import TokenUsage
from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.validation import next_page_token, page_window
from llmops_generation.domain.prompts import REGISTRY
from llmops_generation.domain.requests import Generation, generation
from llmops_generation.service_layer import Answer, ModelRoute, generate, generate_stream
from llmops_generation.settings import GenerationSettings


class GenerationServicer(generation_pb2_grpc.GenerationServiceServicer):
    def __init__(self, route: ModelRoute, settings: GenerationSettings) -> None:
        self.route = route
        self.settings = settings

    def _request(self, request: generation_pb2.GenerateRequest) -> Generation:
        return generation(
            request.tenant_id, request.question, [c.text for c in request.contexts], request.prompt_name,
            request.prompt_version, request.model_route, self.route.name, request.max_output_tokens,
            self.settings.default_max_output_tokens, request.temperature,
        )  # fmt: skip

    @staticmethod
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
        )

    async def Generate(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.GenerateResponse:
        answer = await generate(self._request(request), self.route, self.settings.telemetry.capture_content)
        return self._response(answer)

    async def GenerateStream(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[generation_pb2.GenerateStreamResponse]:
        job = self._request(request)
        async for item in generate_stream(job, self.route, self.settings.telemetry.capture_content):
            if isinstance(item, Answer):
                yield generation_pb2.GenerateStreamResponse(final=self._response(item))
            else:
                yield generation_pb2.GenerateStreamResponse(token=item)

    async def ListPrompts(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.ListPromptsRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.ListPromptsResponse:
        offset, size = page_window(request.page.page_size, request.page.page_token)
        window = REGISTRY[offset : offset + size]
        return generation_pb2.ListPromptsResponse(
            prompts=[
                generation_pb2.PromptTemplate(
                    name=p.name, version=p.version, template=f"{p.system}\n---\n{p.user}", description=p.description
                )
                for p in window
            ],
            next_page_token=next_page_token(offset, size, offset + size < len(REGISTRY)),
        )
