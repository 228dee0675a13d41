"""Asks suite questions through the query service, like any product app."""

from __future__ import annotations

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


class QueryClient:
    def __init__(self, target: str, timeout_seconds: float = 180.0) -> None:
        self.target = target
        self.timeout_seconds = timeout_seconds
        self.channel = traced_channel(target)
        self.stub = query_pb2_grpc.QueryServiceStub(self.channel)

    async def ask(self, tenant_id: str, question: str) -> tuple[str, Outcome]:
        try:
            response = await self.stub.Ask(
                query_pb2.AskRequest(tenant_id=tenant_id, question=question), timeout=self.timeout_seconds
            )
        except grpc.aio.AioRpcError as error:
            raise Unavailable(f"query service at {self.target}: {error.details()}") from error
        cited = [c.document_id for c in response.citations]
        return response.answer_id, Outcome(STATUS.get(response.status, "unknown"), cited, response.answer)

    async def close(self) -> None:
        await self.channel.close()
