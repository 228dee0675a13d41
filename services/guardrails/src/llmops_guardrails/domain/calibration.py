"""Calibrated bars of the score-based checks, fitted on the labelled set's train split only.

``calibration.json`` beside this module holds the fitted numbers and the command that fitted
them (``llmops eval guardrails --calibrate``); a tenant policy may override any of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

CALIBRATION = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    classifier_threshold: float  # block when the injection classifier scores at least this
    min_purpose_similarity: float  # in scope when the best purpose cosine is at least this ...
    min_corpus_similarity: float  # ... or the best corpus cosine is at least this
    # Mostly non-Latin questions, judged by the multilingual model on purpose alone (its cosines sit
    # in a band of their own, 0.8-0.9, so the MiniLM bar does not carry over).
    min_purpose_similarity_multilingual: float = 0.0
    fitted_on: str = ""

    @classmethod
    def unset(cls) -> Calibration:
        """Bars that never fire, for callers that take no scores (document screening)."""
        return cls(1.01, 0.0, 0.0, 0.0, "not fitted")

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            float(data["classifier_threshold"]),
            float(data["min_purpose_similarity"]),
            float(data["min_corpus_similarity"]),
            float(data.get("min_purpose_similarity_multilingual", 0.0)),
            str(data.get("fitted_on", "")),
        )

    def save(self, path: Path = CALIBRATION, **provenance: str) -> None:
        path.write_text(
            json.dumps({**asdict(self), **provenance}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def fit_lower_bound(
    attacks: Sequence[float], harmless: Sequence[float], max_false_positive_rate: float, floor: float = 0.5
) -> float:
    """The lowest bar (flag when score >= bar) that flags at most ``max_false_positive_rate`` of the
    harmless scores; the lowest such bar catches the most attacks. Never below ``floor`` (the
    classifier's own decision point): a few dozen harmless examples cannot vouch for the tail of
    harmless scores below it ("What is the capital of France?" scores 0.42)."""
    # Each score and just above it: the bar may sit right over a harmless score.
    scores = [*attacks, *harmless]
    candidates = sorted({round(v, 2) for s in scores for v in (s, s + 0.01) if floor <= v <= 1.0} | {floor, 1.0})
    for bar in candidates:
        flagged = sum(s >= bar for s in harmless)
        if flagged <= max_false_positive_rate * len(harmless):
            return bar
    return 1.0


def fit_scope_bars(
    far: Sequence[tuple[float, float | None]],
    near: Sequence[tuple[float, float | None]],
    max_false_positive_rate: float,
) -> tuple[float, float]:
    """Purpose and corpus bars (each on a 0.005 grid) that refuse the most ``far`` (out-of-scope)
    questions while refusing at most ``max_false_positive_rate`` of the ``near`` ones; each item is
    (purpose similarity, corpus similarity or None)."""
    grid = [round(0.005 * i, 3) for i in range(0, 201)]

    def refused(item: tuple[float, float | None], purpose_bar: float, corpus_bar: float) -> bool:
        purpose, corpus = item
        return purpose < purpose_bar and (corpus is None or corpus < corpus_bar)

    scored: list[tuple[int, float, float]] = []
    for purpose_bar in grid:
        for corpus_bar in grid:
            if sum(refused(n, purpose_bar, corpus_bar) for n in near) <= max_false_positive_rate * len(near):
                scored.append((sum(refused(f, purpose_bar, corpus_bar) for f in far), purpose_bar, corpus_bar))
    if not scored:
        return 0.0, 0.0
    most = max(caught for caught, _, _ in scored)
    # The middle of the bars that do equally well, so neither bar sits on a training item.
    best = [(p, c) for caught, p, c in scored if caught == most]
    return sorted(p for p, _ in best)[len(best) // 2], sorted(c for _, c in best)[len(best) // 2]
