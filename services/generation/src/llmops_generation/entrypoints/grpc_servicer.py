"""gRPC GenerationService: Generate, GenerateStream, ListPrompts, with GenAI telemetry."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import grpc
from opentelemetry import metrics, trace

from llmops.common.v1.envelope_pb2 import TokenUsage
from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.validation import next_page_token, page_window
from llmops_generation.adapters.openai_model import Completion, OpenAICompatibleModel
from llmops_generation.domain.pricing import cost_usd
from llmops_generation.domain.prompts import REGISTRY
from llmops_generation.domain.requests import Generation, generation
from llmops_generation.settings import GenerationSettings

meter = metrics.get_meter("llmops.generation")
TOKEN_USAGE = meter.create_histogram("gen_ai.client.token.usage", unit="{token}", description="Tokens per call")
DURATION = meter.create_histogram("gen_ai.client.operation.duration", unit="s", description="Model call time")
COST = meter.create_counter("llmops.cost.usd", unit="USD", description="Model cost from the price table")


class GenerationServicer(generation_pb2_grpc.GenerationServiceServicer):
    def __init__(self, model: OpenAICompatibleModel, settings: GenerationSettings) -> None:
        self.model = model
        self.settings = settings

    def _request(self, request: generation_pb2.GenerateRequest) -> Generation:
        return generation(
            request.tenant_id, request.question, [c.text for c in request.contexts], request.prompt_name,
            request.prompt_version, request.model_route, self.settings.llm_model, request.max_output_tokens,
            self.settings.default_max_output_tokens, request.temperature,
        )  # fmt: skip

    def _finish(self, job: Generation, completion: Completion, started: float) -> generation_pb2.GenerateResponse:
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": self.settings.llm_provider,
            "gen_ai.request.model": self.settings.llm_model,
        }
        cost = cost_usd(self.settings.llm_model, completion.input_tokens, completion.output_tokens)
        span = trace.get_current_span()
        span.set_attributes(attributes)
        span.set_attribute("gen_ai.usage.input_tokens", completion.input_tokens)
        span.set_attribute("gen_ai.usage.output_tokens", completion.output_tokens)
        span.set_attribute("llmops.cost.usd", cost)
        span.set_attribute("llmops.usage.estimated", completion.usage_estimated)
        span.set_attribute("llmops.prompt.name", job.prompt.name)
        span.set_attribute("llmops.prompt.version", job.prompt.version)
        if self.settings.telemetry.capture_content:
            span.set_attribute("gen_ai.output.text", completion.text)
        TOKEN_USAGE.record(completion.input_tokens, {**attributes, "gen_ai.token.type": "input"})
        TOKEN_USAGE.record(completion.output_tokens, {**attributes, "gen_ai.token.type": "output"})
        DURATION.record(time.perf_counter() - started, attributes)
        COST.add(cost, attributes)
        return generation_pb2.GenerateResponse(
            text=completion.text,
            prompt_name=job.prompt.name,
            prompt_version=job.prompt.version,
            model=self.settings.llm_model,
            provider=self.settings.llm_provider,
            usage=TokenUsage(input_tokens=completion.input_tokens, output_tokens=completion.output_tokens),
            cost_usd=cost,
            finish_reason=completion.finish_reason,
        )

    async def Generate(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> generation_pb2.GenerateResponse:
        job = self._request(request)
        started = time.perf_counter()
        messages = job.prompt.render(job.question, job.contexts)
        completion = await self.model.complete(messages, job.max_output_tokens, job.temperature)
        return self._finish(job, completion, started)

    async def GenerateStream(  # noqa: N802 (gRPC method name)
        self, request: generation_pb2.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[generation_pb2.GenerateStreamResponse]:
        job = self._request(request)
        started = time.perf_counter()
        messages = job.prompt.render(job.question, job.contexts)
        async for item in self.model.stream(messages, job.max_output_tokens, job.temperature):
            if isinstance(item, Completion):
                yield generation_pb2.GenerateStreamResponse(final=self._finish(job, item, started))
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
