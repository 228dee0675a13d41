"""Groundedness scoring."""

from __future__ import annotations

import asyncio

from llmops_evaluation.domain.groundedness import Groundedness, score_answer
from llmops_grounding import SupportPolicy
from tests.unit.grounding.fakes import WordOverlapEmbedder

CONTEXT = ["Items can be returned within 30 days of delivery. Refunds go to the original card."]


def score(answer: str, contexts: list[str] = CONTEXT) -> Groundedness:
    return asyncio.run(score_answer(answer, contexts, WordOverlapEmbedder(), SupportPolicy(0.55)))


def test_supported_answer_keeps_its_evidence() -> None:
    result = score("Items can be returned within 30 days of delivery.")
    assert (result.score, result.hallucinated) == (1.0, False)
    claim = result.claims[0]
    assert (claim.verdict, claim.evidence_context) == ("supported", 0)
    assert claim.evidence == "Items can be returned within 30 days of delivery."


def test_swapped_number_and_invented_name_are_flagged_with_reasons() -> None:
    result = score("Items can be returned within 90 days of delivery. Refunds go to Maria Lopez.")
    assert result.hallucinated
    assert [c.unsupported_entities for c in result.claims] == [["90"], ["Lopez", "Maria"]]
    assert result.risk == 1.0


def test_no_context_means_unsupported() -> None:
    result = score("It is 30 days.", [])
    assert (result.score, result.hallucinated) == (0.0, True)
