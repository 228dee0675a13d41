"""Dashboard numbers folded from the event stream, per tenant, in memory.

Every replica of the telemetry service reads every topic in its own consumer group and
derives the same numbers; a restart re-reads the topics from the earliest offset.
"""

from __future__ import annotations

import statistics
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class AnswerRow:
    answer_id: str
    occurred_at: float
    question: str
    status: str
    trace_id: str
    groundedness: float | None = None
    hallucinated: bool | None = None


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
    feedback: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    latencies_ms: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(lambda: deque(maxlen=1000)))
    recent: dict[str, AnswerRow] = field(default_factory=dict)

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
    def __init__(self, recent_answers: int) -> None:
        self.recent_answers = recent_answers
        self.tenants: dict[str, TenantAggregates] = defaultdict(TenantAggregates)

    def answer(
        self, tenant: str, row: AnswerRow, tokens: tuple[int, int], cost: float, stages: dict[str, float]
    ) -> bool:
        """Records an answer; False when it was already recorded (a re-delivery)."""
        t = self.tenants[tenant]
        if row.answer_id in t.recent:  # at-least-once delivery: count each answer once
            return False
        t.answers += 1
        t.refusals += row.status == "refused"
        t.abstentions += row.status == "abstained"
        t.input_tokens += tokens[0]
        t.output_tokens += tokens[1]
        t.cost_usd += cost
        for stage, ms in stages.items():
            t.latencies_ms[stage].append(ms)
        t.recent[row.answer_id] = row
        while len(t.recent) > self.recent_answers:
            t.recent.pop(next(iter(t.recent)))
        return True

    def scored(self, tenant: str, answer_id: str, groundedness: float, hallucinated: bool) -> bool:
        """Records a score; False when this answer was already scored (a re-delivery)."""
        t = self.tenants[tenant]
        row = t.recent.get(answer_id)
        if row is not None and row.groundedness is not None:
            return False
        t.scored += 1
        t.hallucinated += hallucinated
        if row is not None:
            row.groundedness, row.hallucinated = groundedness, hallucinated
        return True

    def newest_answers(self, tenant: str) -> list[AnswerRow]:
        return sorted(self.tenants[tenant].recent.values(), key=lambda r: r.occurred_at, reverse=True)
