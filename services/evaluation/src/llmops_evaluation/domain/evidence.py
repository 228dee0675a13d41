"""Which recent answers an alert shows as evidence, per drift signal.

An alert names the signal that moved; a person acting on it wants to open a few answers that show
the change. Each signal keeps the ids of its latest few matching answers in the tenant's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

PER_SIGNAL = 5
# Below this groundedness an answered answer shows a groundedness drop.
LOW_GROUNDEDNESS = 0.5


def answer_signals(status: str, hallucinated: bool, groundedness: float, has_similarity: bool) -> list[str]:
    """The signals for which this answer is evidence (every answer for the question similarity: the
    latest questions show what users ask now)."""
    return ["question_similarity", *_status_signals(status, hallucinated, groundedness, has_similarity)]


def _status_signals(status: str, hallucinated: bool, groundedness: float, has_similarity: bool) -> list[str]:
    if status == "refused":
        return ["refusal_rate"]
    if status == "abstained":
        return ["abstention_rate", "top_similarity"] if has_similarity else ["abstention_rate"]
    signals = []
    if hallucinated:
        signals.append("hallucination_rate")
    if groundedness < LOW_GROUNDEDNESS:
        signals.append("groundedness")
    return signals


def remember(evidence: Mapping[str, Sequence[str]], signals: Sequence[str], answer_id: str) -> dict[str, list[str]]:
    """The evidence with ``answer_id`` added to each signal's list, newest last, at most PER_SIGNAL."""
    updated = {name: list(ids) for name, ids in evidence.items()}
    for signal in signals:
        ids = [i for i in updated.get(signal, []) if i != answer_id] + [answer_id]
        updated[signal] = ids[-PER_SIGNAL:]
    return updated
