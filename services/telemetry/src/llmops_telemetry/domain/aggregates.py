"""Dashboard numbers folded from the event stream, per tenant, in memory.

Every replica of the telemetry service reads every topic in its own consumer group and
derives the same numbers; a restart re-reads the topics from the earliest offset.

Memory is bounded: only tenants that events name get an entry (a read never creates one), at most
``max_tenants`` of them (the least recently active is dropped first), and per tenant a fixed set
of ratings and at most ``MAX_STAGES`` latency stages. Per-minute series (domain/series.py) are kept
for at most ``series_tenants`` tenants, the most recently active; dead letters for the platform.
"""

from __future__ import annotations

import statistics
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass, field

from llmops_core.validation import is_tenant_id
from llmops_telemetry.domain.series import DeadLetterSeries, TenantSeries

RATINGS = (-1, 0, 1)
# The query service reports about eight stages; more can only come from a malformed event.
MAX_STAGES = 32
MAX_ROUTES = 64


@dataclass
class AnswerRow:
    answer_id: str
    occurred_at: float
    question: str
    status: str
    trace_id: str
    groundedness: float | None = None
    hallucinated: bool | None = None
    prompt: str = ""  # name@vN of the prompt that wrote the draft ("" when no model answered)
    cache_hit: bool = False
    route: str = ""  # the model route whose draft was kept ("" for extractive, refused, abstained)


@dataclass
class TenantAggregates:
    answers: int = 0
    refusals: int = 0
    abstentions: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    scored: int = 0
    hallucinated: int = 0
    drift_alerts: int = 0
    cache_hits: int = 0
    feedback: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    latencies_ms: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(lambda: deque(maxlen=1000)))
    recent: dict[str, AnswerRow] = field(default_factory=dict)
    # (prompt, route) -> [answers, cost in USD, input tokens, output tokens]; at most MAX_ROUTES keys.
    by_prompt_route: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    @property
    def hallucination_rate(self) -> float:
        return self.hallucinated / self.scored if self.scored else 0.0

    def latency_percentiles(self) -> dict[str, tuple[float, float]]:
        result = {}
        for stage, values in self.latencies_ms.items():
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            result[stage] = (statistics.median(ordered), p95)
        return result


class Aggregates:
    def __init__(self, recent_answers: int, max_tenants: int, series_tenants: int = 100) -> None:
        self.recent_answers = recent_answers
        self.max_tenants = max_tenants
        self.series_tenants = min(series_tenants, max_tenants)
        self.tenants: OrderedDict[str, TenantAggregates] = OrderedDict()  # least recently active first
        self._series: OrderedDict[str, TenantSeries] = OrderedDict()  # least recently active first
        self.dead_letters = DeadLetterSeries()

    def series(self, tenant: str) -> TenantSeries | None:
        """The tenant's per-minute series, or None when none is kept for it (never made by a read)."""
        return self._series.get(tenant)

    def _series_of(self, tenant: str) -> TenantSeries:
        s = self._series.get(tenant)
        if s is None:
            s = self._series[tenant] = TenantSeries()
            while len(self._series) > self.series_tenants:
                self._series.popitem(last=False)
        else:
            self._series.move_to_end(tenant)
        return s

    def find(self, tenant: str) -> TenantAggregates | None:
        """The tenant's numbers, or None when no event named it (or it was dropped as least active)."""
        return self.tenants.get(tenant)

    def _active(self, tenant: str) -> TenantAggregates | None:
        """The entry an event for ``tenant`` updates, made if need be; None for an id no API accepts."""
        if not is_tenant_id(tenant):
            return None
        t = self.tenants.get(tenant)
        if t is None:
            t = self.tenants[tenant] = TenantAggregates()
            while len(self.tenants) > self.max_tenants:
                dropped, _ = self.tenants.popitem(last=False)
                self._series.pop(dropped, None)
        else:
            self.tenants.move_to_end(tenant)
        return t

    def answer(
        self, tenant: str, row: AnswerRow, tokens: tuple[int, int], cost: float, stages: dict[str, float]
    ) -> bool:
        """Records an answer; False when it was already recorded (a re-delivery) or names no tenant."""
        t = self._active(tenant)
        if t is None or row.answer_id in t.recent:  # at-least-once delivery: count each answer once
            return False
        t.answers += 1
        t.refusals += row.status == "refused"
        t.abstentions += row.status == "abstained"
        t.input_tokens += tokens[0]
        t.output_tokens += tokens[1]
        t.cost_usd += cost
        t.cache_hits += row.cache_hit
        key = (row.prompt, row.route)
        if key not in t.by_prompt_route and len(t.by_prompt_route) >= MAX_ROUTES:
            key = ("other", "other")  # configuration names are few; more can only come from bad events
        totals = t.by_prompt_route.setdefault(key, [0, 0.0, 0, 0])
        totals[0] += 1
        totals[1] += cost
        totals[2] += tokens[0]
        totals[3] += tokens[1]
        for stage, ms in stages.items():
            if stage in t.latencies_ms or len(t.latencies_ms) < MAX_STAGES:
                t.latencies_ms[stage].append(ms)
        t.recent[row.answer_id] = row
        while len(t.recent) > self.recent_answers:
            t.recent.pop(next(iter(t.recent)))
        self._series_of(tenant).answer(row.occurred_at, row.status, tokens, cost, stages)
        return True

    def scored(
        self, tenant: str, answer_id: str, groundedness: float, hallucinated: bool, at: float | None = None
    ) -> bool:
        """Records a score; False when this answer was already scored (a re-delivery) or names no tenant."""
        t = self._active(tenant)
        if t is None:
            return False
        row = t.recent.get(answer_id)
        if row is not None and row.groundedness is not None:
            return False
        t.scored += 1
        t.hallucinated += hallucinated
        if row is not None:
            row.groundedness, row.hallucinated = groundedness, hallucinated
        self._series_of(tenant).scored(at, groundedness, hallucinated)
        return True

    def drift_alert(self, tenant: str, at: float | None = None) -> bool:
        t = self._active(tenant)
        if t is not None:
            t.drift_alerts += 1
            self._series_of(tenant).drift_alert(at)
        return t is not None

    def dead_letter(self, topic: str, at: float | None = None) -> None:
        self.dead_letters.add(topic, at)

    def feedback(self, tenant: str, rating: int) -> bool:
        t = self._active(tenant) if rating in RATINGS else None
        if t is None:
            return False
        t.feedback[rating] += 1
        return True

    def newest_answers(self, tenant: str) -> list[AnswerRow] | None:
        t = self.tenants.get(tenant)
        return None if t is None else sorted(t.recent.values(), key=lambda r: r.occurred_at, reverse=True)


def unknown_tenant(tenant: str) -> str:
    return (
        f"Telemetry has no numbers for tenant {tenant!r}: no event has named it since the service started "
        "(or it was the least active beyond the tenants kept)."
    )
