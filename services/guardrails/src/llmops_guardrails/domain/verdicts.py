"""Turns rule hits, classifier and similarity scores, and PII into the verdict the API returns.

Pure: the scores are measured by the caller (see ``use_cases``), so the same decision serves the
gRPC service and the evaluation harness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from llmops_guardrails.domain.calibration import Calibration
from llmops_guardrails.domain.injection import matching_rules
from llmops_guardrails.domain.normalise import CJK, views
from llmops_guardrails.domain.pii import PiiMatch, find_pii, redact
from llmops_guardrails.domain.policy import Action, Policy
from llmops_guardrails.domain.scope import ScopeBars, out_of_scope, scope_score


class Decision(Enum):
    ALLOW = "allow"
    FLAG = "flag"  # allowed as is; the findings are recorded
    REDACT = "redact"
    BLOCK = "block"


ACTION_DECISIONS = {Action.BLOCK: Decision.BLOCK, Action.REDACT: Decision.REDACT, Action.FLAG: Decision.FLAG}
# When findings disagree, the strictest action decides.
SEVERITY = [Decision.ALLOW, Decision.FLAG, Decision.REDACT, Decision.BLOCK]


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "injection.ignore_instructions", "scope.purpose", "pii.email"
    category: str  # the check: "injection", "scope", "pii"
    start: int
    end: int
    score: float = 1.0
    action: Action = Action.FLAG
    reason: str = ""


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str
    redacted_text: str
    findings: list[Finding] = field(default_factory=list)
    policy: str = "default"


@dataclass(frozen=True)
class InputSignals:
    """Scores measured outside the domain; None where the signal was not taken."""

    classifier_score: float | None = None
    purpose_similarity: float | None = None
    corpus_similarity: float | None = None
    # The purpose similarity came from the multilingual model (a mostly non-Latin question).
    multilingual: bool = False


def mostly_latin(text: str) -> bool:
    """The packaged classifier and the embedding model are English MiniLM. On Chinese the classifier
    scores harmless questions as attacks (0.98 for "退货政策是什么？") and every Chinese question is
    about equally far from the purpose (0.08-0.22 on the train split, in scope or not), so for
    mostly-Chinese text the classifier is left out (the rules judge injection) and scope is judged
    by the multilingual model instead."""
    return len(CJK.findall(text)) < 0.2 * max(1, len(text.replace(" ", "")))


def rule_findings(text: str, policy: Policy) -> list[Finding]:
    """The injection rules over every view of the text; empty when the policy has injection off."""
    if not policy.enabled("injection"):
        return []
    action = policy.actions["injection"]
    return [
        Finding(hit.rule.rule_id, "injection", 0, len(text), 1.0, action, hit.rule.reason)
        for hit in matching_rules(views(text))
    ]


def classifier_blocks(score: float, policy: Policy, calibration: Calibration) -> bool:
    return score >= (policy.injection_threshold or calibration.classifier_threshold)


def blocks(findings: list[Finding]) -> bool:
    return any(f.action is Action.BLOCK for f in findings)


def injection_findings(
    text: str,
    policy: Policy,
    classifier_score: float | None,
    calibration: Calibration,
    rules: list[Finding] | None = None,
) -> list[Finding]:
    """``rules`` are ``rule_findings`` already computed by the caller (the use case runs them first
    to skip the models when they block); computed here otherwise."""
    findings = list(rule_findings(text, policy) if rules is None else rules)
    if classifier_score is not None and classifier_blocks(classifier_score, policy, calibration):
        reason = "The question reads like an attempt to change the assistant's instructions."
        action = policy.actions["injection"]
        findings.append(Finding("injection.classifier", "injection", 0, len(text), classifier_score, action, reason))
    return findings


def scope_findings(text: str, policy: Policy, signals: InputSignals, calibration: Calibration) -> list[Finding]:
    if signals.purpose_similarity is None:
        return []
    if signals.multilingual:
        # The corpus similarity is MiniLM's, which puts every Chinese question 0.56-0.80 from a
        # Chinese corpus whatever it asks: for these the purpose alone decides.
        bars = ScopeBars(calibration.min_purpose_similarity_multilingual, 0.0)
        corpus_similarity = None
    else:
        bars = ScopeBars(
            policy.scope_min_similarity or calibration.min_purpose_similarity,
            policy.corpus_min_similarity or calibration.min_corpus_similarity,
        )
        corpus_similarity = signals.corpus_similarity
    if not out_of_scope(signals.purpose_similarity, corpus_similarity, bars):
        return []
    score = scope_score(signals.purpose_similarity, corpus_similarity, bars)
    reason = f"The question is outside what this assistant is for ({policy.purpose})."
    return [Finding("scope.purpose", "scope", 0, len(text), score, policy.actions["scope"], reason)]


def pii_findings(matches: list[PiiMatch], action: Action) -> list[Finding]:
    reason = "Personal data ({}) found."
    return [
        Finding(f"pii.{m.kind}", "pii", m.start, m.end, 1.0, action, reason.format(m.kind.replace("_", " ")))
        for m in matches
    ]


def _pii_reason(findings: list[Finding]) -> str:
    kinds = sorted({f.rule.removeprefix("pii.").replace("_", " ") for f in findings if f.category == "pii"})
    return f"Removed personal data ({', '.join(kinds)}) before it goes further."


def decide(text: str, findings: list[Finding], to_redact: list[PiiMatch], policy: Policy) -> Verdict:
    """The strictest action among the findings; a block gives the policy's message as the reason.

    ``to_redact`` are the personal-data matches whose action is redact; a blocked text is still
    returned redacted, since callers log it.
    """
    decision = max((ACTION_DECISIONS[f.action] for f in findings), key=SEVERITY.index, default=Decision.ALLOW)
    redacted = redact(text, to_redact)
    if decision is Decision.BLOCK:
        blocking = next(f for f in findings if f.action is Action.BLOCK)
        return Verdict(decision, policy.message(blocking.category), redacted, findings, policy.name)
    if decision is Decision.REDACT:
        return Verdict(decision, _pii_reason(findings), redacted, findings, policy.name)
    if decision is Decision.FLAG:
        return Verdict(decision, findings[0].reason, text, findings, policy.name)
    return Verdict(Decision.ALLOW, "No policy applies to this text.", text, [], policy.name)


def _pii(text: str, policy: Policy, check: str) -> tuple[list[Finding], list[PiiMatch]]:
    if not policy.enabled(check):
        return [], []
    matches = find_pii(text, policy.allowed_contacts)
    action = policy.actions[check]
    return pii_findings(matches, action), matches if action is Action.REDACT else []


def check_input(
    text: str, policy: Policy, signals: InputSignals, calibration: Calibration, rules: list[Finding] | None = None
) -> Verdict:
    """Injection and scope findings from the rules and the measured scores; personal data redacted.
    ``rules``: ``rule_findings(text, policy)`` when the caller already has them."""
    findings: list[Finding] = []
    if policy.enabled("injection"):
        findings += injection_findings(text, policy, signals.classifier_score, calibration, rules)
    if policy.enabled("scope"):
        findings += scope_findings(text, policy, signals, calibration)
    pii, to_redact = _pii(text, policy, "pii_input")
    return decide(text, findings + pii, to_redact, policy)


def check_output(text: str, policy: Policy) -> Verdict:
    """Answers are not blocked here (groundedness is scored later); personal data is redacted."""
    pii, to_redact = _pii(text, policy, "pii_output")
    return decide(text, pii, to_redact, policy)


def screen_document(texts: list[str], policy: Policy) -> list[Verdict]:
    """Each text of a document: personal data redacted or flagged per the policy's document action,
    and instructions planted for the model (indirect injection) flagged, never blocked, so the
    document is still indexed and a person can look at it."""
    verdicts = []
    for text in texts:
        pii, to_redact = _pii(text, policy, "document")
        planted = [
            Finding(f.rule, f.category, f.start, f.end, f.score, Action.FLAG, f.reason)
            for f in injection_findings(text, policy, None, Calibration.unset())
        ]
        verdicts.append(decide(text, planted + pii, to_redact, policy))
    return verdicts
