"""Asks suite questions through the query service, like any product app."""

from __future__ import annotations

import time

import grpc

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.errors import Unavailable
from llmops_core.grpc_client import traced_channel
from llmops_evaluation.domain.suites import Outcome

STATUS = {
    query_pb2.ANSWER_STATUS_ANSWERED: "answered",
    query_pb2.ANSWER_STATUS_ABSTAINED: "abstained",
    query_pb2.ANSWER_STATUS_REFUSED: "refused",
}


def outcome_name(value: int) -> str:
    return query_pb2.AnswerOutcome.Name(value).removeprefix("ANSWER_OUTCOME_").lower()


class QueryClient:
    def __init__(self, target: str, timeout_seconds: float = 180.0) -> None:
        self.target = target
        self.timeout_seconds = timeout_seconds
        self.channel = traced_channel(target)
        self.stub = query_pb2_grpc.QueryServiceStub(self.channel)

    async def ask(self, tenant_id: str, question: str) -> Outcome:
        started = time.perf_counter()
        try:
            response = await self.stub.Ask(
                query_pb2.AskRequest(tenant_id=tenant_id, question=question), timeout=self.timeout_seconds
            )
        except grpc.aio.AioRpcError as error:
            raise Unavailable(f"query service at {self.target}: {error.details()}") from error
        return Outcome(
            response.answer_id, STATUS.get(response.status, "unknown"), outcome_name(response.outcome),
            [c.document_id for c in response.citations], response.answer, (time.perf_counter() - started) * 1000,
            response.usage.input_tokens, response.usage.output_tokens,
        )  # fmt: skip

    async def close(self) -> None:
        await self.channel.close()
