"""Drift of one tenant's answers: seven signals, each a CUSUM against a reference learned from the tenant.

Each signal first *learns* its reference from its first observations (after creation or ``reset()``), then
*monitors*. The reference stays frozen until an operator resets it: a rolling reference would follow a slow
drift (a corpus going stale over weeks) and never alarm on it; after a real change the operator resets once
the new level is accepted. After an alarm the statistic restarts from 0, so a persisting shift alarms again
only after it has accumulated the evidence anew (about one detection delay later), never on every answer.

Which answers feed which signal: the hallucination rate and groundedness only answered answers (abstentions
and refusals state nothing that could be invented, and counting them as grounded would hide a rise behind
more refusals); the abstention and refusal rates every answer; the retrieval top similarity answered and
abstained answers (a refusal may be decided before retrieval); the negative-feedback rate feedback events;
the question similarity (cosine of each question's embedding to the reference questions' centroid) every
question the caller embeds.

``to_json``/``from_json`` round-trip exactly with JSON types only, so the state can live in a JSONB column.
"""

from __future__ import annotations

from llmops_evaluation.domain.drift_signals import (
    DriftConfig,
    JsonDict,
    MeanSignal,
    QuestionShift,
    RateSignal,
    SignalAlert,
    SignalState,
)

__all__ = ["STATE_VERSION", "STATUSES", "DriftConfig", "JsonDict", "SignalAlert", "SignalState", "TenantDrift"]

STATUSES = ("answered", "abstained", "refused")
STATE_VERSION = 1


class TenantDrift:
    """The drift detector of one tenant over every signal (see the module docstring)."""

    def __init__(self, config: DriftConfig | None = None) -> None:
        self.config = config or DriftConfig()
        self._fresh()

    def _fresh(self) -> None:
        c = self.config
        self.hallucination = RateSignal(
            "hallucination_rate", c.hallucination_shift, c.hallucination_arl0, c.rate_reference_size
        )
        self.abstention = RateSignal("abstention_rate", c.abstention_shift, c.arl0, c.rate_reference_size)
        self.refusal = RateSignal("refusal_rate", c.refusal_shift, c.arl0, c.rate_reference_size)
        self.feedback = RateSignal(
            "negative_feedback_rate", c.negative_feedback_shift, c.feedback_arl0, c.feedback_reference_size
        )
        self.groundedness = MeanSignal("groundedness", c.score_shift_sd, c.arl0, c.score_reference_size)
        self.similarity = MeanSignal("top_similarity", c.score_shift_sd, c.arl0, c.score_reference_size)
        self.questions = QuestionShift(
            c.score_reference_size,
            MeanSignal("question_similarity", c.score_shift_sd, c.arl0, c.score_reference_size),
        )

    @property
    def _signals(self) -> tuple[RateSignal | MeanSignal | QuestionShift, ...]:
        return (
            self.hallucination, self.groundedness, self.abstention, self.refusal, self.similarity, self.feedback,
            self.questions,
        )  # fmt: skip

    def observe_answer(
        self, status: str, groundedness: float | None, hallucinated: bool | None, top_similarity: float | None
    ) -> list[SignalAlert]:
        if status not in STATUSES:
            raise ValueError(f"answer status must be one of {STATUSES}, not {status!r}")
        config, alerts = self.config, []
        answered = status == "answered"
        for alert in (
            self.hallucination.observe(hallucinated, config) if answered and hallucinated is not None else None,
            self.groundedness.observe(groundedness, config) if answered and groundedness is not None else None,
            self.abstention.observe(status == "abstained", config),
            self.refusal.observe(status == "refused", config),
            self.similarity.observe(top_similarity, config)
            if top_similarity is not None and status != "refused"
            else None,
        ):
            if alert is not None:
                alerts.append(alert)
        return alerts

    def observe_question(self, vector: list[float]) -> list[SignalAlert]:
        """The question's embedding (any fixed dimension; the first one seen sets it)."""
        alert = self.questions.observe(vector, self.config)
        return [alert] if alert else []

    def observe_feedback(self, negative: bool) -> list[SignalAlert]:
        alert = self.feedback.observe(negative, self.config)
        return [alert] if alert else []

    def state(self) -> list[SignalState]:
        return [signal.state() for signal in self._signals]

    def reset(self) -> None:
        """Operator reset: every signal learns its reference again from the next observations."""
        self._fresh()

    def to_json(self) -> JsonDict:
        return {"version": STATE_VERSION, "signals": {s.name: s.to_json() for s in self._signals}}

    @classmethod
    def from_json(cls, data: JsonDict, config: DriftConfig | None = None) -> TenantDrift:
        """Restores a state; charts keep the thresholds they were designed with (a changed config applies
        from the next reset), a signal still learning finishes with the given config's sizes."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unknown drift state version {data.get('version')!r}")
        drift = cls(config)
        for signal in drift._signals:
            if signal.name in data["signals"]:  # a signal added since the state was saved starts learning
                signal.load(data["signals"][signal.name])
        return drift
