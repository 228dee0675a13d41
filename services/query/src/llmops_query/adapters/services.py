"""gRPC clients for the services the front door calls; a failed call becomes Unavailable."""

from __future__ import annotations

import grpc

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.errors import DeadlineExceeded, DomainError, InvalidArgument, NotFound, Unavailable
from llmops_core.grpc_client import traced_channel
from llmops_query.domain.answers import Generated, GuardVerdict, Passage


def _translated(service: str, error: grpc.aio.AioRpcError) -> DomainError:
    message = f"{service}: {error.details()}"
    if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineExceeded(message)
    if error.code() == grpc.StatusCode.NOT_FOUND:
        return NotFound(message)
    if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument(message)
    return Unavailable(f"{message} ({error.code().name})")


class GuardrailsClient:
    def __init__(self, target: str, timeout: float) -> None:
        self.channel = traced_channel(target)
        self.stub = guardrails_pb2_grpc.GuardrailsServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.timeout = timeout

    async def check_input(self, tenant_id: str, text: str, corpus_similarity: float | None = None) -> GuardVerdict:
        request = guardrails_pb2.CheckInputRequest(tenant_id=tenant_id, text=text)
        if corpus_similarity is not None:
            request.corpus_similarity = corpus_similarity
        try:
            verdict = await self.stub.CheckInput(request, timeout=self.timeout)
        except grpc.aio.AioRpcError as error:
            raise _translated("guardrails", error) from error
        blocked = verdict.decision == guardrails_pb2.DECISION_BLOCK
        blocking = [f for f in verdict.findings if f.action == "block"]
        scope_only = blocked and bool(blocking) and all(f.category == "scope" for f in blocking)
        return GuardVerdict(blocked, verdict.reason, verdict.redacted_text or text, scope_only)

    async def check_output(self, tenant_id: str, text: str, question: str) -> GuardVerdict:
        try:
            verdict = await self.stub.CheckOutput(
                guardrails_pb2.CheckOutputRequest(tenant_id=tenant_id, text=text, question=question),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as error:
            raise _translated("guardrails", error) from error
        return GuardVerdict(verdict.decision == guardrails_pb2.DECISION_BLOCK, verdict.reason, verdict.redacted_text)


class RetrievalClient:
    def __init__(self, target: str, timeout: float) -> None:
        self.channel = traced_channel(target)
        self.stub = retrieval_pb2_grpc.RetrievalServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.timeout = timeout

    async def search(self, tenant_id: str, query: str, top_k: int) -> list[Passage]:
        try:
            response = await self.stub.Search(
                retrieval_pb2.SearchRequest(tenant_id=tenant_id, query=query, top_k=top_k), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as error:
            raise _translated("retrieval", error) from error
        return [
            Passage(r.chunk.chunk_id, r.chunk.document_id, r.chunk.title, r.chunk.source_uri, r.chunk.text, r.score,
                    r.vector_similarity)
            for r in response.results
        ]  # fmt: skip


def _generated(response: generation_pb2.GenerateResponse) -> Generated:
    return Generated(
        response.text, response.model, response.provider, response.prompt_name, response.prompt_version,
        response.usage.input_tokens, response.usage.output_tokens, response.cost_usd,
    )  # fmt: skip


class GenerationClient:
    """One model route: a generation service and, optionally, one of its named routes."""

    def __init__(self, target: str, timeout: float, route: str = "") -> None:
        self.channel = traced_channel(target)
        self.stub = generation_pb2_grpc.GenerationServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.timeout = timeout
        self.route = route
        self.name = route or target

    def _request(self, tenant_id: str, question: str, passages: list[Passage]) -> generation_pb2.GenerateRequest:
        contexts = [
            generation_pb2.ContextPassage(chunk_id=p.chunk_id, document_id=p.document_id, text=p.text) for p in passages
        ]
        return generation_pb2.GenerateRequest(
            tenant_id=tenant_id, question=question, contexts=contexts, model_route=self.route
        )

    async def generate(self, tenant_id: str, question: str, passages: list[Passage], session_id: str = "") -> Generated:
        request = self._request(tenant_id, question, passages)
        request.session_id = session_id  # the prompt's A/B version is drawn per session
        try:
            response = await self.stub.Generate(request, timeout=self.timeout)
        except grpc.aio.AioRpcError as error:
            raise _translated("generation", error) from error
        return _generated(response)


async def close_all(*clients: GuardrailsClient | RetrievalClient | GenerationClient | EmbeddingClient) -> None:
    for client in clients:
        await client.channel.close()
