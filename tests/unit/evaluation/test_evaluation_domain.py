"""Groundedness scoring and drift detection."""

from __future__ import annotations

import asyncio
import random

from llmops_evaluation.domain.drift import DriftMonitor, two_proportion_z
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


def test_z_test_matches_textbook_value() -> None:
    z, p = two_proportion_z(10, 100, 25, 100)
    assert round(z, 2) == 2.79  # 0.15 / sqrt(0.175 * 0.825 * (1/100 + 1/100))
    assert round(p, 4) == 0.0052


def test_drift_alert_when_hallucinations_jump_and_not_before() -> None:
    rng = random.Random(3)
    monitor = DriftMonitor(reference_size=40, current_size=40, alpha=0.01)
    alerts = [monitor.observe(rng.uniform(0.8, 1.0), rng.random() < 0.05) for _ in range(120)]
    assert not any(alerts), "a stable stream must not alert"
    alerts = [monitor.observe(rng.uniform(0.0, 0.6), rng.random() < 0.6) for _ in range(40)]
    fired = [a for a in alerts if a is not None]
    assert len(fired) == 1, "one alert, then the window must refill"
    assert fired[0].drifting
    assert {t.name for t in fired[0].tests if t.drifted} >= {"two-proportion z-test"}
    assert "significant by" in fired[0].summary()
