"""Screens document chunks through the guardrails service's ScreenDocument (the tenant's policy)."""

from __future__ import annotations

import grpc

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops_core.errors import Unavailable
from llmops_core.grpc_client import traced_channel
from llmops_ingestion.domain.documents import ScreenedText

MAX_TEXTS = 256  # ScreenDocumentRequest limit


class GuardrailsScreener:
    def __init__(self, target: str, timeout_seconds: float = 60.0) -> None:
        self.target = target
        self.timeout_seconds = timeout_seconds
        self.channel = traced_channel(target)
        self.stub = guardrails_pb2_grpc.GuardrailsServiceStub(self.channel)  # type: ignore[no-untyped-call]

    async def screen(self, tenant_id: str, document_id: str, texts: list[str]) -> list[ScreenedText]:
        screened: list[ScreenedText] = []
        for start in range(0, len(texts), MAX_TEXTS):
            request = guardrails_pb2.ScreenDocumentRequest(
                tenant_id=tenant_id, document_id=document_id, texts=texts[start : start + MAX_TEXTS]
            )
            try:
                response = await self.stub.ScreenDocument(request, timeout=self.timeout_seconds)
            except grpc.aio.AioRpcError as error:
                raise Unavailable(f"guardrails at {self.target}: {error.code().name}: {error.details()}") from error
            for original, result in zip(texts[start : start + MAX_TEXTS], response.texts, strict=True):
                if result.decision == guardrails_pb2.DECISION_REDACT:
                    rules = tuple(sorted({f.rule for f in result.findings if f.action == "redact"}))
                    screened.append(ScreenedText(result.text, rules))
                else:
                    screened.append(ScreenedText(original))
        return screened

    async def close(self) -> None:
        await self.channel.close()
