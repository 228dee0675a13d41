"""Per-minute time series of one tenant's numbers over the last ``MINUTES`` minutes.

Memory is fixed per tenant: at most ``MINUTES`` buckets (a ring indexed by minute), and per bucket
at most ``MAX_SERIES_STAGES`` latency histograms of ``len(LATENCY_EDGES_MS) + 1`` counters each
(log-spaced, ×1.25: a percentile is the upper edge of its bin, up to 25% high). Events are bucketed
by the time they occurred; ones older than the window are ignored, ones from the future count in
the current minute.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTES = 180
MINUTE = 60
# A tenant's series keeps the first stages it sees (the query service reports about eight).
MAX_SERIES_STAGES = 16
# Bin upper edges, 1 ms to about 2 minutes, each 1.25 times the one before; one more bin beyond.
LATENCY_EDGES_MS: tuple[float, ...] = tuple(1.25**i for i in range(53))


def _bin(ms: float) -> int:
    if not ms > 1.0:  # also NaN
        return 0
    return min(len(LATENCY_EDGES_MS), math.ceil(math.log(ms) / math.log(1.25)))


def _percentile(counts: array[int], q: float) -> float | None:
    total = sum(counts)
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for i, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return LATENCY_EDGES_MS[min(i, len(LATENCY_EDGES_MS) - 1)]
    return LATENCY_EDGES_MS[-1]  # pragma: no cover (rank <= total)


@dataclass
class Bucket:
    minute: int  # minutes since the epoch
    answers: int = 0
    refusals: int = 0
    abstentions: int = 0
    scored: int = 0
    hallucinated: int = 0
    groundedness_sum: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    drift_alerts: int = 0
    latency: dict[str, array[int]] = field(default_factory=dict)


COUNTERS = (
    "answers", "refusals", "abstentions", "scored", "hallucinated", "input_tokens", "output_tokens", "cost_usd",
    "drift_alerts",
)  # fmt: skip


def current_minute(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // MINUTE)


class TenantSeries:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.buckets: list[Bucket | None] = [None] * MINUTES
        self.stages: set[str] = set()

    def _bucket(self, at: float | None) -> Bucket | None:
        """The bucket of the minute ``at`` falls in; None when that is before the window."""
        latest = current_minute(self.clock())
        minute = latest if not at or at <= 0 else min(latest, int(at // MINUTE))
        if minute <= latest - MINUTES:
            return None
        slot = minute % MINUTES
        bucket = self.buckets[slot]
        if bucket is None or bucket.minute != minute:
            if bucket is not None and bucket.minute > minute:  # pragma: no cover (only after a clock step back)
                return None
            bucket = self.buckets[slot] = Bucket(minute)
        return bucket

    def answer(
        self, at: float | None, status: str, tokens: tuple[int, int], cost: float, stages: dict[str, float]
    ) -> None:
        bucket = self._bucket(at)
        if bucket is None:
            return
        bucket.answers += 1
        bucket.refusals += status == "refused"
        bucket.abstentions += status == "abstained"
        bucket.input_tokens += tokens[0]
        bucket.output_tokens += tokens[1]
        bucket.cost_usd += cost
        for stage, ms in stages.items():
            if stage not in self.stages:
                if len(self.stages) >= MAX_SERIES_STAGES:
                    continue
                self.stages.add(stage)
            counts = bucket.latency.get(stage)
            if counts is None:
                counts = bucket.latency[stage] = array("I", bytes(4 * (len(LATENCY_EDGES_MS) + 1)))
            counts[_bin(ms)] += 1

    def scored(self, at: float | None, groundedness: float, hallucinated: bool) -> None:
        bucket = self._bucket(at)
        if bucket is not None:
            bucket.scored += 1
            bucket.hallucinated += hallucinated
            bucket.groundedness_sum += groundedness if math.isfinite(groundedness) else 0.0

    def drift_alert(self, at: float | None) -> None:
        bucket = self._bucket(at)
        if bucket is not None:
            bucket.drift_alerts += 1

    def window(self, now: float | None = None) -> list[Bucket | None]:
        """The last ``MINUTES`` minutes, oldest first; None for a minute without events."""
        latest = current_minute(self.clock() if now is None else now)
        result: list[Bucket | None] = []
        for minute in range(latest - MINUTES + 1, latest + 1):
            bucket = self.buckets[minute % MINUTES]
            result.append(bucket if bucket is not None and bucket.minute == minute else None)
        return result

    def to_json(self, now: float | None = None) -> dict[str, object]:
        now = self.clock() if now is None else now
        window = self.window(now)
        latest = current_minute(now)
        series: dict[str, object] = {
            "minute_seconds": MINUTE,
            "minutes": [(latest - MINUTES + 1 + i) * MINUTE for i in range(MINUTES)],
        }
        for name in COUNTERS:
            series[name] = [getattr(b, name) if b else 0 for b in window]
        series["hallucination_rate"] = [b.hallucinated / b.scored if b and b.scored else None for b in window]
        series["groundedness_mean"] = [b.groundedness_sum / b.scored if b and b.scored else None for b in window]
        series["latency_ms"] = {
            stage: {
                "p50": [_percentile(b.latency[stage], 0.5) if b and stage in b.latency else None for b in window],
                "p95": [_percentile(b.latency[stage], 0.95) if b and stage in b.latency else None for b in window],
            }
            for stage in sorted(self.stages)
        }
        return series


class DeadLetterSeries:
    """Records that reached a dead-letter topic, per minute and topic family (the topic without
    ``.dlq``). Platform-wide: a dead letter may not name its tenant. Families are bounded by the
    topics telemetry subscribes to; ``max_families`` guards against anything else."""

    def __init__(self, max_families: int = 32) -> None:
        self.max_families = max_families
        self.minutes: list[tuple[int, dict[str, int]] | None] = [None] * MINUTES

    def add(self, topic: str, at: float | None = None, now: float | None = None) -> None:
        family = topic.removesuffix(".dlq")
        latest = current_minute(now)
        minute = latest if not at or at <= 0 else min(latest, int(at // MINUTE))
        if minute <= latest - MINUTES:
            return
        entry = self.minutes[minute % MINUTES]
        if entry is None or entry[0] != minute:
            entry = self.minutes[minute % MINUTES] = (minute, {})
        counts = entry[1]
        if family in counts or len(self.families(now)) < self.max_families:
            counts[family] = counts.get(family, 0) + 1

    def families(self, now: float | None = None) -> set[str]:
        latest = current_minute(now)
        return {
            family for entry in self.minutes if entry is not None and entry[0] > latest - MINUTES for family in entry[1]
        }

    def to_json(self, now: float | None = None) -> dict[str, list[int]]:
        latest = current_minute(now)
        result: dict[str, list[int]] = {family: [0] * MINUTES for family in sorted(self.families(now))}
        for i, minute in enumerate(range(latest - MINUTES + 1, latest + 1)):
            entry = self.minutes[minute % MINUTES]
            if entry is not None and entry[0] == minute:
                for family, count in entry[1].items():
                    result[family][i] = count
        return result
