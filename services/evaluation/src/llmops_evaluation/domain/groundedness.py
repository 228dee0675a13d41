"""Groundedness of an answer: the shared claim check (``llmops_grounding``), kept as per-claim evidence.

The check is the same one the query service runs before it shows a draft (one library, not a copy):
claims supported by a context sentence (embedding cosine or content-term coverage), numbers, dates,
amounts and names equal to ones in the contexts, negation that agrees with the evidence, and across
languages support only through facts. An NLI model or an LLM judge can replace ``check_answer``
behind the same ``Groundedness`` result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llmops_grounding import Embedder, SupportPolicy, Verdict, check_answer

SCORER = "claims+facts+negation"
SCORER_VERSION = "2"

__all__ = ["SCORER", "SCORER_VERSION", "ClaimScore", "Embedder", "Groundedness", "score_answer"]


@dataclass(frozen=True)
class ClaimScore:
    claim: str
    support: float
    supported: bool
    unsupported_entities: list[str]
    verdict: str = ""
    evidence: str = ""
    evidence_context: int = -1
    reason: str = ""


@dataclass(frozen=True)
class Groundedness:
    score: float  # mean claim score, 0-1
    hallucinated: bool
    claims: list[ClaimScore] = field(default_factory=list)
    # 1 - the weakest claim's score: the ranking that AUROC is measured on.
    risk: float = 0.0


async def score_answer(
    answer: str, contexts: list[str], embedder: Embedder, policy: SupportPolicy, question: str = ""
) -> Groundedness:
    check = await check_answer(answer, contexts, embedder, policy, question)
    claims = [
        ClaimScore(
            c.claim, round(c.support, 4), c.verdict is Verdict.SUPPORTED, c.missing_facts, c.verdict.value,
            c.evidence.sentence if c.evidence else "", c.evidence.passage if c.evidence else -1, c.reason,
        )
        for c in check.claims
    ]  # fmt: skip
    return Groundedness(round(check.groundedness, 4), check.hallucinated, claims, round(check.risk, 4))
