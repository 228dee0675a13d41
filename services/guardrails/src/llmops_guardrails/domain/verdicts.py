"""Turns rule hits and PII into the verdict the API returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from llmops_guardrails.domain.injection import matching_rules
from llmops_guardrails.domain.pii import find_pii, redact


class Decision(Enum):
    ALLOW = "allow"
    REDACT = "redact"
    BLOCK = "block"


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    start: int
    end: int
    score: float = 1.0


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str
    redacted_text: str
    findings: list[Finding] = field(default_factory=list)


def _pii_findings(text: str) -> tuple[str, list[Finding]]:
    matches = find_pii(text)
    return redact(text, matches), [Finding(f"pii.{m.kind}", "pii", m.start, m.end) for m in matches]


def _pii_reason(findings: list[Finding]) -> str:
    kinds = sorted({f.rule.removeprefix("pii.").replace("_", " ") for f in findings})
    return f"Removed personal data ({', '.join(kinds)}) before it goes further."


def check_input(text: str) -> Verdict:
    """Blocks injection and out-of-scope requests; otherwise redacts personal data."""
    redacted, findings = _pii_findings(text)
    hits = matching_rules(text)
    if hits:
        rule_findings = [Finding(r.rule_id, r.category, m.start(), m.end()) for r, m in hits]
        return Verdict(Decision.BLOCK, hits[0][0].reason, redacted, rule_findings + findings)
    if findings:
        return Verdict(Decision.REDACT, _pii_reason(findings), redacted, findings)
    return Verdict(Decision.ALLOW, "No policy applies to this text.", text, [])


def check_output(text: str) -> Verdict:
    """Answers are never blocked here (groundedness is scored later); personal data is redacted."""
    redacted, findings = _pii_findings(text)
    if findings:
        return Verdict(Decision.REDACT, _pii_reason(findings), redacted, findings)
    return Verdict(Decision.ALLOW, "No policy applies to this text.", text, [])
