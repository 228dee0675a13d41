"""gRPC GuardrailsService: validates the request, calls the use case, maps the verdict."""

from __future__ import annotations

import grpc
from opentelemetry import trace

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant, require_text
from llmops_guardrails.domain.verdicts import Decision, Finding, Verdict
from llmops_guardrails.use_cases import Guardrails

DECISIONS = {
    Decision.ALLOW: guardrails_pb2.DECISION_ALLOW,
    Decision.FLAG: guardrails_pb2.DECISION_FLAG,
    Decision.REDACT: guardrails_pb2.DECISION_REDACT,
    Decision.BLOCK: guardrails_pb2.DECISION_BLOCK,
}
MAX_DOCUMENT_TEXTS = 256


def _finding(f: Finding) -> guardrails_pb2.Finding:
    return guardrails_pb2.Finding(
        rule=f.rule,
        category=f.category,
        score=f.score,
        start=f.start,
        end=f.end,
        action=f.action.value,
        reason=f.reason,
    )


def record(verdict: Verdict) -> None:
    """The verdict on the current span; one event per finding with its check, score, action, reason."""
    span = trace.get_current_span()
    span.set_attribute("gen_ai.guardrail.decision", verdict.decision.value)
    span.set_attribute("gen_ai.guardrail.policy", verdict.policy)
    span.set_attribute("gen_ai.guardrail.reason", verdict.reason)
    span.set_attribute("gen_ai.guardrail.rules", [f.rule for f in verdict.findings])
    for f in verdict.findings:
        span.add_event(
            "gen_ai.guardrail.finding",
            {
                "gen_ai.guardrail.check": f.category,
                "gen_ai.guardrail.rule": f.rule,
                "gen_ai.guardrail.score": f.score,
                "gen_ai.guardrail.action": f.action.value,
                "gen_ai.guardrail.reason": f.reason,
            },
        )


def to_proto(verdict: Verdict) -> guardrails_pb2.Verdict:
    record(verdict)
    return guardrails_pb2.Verdict(
        decision=DECISIONS[verdict.decision],
        reason=verdict.reason,
        redacted_text=verdict.redacted_text,
        findings=[_finding(f) for f in verdict.findings],
        policy=verdict.policy,
    )


class GuardrailsServicer(guardrails_pb2_grpc.GuardrailsServiceServicer):
    def __init__(self, guardrails: Guardrails, default_policy: str = "") -> None:
        self.guardrails = guardrails
        # A deployment-wide policy name that overrides the tenant's own ("" or "default": the tenant's).
        self.default_policy = "" if default_policy == "default" else default_policy

    async def CheckInput(  # noqa: N802 (gRPC method name)
        self, request: guardrails_pb2.CheckInputRequest, context: grpc.aio.ServicerContext
    ) -> guardrails_pb2.Verdict:
        tenant = require_tenant(request.tenant_id)
        text = require_text("text", request.text, max_chars=8000)
        corpus = request.corpus_similarity if request.HasField("corpus_similarity") else None
        verdict = await self.guardrails.check_input(tenant, text, request.policy or self.default_policy, corpus)
        return to_proto(verdict)

    async def CheckOutput(  # noqa: N802 (gRPC method name)
        self, request: guardrails_pb2.CheckOutputRequest, context: grpc.aio.ServicerContext
    ) -> guardrails_pb2.Verdict:
        tenant = require_tenant(request.tenant_id)
        text = require_text("text", request.text, max_chars=32000, min_chars=0)
        return to_proto(await self.guardrails.check_output(tenant, text, request.policy or self.default_policy))

    async def ScreenDocument(  # noqa: N802 (gRPC method name)
        self, request: guardrails_pb2.ScreenDocumentRequest, context: grpc.aio.ServicerContext
    ) -> guardrails_pb2.ScreenDocumentResponse:
        tenant = require_tenant(request.tenant_id)
        if not 1 <= len(request.texts) <= MAX_DOCUMENT_TEXTS:
            raise InvalidArgument(f"texts has {len(request.texts)} entries; send 1-{MAX_DOCUMENT_TEXTS}")
        texts = [require_text("texts[]", t, max_chars=32000, min_chars=0) for t in request.texts]
        screened = await self.guardrails.screen_document(tenant, texts, request.policy or self.default_policy)
        for verdict in screened:
            record(verdict)
        return guardrails_pb2.ScreenDocumentResponse(
            texts=[
                guardrails_pb2.ScreenedText(
                    decision=DECISIONS[v.decision], text=v.redacted_text, findings=[_finding(f) for f in v.findings]
                )
                for v in screened
            ],
            policy=screened[0].policy,
        )
