"""Groundedness scoring and drift detection."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

from llmops_evaluation.domain.drift import DriftMonitor, two_proportion_z
from llmops_evaluation.domain.groundedness import entities, missing_entities, score_answer, split_sentences


class WordOverlapEmbedder:
    """Bag-of-words vectors: similar wording, similar vector (stands in for MiniLM in unit tests)."""

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vocabulary = sorted({w for t in texts for w in t.lower().replace(".", " ").split()})
        return [[float(w in t.lower().split()) + 1e-6 for w in vocabulary] for t in texts]


CONTEXT = ["Items can be returned within 30 days of delivery. Refunds go to the original card."]


def score(answer: str) -> tuple[float, bool, list[list[str]]]:
    result = asyncio.run(score_answer(answer, CONTEXT, WordOverlapEmbedder(), threshold=0.5))
    return result.score, result.hallucinated, [c.unsupported_entities for c in result.claims]


def test_supported_answer() -> None:
    assert score("Items can be returned within 30 days of delivery.") == (1.0, False, [[]])


def test_swapped_number_is_caught_even_when_wording_matches() -> None:
    share, hallucinated, missing = score("Items can be returned within 90 days of delivery.")
    assert (share, hallucinated, missing) == (0.0, True, [["90"]])


def test_invented_name_and_unrelated_claim() -> None:
    share, hallucinated, missing = score("Refunds go to the original card. Our CEO is Maria Lopez.")
    assert share == 0.5
    assert hallucinated
    assert missing == [[], ["Maria Lopez"]]


def test_sentences_and_entities() -> None:
    assert split_sentences("One. Two!  三十天。好的") == ["One.", "Two!", "三十天。", "好的"]
    assert entities("Call Acme Support on 12.5 or 3:30 today") == ["12.5", "3:30", "Acme Support"]
    assert missing_entities("Open until 18:00 in Taipei", "open until 18:00 in taipei") == []


def test_no_context_means_unsupported() -> None:
    result = asyncio.run(score_answer("It is 30 days.", [], WordOverlapEmbedder(), 0.5))
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
