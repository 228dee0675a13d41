"""Prometheus metrics of the platform, in a registry of our own, with a bounded set of label values."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Not a valid tenant id or stage name, so it cannot be mistaken for one.
OTHER = "(other)"


class BoundedLabels:
    """The first ``limit`` distinct accepted values keep their own label value; the rest share ``OTHER``.

    Every label value is a time series for as long as the process runs, so values that come from
    data (tenant ids) must be bounded. A value keeps its label once given: moving it to ``OTHER``
    later would make its counters jump.
    """

    def __init__(self, limit: int, accept: Callable[[str], bool] = bool) -> None:
        self.limit = limit
        self.accept = accept
        self.kept: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self.kept:
            return value
        if len(self.kept) < self.limit and self.accept(value):
            self.kept.add(value)
            return value
        return OTHER


REGISTRY = CollectorRegistry()
ANSWERS = Counter("llmops_answers", "Answers by status", ["tenant", "status"], registry=REGISTRY)
CACHE_HITS = Counter("llmops_cache_hits", "Answers served from the semantic cache", ["tenant"], registry=REGISTRY)
STAGE_LATENCY = Histogram(
    "llmops_stage_latency_seconds", "Ask latency per stage", ["stage"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip
TOKENS = Counter("llmops_tokens", "Model tokens", ["tenant", "type"], registry=REGISTRY)
COST = Counter("llmops_cost_usd", "Model cost in USD", ["tenant"], registry=REGISTRY)
SCORED = Counter("llmops_answers_scored", "Scored answers", ["tenant", "hallucinated"], registry=REGISTRY)
HALLUCINATION_RATE = Gauge(
    "llmops_hallucination_rate", "Share of scored answers flagged", ["tenant"], registry=REGISTRY
)
DRIFT_ALERTS = Counter("llmops_drift_alerts", "Drift alerts", ["tenant"], registry=REGISTRY)
FEEDBACK = Counter("llmops_feedback", "Feedback by rating", ["tenant", "rating"], registry=REGISTRY)
CHUNKS = Counter("llmops_chunks_published", "Chunks published by ingestion", ["tenant"], registry=REGISTRY)
DEAD_LETTERS = Counter("llmops_dead_letters", "Records that reached a DLQ", ["topic"], registry=REGISTRY)
