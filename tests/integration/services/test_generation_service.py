"""Generation over gRPC against the real llama.cpp OpenAI-compatible server of the stack."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.grpc_client import traced_channel
from llmops_generation.bootstrap import build_model, build_server
from llmops_generation.settings import GenerationSettings
from llmops_stack.config import StackSettings
from tests.integration.test_grpc_server import free_port

CONTEXT = [generation_pb2.ContextPassage(chunk_id="c1", text="Items can be returned within 30 days of delivery.")]


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
                assert (answer.prompt_name, answer.prompt_version) == ("rag-answer", 1)
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
                assert [p.name for p in prompts.prompts] == ["rag-answer"]

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
