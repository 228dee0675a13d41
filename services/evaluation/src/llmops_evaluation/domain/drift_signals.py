"""The drift signals of one tenant and what they report: each learns its reference from its first
observations, then watches it with a CUSUM (``domain.sequential``). ``DriftConfig`` holds every parameter.

``TenantDrift`` (``domain.tenant_drift``) owns the seven signals and feeds them; its docstring says which
answers feed which signal and why a reference stays frozen until a reset.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from llmops_evaluation.domain.sequential import (
    Alarm,
    BernoulliChart,
    BernoulliCusum,
    MeanChart,
    MeanCusum,
    bernoulli_chart,
    mean_chart,
)

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class DriftConfig:
    """Every parameter of the detector. The defaults keep the stationary false-alarm rate of a tenant at
    about 0.6 per 10,000 answers (docs/decisions/0022) while a +10-point hallucination rise is found
    within ~200 answers.

    ARL0s are per observation of a signal. A tenant's answers feed ~4.7 signal observations each, so the
    false-alarm budget (1 per 10,000 answers) is split: half to the hallucination rate, the signal with a
    detection-delay goal (ARL0 20,000 at ~0.8 observations per answer), the rest to the other signals.
    Feedback is rare (a few percent of answers), so it can have the short ARL0 at almost no cost.
    """

    rate_reference_size: int = 1000
    feedback_reference_size: int = 400
    score_reference_size: int = 1000  # scores come with the answers, so this adds no learning time
    hallucination_shift: float = 0.10
    abstention_shift: float = 0.10
    refusal_shift: float = 0.05
    negative_feedback_shift: float = 0.10
    score_shift_sd: float = 1.0
    hallucination_arl0: float = 20_000
    feedback_arl0: float = 20_000
    arl0: float = 200_000
    rate_floor: float = 0.01
    rate_ceiling: float = 0.95
    min_sd: float = 0.01
    clip_sd: float = 4.0
    ewma_weight: float = 0.01  # the state's "current" value: about the last 100 observations

    def __post_init__(self) -> None:
        sizes = (self.rate_reference_size, self.feedback_reference_size, self.score_reference_size)
        shifts = (self.hallucination_shift, self.abstention_shift, self.refusal_shift, self.negative_feedback_shift)
        if min(sizes) < 2 or min(shifts) <= 0 or self.score_shift_sd <= 0:
            raise ValueError("reference sizes must be at least 2 and shifts positive")
        if min(self.hallucination_arl0, self.feedback_arl0, self.arl0) <= 1:
            raise ValueError("every ARL0 must be above 1")
        if not 0 < self.rate_floor < self.rate_ceiling < 1 or self.min_sd <= 0 or not 0 < self.ewma_weight <= 1:
            raise ValueError("need 0 < rate_floor < rate_ceiling < 1, min_sd > 0 and 0 < ewma_weight <= 1")


@dataclass(frozen=True)
class SignalAlert:
    """A CUSUM alarm. ``current`` is the mean of the observations since the statistic last was 0 (the
    CUSUM's own estimate of when the change began), over ``current_count`` observations."""

    signal: str
    direction: str  # "rise" or "drop"
    reference: float
    current: float
    current_count: int
    shift: float  # the shift the chart is tuned to, in the signal's units
    test: str  # "Bernoulli CUSUM" or "mean CUSUM"
    statistic: float
    threshold: float
    observations: int  # observations since monitoring began
    summary: str
    suggested_action: str


@dataclass(frozen=True)
class SignalState:
    """One signal for an API; every field is a JSON type (``asdict`` serialises it)."""

    signal: str
    phase: str  # "learning" or "monitoring"
    test: str
    direction: str
    reference: float | None
    current: float | None  # EWMA of recent observations (weight ``DriftConfig.ewma_weight``)
    statistic: float
    threshold: float | None
    reference_count: int  # observations learned so far
    reference_size: int  # observations the reference needs
    observations: int  # observations since monitoring began
    alarms: int
    arl0: float  # the design's expected observations between false alarms


@dataclass(frozen=True)
class _Spec:
    name: str
    label: str
    unit: str
    action: str


_SPECS = {
    s.name: s
    for s in (
        _Spec(
            "hallucination_rate",
            "Hallucination rate",
            "answered answers",
            "switch the tenant to verified-only answers and review the documents cited by failing answers",
        ),
        _Spec(
            "abstention_rate",
            "Abstention rate",
            "answers",
            "look at the knowledge-gap report: questions the corpus does not cover",
        ),
        _Spec(
            "refusal_rate",
            "Refusal rate",
            "answers",
            "check whether the guardrails became too strict or an attack wave is under way (refusal reasons)",
        ),
        _Spec(
            "negative_feedback_rate",
            "Negative-feedback rate",
            "feedback events",
            "review the answers with negative feedback and low groundedness scores",
        ),
        _Spec(
            "groundedness",
            "Mean groundedness",
            "answered answers",
            "review the lowest-scoring answers and their retrieved contexts; check recent prompt or model changes",
        ),
        _Spec(
            "top_similarity",
            "Mean retrieval top similarity",
            "retrievals",
            "questions moved away from the corpus: review the knowledge-gap report and recent ingestion",
        ),
        _Spec(
            "question_similarity",
            "Mean question similarity to the reference questions",
            "questions",
            "users ask about something new: see the knowledge-gap report and add documents for the new topics",
        ),
    )
}


@dataclass
class RateSignal:
    name: str
    shift: float
    arl0: float
    reference_size: int
    learned: int = 0
    learned_events: int = 0
    cusum: BernoulliCusum | None = None
    monitored: int = 0
    ewma: float = 0.0
    alarms: int = 0

    def observe(self, event: bool, config: DriftConfig) -> SignalAlert | None:
        cusum = self.cusum
        if cusum is None:
            self.learned += 1
            self.learned_events += event
            if self.learned >= self.reference_size:
                # Rounded so that tenants with the same reference share one cached design; floored and
                # ceiled so that p1 and the log-likelihood ratio stay defined (a reference of 0 refusals).
                p0 = min(max(round(self.learned_events / self.learned, 3), config.rate_floor), config.rate_ceiling)
                self.cusum = BernoulliCusum(bernoulli_chart(p0, self.learned, self.shift, self.arl0))
                self.ewma = p0
            return None
        self.monitored += 1
        self.ewma += config.ewma_weight * (event - self.ewma)
        alarm = cusum.update(event)
        if alarm is None:
            return None
        self.alarms += 1
        chart = cusum.chart
        return _alert(self.name, "rise", chart.p0, chart.p1 - chart.p0, "Bernoulli CUSUM", alarm, self.monitored)

    def state(self) -> SignalState:
        chart = self.cusum.chart if self.cusum else None
        return SignalState(
            self.name,
            "monitoring" if chart else "learning",
            "Bernoulli CUSUM",
            "rise",
            chart.p0 if chart else None,
            self.ewma if chart else None,
            self.cusum.statistic / chart.scale if self.cusum and chart else 0.0,
            chart.h if chart else None,
            self.learned,
            self.reference_size,
            self.monitored,
            self.alarms,
            chart.arl0 if chart else self.arl0,
        )

    def to_json(self) -> JsonDict:
        cusum = self.cusum
        return {
            "learned": self.learned,
            "learned_events": self.learned_events,
            "monitored": self.monitored,
            "ewma": self.ewma,
            "alarms": self.alarms,
            "chart": asdict(cusum.chart) if cusum else None,
            "cusum": [cusum.statistic, cusum.run_length, cusum.run_events] if cusum else None,
        }

    def load(self, data: JsonDict) -> None:
        self.learned, self.learned_events = data["learned"], data["learned_events"]
        self.monitored, self.ewma, self.alarms = data["monitored"], data["ewma"], data["alarms"]
        if data["chart"] is not None:
            statistic, run_length, run_events = data["cusum"]
            self.cusum = BernoulliCusum(BernoulliChart(**data["chart"]), statistic, run_length, run_events)


@dataclass
class MeanSignal:
    name: str
    shift_sd: float
    arl0: float
    reference_size: int
    direction: int = -1  # both score signals watch for a drop
    sample: list[float] = field(default_factory=list)  # the reference being learned
    cusum: MeanCusum | None = None
    monitored: int = 0
    ewma: float = 0.0
    alarms: int = 0

    def observe(self, value: float, config: DriftConfig) -> SignalAlert | None:
        cusum = self.cusum
        if cusum is None:
            if math.isfinite(value):
                self.sample.append(value)
            if len(self.sample) >= self.reference_size:
                chart = mean_chart(
                    self.sample,
                    self.shift_sd,
                    self.arl0,
                    direction=self.direction,
                    min_sd=config.min_sd,
                    clip=config.clip_sd,
                )
                self.cusum, self.sample, self.ewma = MeanCusum(chart), [], chart.mean
            return None
        if not math.isfinite(value):
            return None
        self.monitored += 1
        self.ewma += config.ewma_weight * (value - self.ewma)
        alarm = cusum.update(value)
        if alarm is None:
            return None
        self.alarms += 1
        chart = cusum.chart
        direction = "drop" if chart.direction < 0 else "rise"
        return _alert(self.name, direction, chart.mean, 2 * chart.k * chart.sd, "mean CUSUM", alarm, self.monitored)

    def state(self) -> SignalState:
        chart = self.cusum.chart if self.cusum else None
        return SignalState(
            self.name,
            "monitoring" if chart else "learning",
            "mean CUSUM",
            "drop" if self.direction < 0 else "rise",
            chart.mean if chart else None,
            self.ewma if chart else None,
            self.cusum.statistic if self.cusum else 0.0,
            chart.h if chart else None,
            chart.reference_size if chart else len(self.sample),
            self.reference_size,
            self.monitored,
            self.alarms,
            chart.arl0 if chart else self.arl0,
        )

    def to_json(self) -> JsonDict:
        cusum = self.cusum
        return {
            "sample": list(self.sample),
            "monitored": self.monitored,
            "ewma": self.ewma,
            "alarms": self.alarms,
            "chart": asdict(cusum.chart) if cusum else None,
            "cusum": [cusum.statistic, cusum.run_length, cusum.run_sum] if cusum else None,
        }

    def load(self, data: JsonDict) -> None:
        self.sample = [float(v) for v in data["sample"]]
        self.monitored, self.ewma, self.alarms = data["monitored"], data["ewma"], data["alarms"]
        if data["chart"] is not None:
            statistic, run_length, run_sum = data["cusum"]
            self.cusum = MeanCusum(MeanChart(**data["chart"]), float(statistic), run_length, float(run_sum))


@dataclass
class QuestionShift:
    """Shift of the questions themselves. The first ``centroid_size`` question embeddings give a
    reference centroid; each later question's cosine to it is a score watched like the others (its
    reference distribution learned next, then a mean CUSUM for a drop). One 384-number centroid per
    tenant instead of windows of vectors keeps the state small enough to rewrite on every answer."""

    centroid_size: int
    similarity: MeanSignal
    total: list[float] = field(default_factory=list)  # running sum of the reference questions' vectors
    count: int = 0
    centroid: list[float] | None = None

    @property
    def name(self) -> str:
        return self.similarity.name

    def observe(self, vector: list[float], config: DriftConfig) -> SignalAlert | None:
        if not vector or not all(math.isfinite(v) for v in vector):
            return None
        if self.centroid is None:
            if self.total and len(vector) != len(self.total):
                return None
            self.total = [t + v for t, v in zip(self.total or [0.0] * len(vector), vector, strict=True)]
            self.count += 1
            if self.count >= self.centroid_size:
                norm = math.sqrt(sum(t * t for t in self.total)) or 1.0
                self.centroid, self.total = [t / norm for t in self.total], []
            return None
        if len(vector) != len(self.centroid):
            return None
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return self.similarity.observe(sum(c * v for c, v in zip(self.centroid, vector, strict=True)) / norm, config)

    def state(self) -> SignalState:
        state = self.similarity.state()
        if self.centroid is None:  # still learning the centroid: count it as part of the reference
            needed = self.centroid_size + self.similarity.reference_size
            return SignalState(**{**asdict(state), "reference_count": self.count, "reference_size": needed})
        return state

    def to_json(self) -> JsonDict:
        return {"total": self.total, "count": self.count, "centroid": self.centroid, **self.similarity.to_json()}

    def load(self, data: JsonDict) -> None:
        self.total = [float(v) for v in data["total"]]
        self.count = int(data["count"])
        self.centroid = None if data["centroid"] is None else [float(v) for v in data["centroid"]]
        self.similarity.load(data)


def _alert(
    name: str, direction: str, reference: float, shift: float, test: str, alarm: Alarm, observations: int
) -> SignalAlert:
    spec = _SPECS[name]
    digits = ".1%" if name.endswith("_rate") else ".3f"
    verb, sign = ("rose", "+") if direction == "rise" else ("dropped", "-")
    summary = (
        f"{spec.label} {verb} from {reference:{digits}} (reference) to {alarm.run_mean:{digits}} over the last"
        f" {alarm.run_length} {spec.unit}; {test} alarm for a {sign}{shift:{digits}} shift."
    )
    return SignalAlert(
        signal=name,
        direction=direction,
        reference=reference,
        current=alarm.run_mean,
        current_count=alarm.run_length,
        shift=shift,
        test=test,
        statistic=alarm.statistic,
        threshold=alarm.threshold,
        observations=observations,
        summary=summary,
        suggested_action=spec.action,
    )
