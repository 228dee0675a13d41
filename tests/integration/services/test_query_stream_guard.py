"""AskStream over real gRPC with a model that writes an e-mail address and a phone number mid-stream.

Real: the generation service (its OpenAI-compatible client, prompt and accounting), the guardrails
service (its personal-data rules, called with CheckOutput over gRPC), the query pipeline and
servicer, and every server's interceptors. Scripted: the model endpoint (a local HTTP server that
streams a fixed completion token by token), retrieval (one passage) and the embedder (word overlap).
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.grpc_client import traced_channel
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_generation.bootstrap import build_model
from llmops_generation.bootstrap import build_server as generation_server
from llmops_generation.settings import GenerationSettings
from llmops_grounding import SupportPolicy as ClaimPolicy
from llmops_guardrails.bootstrap import build_server as guardrails_server
from llmops_guardrails.settings import GuardrailsSettings
from llmops_query.adapters.services import GenerationClient, GuardrailsClient
from llmops_query.domain.answer_ids import AnswerIds
from llmops_query.entrypoints.grpc_servicer import QueryServicer
from llmops_query.settings import QuerySettings
from llmops_query.use_cases import AskPipeline
from tests.integration.test_grpc_server import free_port
from tests.unit.grounding.fakes import WordOverlapEmbedder
from tests.unit.query.fakes import SECRET, SUPPORT, Retriever

EMAIL, PHONE = "help.desk@example.com", "+1 415-555-0172"
PASSAGE = f"Returns are handled by our support desk. Write to {EMAIL} or call {PHONE}."
# The completion as the model streams it: the personal data arrives in pieces, mid-answer.
TOKENS = ["Returns are handled", " by our support desk.", " Write to help", ".desk@", "example.com", " or call +1",
          " 415-", "555-0172", "."]  # fmt: skip
QUESTION = "How do I contact the support desk about returns?"


def scripted_model() -> web.Application:
    async def completions(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if not body.get("stream"):
            message = {"role": "assistant", "content": "".join(TOKENS)}
            return web.json_response(
                {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 40, "completion_tokens": len(TOKENS), "total_tokens": 40 + len(TOKENS)}}
            )  # fmt: skip
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for token in [*TOKENS, None]:
            choice = {
                "index": 0,
                "delta": {"content": token} if token else {},
                "finish_reason": None if token else "stop",
            }
            chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [choice]}  # fmt: skip
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        return response

    async def no_tokenizer(request: web.Request) -> web.Response:
        return web.Response(status=404)  # a hosted API: prompt tokens are estimated

    app = web.Application()
    app.add_routes([web.post("/v1/chat/completions", completions), web.post("/extras/tokenize/count", no_tokenizer)])
    return app


class Publisher:
    async def publish(self, topic: str, key: str, message: object) -> None:
        return None


def test_no_delta_carries_personal_data_the_model_streamed() -> None:
    async def scenario() -> None:
        runner = web.AppRunner(scripted_model())
        await runner.setup()
        llm_port = free_port()
        await web.TCPSite(runner, "127.0.0.1", llm_port).start()
        generation_settings = GenerationSettings(grpc_port=free_port(), llm_base_url=f"http://127.0.0.1:{llm_port}/v1")
        model = build_model(generation_settings)
        generation = generation_server(generation_settings, model)
        # The personal-data rules are what this test is about: no scope check, no injection classifier.
        rules_only = GuardrailsSettings(grpc_port=free_port(), embedding_url="", classifier_enabled=False)
        guardrails = guardrails_server(rules_only)
        guard = GuardrailsClient(f"127.0.0.1:{guardrails.port}", 10)
        route = GenerationClient(f"127.0.0.1:{generation.port}", 10)
        ask = AskPipeline(
            guard, Retriever(0.8, (PASSAGE,)), [route], WordOverlapEmbedder(), SUPPORT, AnswerIds(SECRET),
            ClaimPolicy(0.55),
        )  # fmt: skip
        settings = QuerySettings(grpc_port=free_port())
        registration = ServiceRegistration(
            query_pb2.DESCRIPTOR.services_by_name["QueryService"],
            query_pb2_grpc.add_QueryServiceServicer_to_server,
            QueryServicer(ask, Publisher(), settings),  # type: ignore[arg-type]
        )
        query = GrpcServer(settings, [registration])
        for server in (generation, guardrails, query):
            await server.start()
        try:
            async with traced_channel(f"127.0.0.1:{generation.port}") as channel:
                raw = generation_pb2_grpc.GenerationServiceStub(channel)  # type: ignore[no-untyped-call]
                request = generation_pb2.GenerateRequest(tenant_id="acme", question=QUESTION)
                streamed = [item.token async for item in raw.GenerateStream(request) if not item.HasField("final")]
                assert EMAIL in "".join(streamed) and EMAIL not in streamed  # the model does write it, in pieces

            async with traced_channel(f"127.0.0.1:{query.port}") as channel:
                stub = query_pb2_grpc.QueryServiceStub(channel)  # type: ignore[no-untyped-call]
                deltas, final = [], None
                async for event in stub.AskStream(query_pb2.AskRequest(tenant_id="acme", question=QUESTION)):
                    if event.HasField("final"):
                        final = event.final
                    else:
                        deltas.append(event.token)
            assert final is not None and final.outcome == query_pb2.ANSWER_OUTCOME_VERIFIED
            for raw_value in (EMAIL, PHONE, "415-555", "help.desk", "example.com"):
                assert not [d for d in deltas if raw_value in d], raw_value
                assert raw_value not in "".join(deltas)
            assert "".join(deltas) == final.answer
            assert "[EMAIL]" in final.answer and "[PHONE]" in final.answer
            assert len(deltas) == 2 and [c.chunk_id for c in final.citations] == ["c1"]
        finally:
            for server in (query, guardrails, generation):
                await server.stop()
            for client in (guard, route):
                await client.channel.close()
            await model.close()
            await runner.cleanup()

    asyncio.run(scenario())
