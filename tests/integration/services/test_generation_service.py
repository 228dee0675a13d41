"""Generation over gRPC against the real llama.cpp OpenAI-compatible server of the stack."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.grpc_client import traced_channel
from llmops_generation.adapters.endpoint_tokenizer import EndpointTokenCounter
from llmops_generation.bootstrap import build_model, build_server
from llmops_generation.settings import GenerationSettings
from llmops_stack.config import StackSettings
from tests.integration.test_grpc_server import free_port

CONTEXT = [generation_pb2.ContextPassage(chunk_id="c1", text="Items can be returned within 30 days of delivery.")]
# Long real-looking documents: each passage alone is about as long as the whole window.
ENGLISH = " ".join(
    f"Section {i}: stores open at nine and close at nine, and members collect points on every purchase."
    for i in range(90)
)
CHINESE = "".join(f"第{i}条：本店营业时间为上午九点至晚上九点，节假日照常营业，会员购物可累积积分。" for i in range(70))
LONG_CONTEXT = [
    generation_pb2.ContextPassage(chunk_id="en", text=f"{ENGLISH} Items can be returned within 30 days. {ENGLISH}"),
    generation_pb2.ContextPassage(chunk_id="zh", text=f"{CHINESE}商品自签收之日起三十天内可以退货。{CHINESE}"),
    generation_pb2.ContextPassage(chunk_id="en2", text=ENGLISH),
]


def test_generate_stream_and_errors(stack: StackSettings) -> None:
    async def scenario() -> None:
        settings = GenerationSettings(grpc_port=free_port(), llm_base_url=stack.llm_base_url)
        model = build_model(settings)
        server = build_server(settings, model)
        await server.start()
        try:
            async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                stub = generation_pb2_grpc.GenerationServiceStub(channel)
                request = generation_pb2.GenerateRequest(
                    tenant_id="acme", question="How many days do I have to return an item?", contexts=CONTEXT
                )
                answer = await stub.Generate(request)
                assert "30" in answer.text
                assert (answer.prompt_name, answer.prompt_version) == ("rag-answer", 1)  # prompts/initial.yaml
                assert answer.model == "smollm2-135m-instruct"
                assert answer.usage.input_tokens > 20
                assert answer.usage.output_tokens > 0
                assert answer.cost_usd == 0.0

                tokens, final = [], None
                async for item in stub.GenerateStream(request):
                    if item.HasField("final"):
                        final = item.final
                    else:
                        tokens.append(item.token)
                assert final is not None
                assert len(tokens) > 1
                assert "".join(tokens).strip() == final.text
                assert final.usage.output_tokens > 0

                prompts = await stub.ListPrompts(generation_pb2.ListPromptsRequest())
                assert [(p.name, p.version) for p in prompts.prompts] == [("rag-answer", v) for v in (1, 2, 3)]

                with pytest.raises(grpc.aio.AioRpcError) as unknown:
                    await stub.Generate(generation_pb2.GenerateRequest(tenant_id="acme", question="q", prompt_name="x"))
                assert unknown.value.code() == grpc.StatusCode.NOT_FOUND

            down = GenerationSettings(grpc_port=free_port(), llm_base_url="http://127.0.0.1:9/v1")
            down_server = build_server(down, build_model(down))
            await down_server.start()
            try:
                async with traced_channel(f"127.0.0.1:{down.grpc_port}") as channel:
                    with pytest.raises(grpc.aio.AioRpcError) as unavailable:
                        await generation_pb2_grpc.GenerationServiceStub(channel).Generate(request)
                    assert unavailable.value.code() == grpc.StatusCode.UNAVAILABLE
                    assert "http://127.0.0.1:9/v1" in (unavailable.value.details() or "")
            finally:
                await down_server.stop()
        finally:
            await server.stop()
            await model.close()

    asyncio.run(scenario())


@pytest.mark.slow  # the 135M model reads a ~3,800-token prompt: about a minute on 2 CPU cores
def test_contexts_far_over_the_window_are_fitted_not_refused(stack: StackSettings) -> None:
    async def scenario() -> None:
        # Fitting is under test, not speed: the default 60 s deadline is about what the prompt takes here,
        # and a loaded machine went past it (DEADLINE_EXCEEDED on a fresh clone).
        settings = GenerationSettings(grpc_port=free_port(), llm_base_url=stack.llm_base_url, llm_timeout_seconds=400)
        window = settings.context_window_tokens  # the stack's llama server runs with --n_ctx 4096
        model = build_model(settings)
        server = build_server(settings, model)
        await server.start()
        try:
            given = await model.tokenizer.count([c.text for c in LONG_CONTEXT])
            assert not given.estimated
            assert sum(given.tokens) > 3 * window

            async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                request = generation_pb2.GenerateRequest(
                    tenant_id="acme",
                    question="How many days do I have to return an item?",
                    contexts=LONG_CONTEXT,
                    max_output_tokens=8,
                )
                answer = await generation_pb2_grpc.GenerationServiceStub(channel).Generate(request)
            assert answer.text
            # The model server's own count of the prompt it was sent, plus the answer, fit its window.
            assert 0 < answer.usage.input_tokens <= window - 8
            assert answer.usage.input_tokens + answer.usage.output_tokens <= window

            # A hosted endpoint has no tokenize route: the counter says so once, then estimates.
            hosted = EndpointTokenCounter(stack.llm_base_url.replace("/v1", "/hosted/v1"), "local", "m", 5.0)
            try:
                counts = await hosted.count(["退货期限", "return window"])
                assert counts.estimated and hosted.tokenizes is False
            finally:
                await hosted.close()
        finally:
            await server.stop()
            await model.close()

    asyncio.run(scenario())
