"""gRPC GuardrailsService: validates the request, applies the domain rules, maps the verdict."""

from __future__ import annotations

import grpc
from opentelemetry import trace

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops_core.validation import require_tenant, require_text
from llmops_guardrails.domain.verdicts import Decision, Verdict, check_input, check_output

DECISIONS = {
    Decision.ALLOW: guardrails_pb2.DECISION_ALLOW,
    Decision.REDACT: guardrails_pb2.DECISION_REDACT,
    Decision.BLOCK: guardrails_pb2.DECISION_BLOCK,
}


def to_proto(verdict: Verdict, policy: str) -> guardrails_pb2.Verdict:
    span = trace.get_current_span()
    span.set_attribute("gen_ai.guardrail.decision", verdict.decision.value)
    span.set_attribute("gen_ai.guardrail.rules", [f.rule for f in verdict.findings])
    return guardrails_pb2.Verdict(
        decision=DECISIONS[verdict.decision],
        reason=verdict.reason,
        redacted_text=verdict.redacted_text,
        findings=[
            guardrails_pb2.Finding(rule=f.rule, category=f.category, score=f.score, start=f.start, end=f.end)
            for f in verdict.findings
        ],
        policy=policy,
    )


class GuardrailsServicer(guardrails_pb2_grpc.GuardrailsServiceServicer):
    def __init__(self, default_policy: str) -> None:
        self.default_policy = default_policy

    async def CheckInput(  # noqa: N802 (gRPC method name)
        self, request: guardrails_pb2.CheckInputRequest, context: grpc.aio.ServicerContext
    ) -> guardrails_pb2.Verdict:
        require_tenant(request.tenant_id)
        text = require_text("text", request.text, max_chars=8000)
        return to_proto(check_input(text), request.policy or self.default_policy)

    async def CheckOutput(  # noqa: N802 (gRPC method name)
        self, request: guardrails_pb2.CheckOutputRequest, context: grpc.aio.ServicerContext
    ) -> guardrails_pb2.Verdict:
        require_tenant(request.tenant_id)
        text = require_text("text", request.text, max_chars=32000, min_chars=0)
        return to_proto(check_output(text), request.policy or self.default_policy)
