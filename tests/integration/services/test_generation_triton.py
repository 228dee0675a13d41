"""The "triton" route: SmolLM2 inside the stack's Triton (model "generator"), against the llama.cpp server."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.errors import DeadlineExceeded, Unavailable
from llmops_core.grpc_client import traced_channel
from llmops_core.settings import TritonSettings
from llmops_generation.adapters.openai_model import OpenAICompatibleModel
from llmops_generation.adapters.route_file import load_routes
from llmops_generation.adapters.triton_model import TritonChatModel
from llmops_generation.bootstrap import build_model, build_route, build_server
from llmops_generation.domain.completions import Completion
from llmops_generation.service_layer import RouteTable
from llmops_generation.settings import PACKAGED_ROUTES, GenerationSettings
from llmops_stack.config import StackSettings
from tests.integration.test_grpc_server import free_port

CHAT = [
    {"role": "system", "content": "Answer in one short sentence, in the language of the question."},
    {"role": "user", "content": "Context: Items can be returned within 30 days.\n\n退货期限是多久？ How long?"},
]


def test_triton_streams_the_answer_with_the_llama_servers_exact_counts(stack: StackSettings) -> None:
    async def scenario() -> None:
        on_triton = TritonChatModel(stack.triton_grpc_url, "generator", 60)
        on_llama = OpenAICompatibleModel(stack.llm_base_url, "local", stack.llm_model_alias, 60)
        try:
            pieces: list[str] = []
            final: Completion | None = None
            async for item in on_triton.stream(CHAT, 6, 0.0):
                if isinstance(item, Completion):
                    final = item
                else:
                    pieces.append(item)
            assert final is not None
            assert final.text == "".join(pieces).strip() and final.text
            assert not final.usage_estimated
            # Six tokens asked for: six generated (or fewer, ending the turn).
            assert (final.output_tokens, final.finish_reason) == (6, "length") or (
                final.output_tokens < 6 and final.finish_reason == "stop"
            )
            # The same GGUF and chat template as the llama.cpp server: the same prompt, token for token.
            reference = await on_llama.complete(CHAT, 1, 0.0)
            assert final.input_tokens == reference.input_tokens > 20

            # Text counts as a user turn's content, as the llama server counts the bare text (+ its BOS).
            texts = ["退货期限是多久？", "Items can be returned within 30 days of delivery."]
            counted = await on_triton.tokenizer.count(texts)
            assert not counted.estimated
            by_server = await on_llama.tokenizer.count(texts)
            assert all(abs(a - b) <= 1 for a, b in zip(counted.tokens, by_server.tokens, strict=True)), (
                counted.tokens,
                by_server.tokens,
            )

            whole = await on_triton.complete(CHAT, 4, 0.0)
            assert whole.output_tokens <= 4 and whole.input_tokens == final.input_tokens
        finally:
            await on_triton.close()
            await on_llama.close()

    asyncio.run(scenario())


def test_triton_failures_are_unavailable_or_deadline_with_a_sentence(stack: StackSettings) -> None:
    async def scenario() -> None:
        unknown = TritonChatModel(stack.triton_grpc_url, "no-such-model", 10)
        hurried = TritonChatModel(stack.triton_grpc_url, "generator", 0.05)
        down = TritonChatModel("127.0.0.1:9", "generator", 5)
        try:
            with pytest.raises(Unavailable, match="no-such-model"):
                await unknown.complete(CHAT, 4, 0.0)
            with pytest.raises(DeadlineExceeded, match="did not answer in time"):
                await hurried.complete(CHAT, 200, 0.0)
            with pytest.raises(Unavailable, match=r"127\.0\.0\.1:9"):
                await down.complete(CHAT, 4, 0.0)
            # The deadline cancelled the call: Triton still answers the next request promptly.
            after = await TritonChatModel(stack.triton_grpc_url, "generator", 30).complete(CHAT, 2, 0.0)
            assert after.output_tokens <= 2
        finally:
            for model in (unknown, hurried, down):
                await model.close()

    asyncio.run(scenario())


def test_generate_on_the_triton_route_over_grpc(stack: StackSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    # The packaged file's large route names its server by environment, as `llmops up` sets it.
    monkeypatch.setenv("LLMOPS_ROUTE_LARGE_BASE_URL", stack.llm_large_base_url)
    monkeypatch.setenv("LLMOPS_ROUTE_LARGE_MODEL", stack.llm_large_model_alias)

    async def scenario() -> None:
        settings = GenerationSettings(
            grpc_port=free_port(),
            llm_base_url=stack.llm_base_url,
            llm_model=stack.llm_model_alias,
            routes_file=PACKAGED_ROUTES,
            triton=TritonSettings(grpc_url=stack.triton_grpc_url),
        )
        specs = load_routes(settings)
        models = [build_model(settings, spec) for spec in specs]
        table = RouteTable([build_route(settings, m, s) for m, s in zip(models, specs, strict=True)])
        server = build_server(settings, table)
        await server.start()
        try:
            async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                stub = generation_pb2_grpc.GenerationServiceStub(channel)
                request = generation_pb2.GenerateRequest(
                    tenant_id="acme",
                    question="How many days do I have to return an item?",
                    contexts=[generation_pb2.ContextPassage(chunk_id="c1", text="Returns within 30 days.")],
                    model_route="triton",
                    max_output_tokens=24,
                )
                answer = await stub.Generate(request)
                assert (answer.model_route, answer.model, answer.provider) == ("triton", "generator", "triton")
                assert answer.text
                assert answer.usage.input_tokens > 20 and 0 < answer.usage.output_tokens <= 24
        except grpc.aio.AioRpcError as error:
            pytest.fail(f"{error.code()}: {error.details()}")
        finally:
            await server.stop()
            for model in models:
                await model.close()

    asyncio.run(scenario())
