"""Per-minute series: bucketed by event time, a fixed window, bounded stages and tenants."""

from __future__ import annotations

from llmops_telemetry.domain.aggregates import Aggregates, AnswerRow
from llmops_telemetry.domain.series import MAX_SERIES_STAGES, MINUTE, MINUTES, DeadLetterSeries, TenantSeries

NOW = 1_800_000_000.0  # a whole minute: 30,000,000 minutes since the epoch


def total(series: TenantSeries, name: str) -> float:
    values = series.to_json()[name]
    assert isinstance(values, list)
    return sum(values)


def test_events_land_in_the_minute_they_occurred_and_old_ones_are_ignored() -> None:
    series = TenantSeries(clock=lambda: NOW - 1)
    series.answer(NOW - 1, "answered", (10, 5), 0.01, {"retrieval": 10.0})
    series.answer(NOW - 2, "refused", (1, 0), 0.0, {"retrieval": 30.0})
    series.answer(NOW - 5 * MINUTE, "abstained", (2, 0), 0.0, {})
    series.answer(NOW - MINUTES * MINUTE - 1, "answered", (99, 99), 1.0, {})  # before the window
    series.scored(NOW - 1, 0.8, False)
    series.scored(NOW - 1, 0.2, True)
    series.drift_alert(NOW + 3600)  # the future counts now
    body = series.to_json(now=NOW - 1)
    assert len(body["minutes"]) == MINUTES  # type: ignore[arg-type]
    answers, abstentions = body["answers"], body["abstentions"]
    assert isinstance(answers, list) and isinstance(abstentions, list)
    assert answers[-1] == 2 and answers[-5] == 1 and sum(answers) == 3
    assert abstentions[-5] == 1 and body["refusals"][-1] == 1  # type: ignore[index]
    assert body["input_tokens"][-1] == 11 and sum(body["input_tokens"]) == 13  # type: ignore[index, call-overload]
    assert body["hallucination_rate"][-1] == 0.5 and body["hallucination_rate"][-2] is None  # type: ignore[index]
    assert body["groundedness_mean"][-1] == 0.5  # type: ignore[index]
    assert body["drift_alerts"][-1] == 1  # type: ignore[index]
    latency = body["latency_ms"]["retrieval"]  # type: ignore[index]
    assert 8 <= latency["p50"][-1] <= 12.5 and 30 <= latency["p95"][-1] <= 37.5


def test_the_window_moves_and_old_buckets_are_reused() -> None:
    clock = [NOW - 1]
    series = TenantSeries(clock=lambda: clock[0])
    series.answer(NOW - 1, "answered", (0, 0), 0.0, {})
    clock[0] = later = NOW + MINUTES * MINUTE  # same slot of the ring, three hours on
    assert total(series, "answers") == 0
    series.answer(later, "answered", (0, 0), 0.0, {})
    series.answer(NOW - 1, "answered", (0, 0), 0.0, {})  # before the window now
    assert total(series, "answers") == 1
    assert len([b for b in series.buckets if b is not None]) <= MINUTES


def test_stages_are_bounded() -> None:
    series = TenantSeries()
    series.answer(NOW, "answered", (0, 0), 0.0, {f"s{i}": 1.0 for i in range(MAX_SERIES_STAGES * 2)})
    assert len(series.stages) == MAX_SERIES_STAGES
    assert len(series.to_json()["latency_ms"]) == MAX_SERIES_STAGES  # type: ignore[arg-type]


def test_series_are_kept_for_a_bounded_number_of_tenants_and_never_made_by_a_read() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=10, series_tenants=2)
    assert aggregates.series("acme") is None and not aggregates.tenants
    for tenant in ("a", "b", "c"):
        aggregates.answer(tenant, AnswerRow(f"{tenant}-1", 0.0, "q", "answered", ""), (1, 1), 0.0, {})
    assert aggregates.series("a") is None and aggregates.series("c") is not None
    aggregates.drift_alert("b")
    aggregates.scored("b", "b-1", 0.9, False)
    b = aggregates.series("b")
    assert b is not None and total(b, "drift_alerts") == 1
    assert total(b, "scored") == 1
    assert not aggregates.scored("b", "b-1", 0.9, False)  # a re-delivery counts once, series included
    assert total(b, "scored") == 1


def test_a_dropped_tenant_drops_its_series() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=1)
    aggregates.answer("a", AnswerRow("a-1", 0.0, "q", "answered", ""), (1, 1), 0.0, {})
    aggregates.answer("b", AnswerRow("b-1", 0.0, "q", "answered", ""), (1, 1), 0.0, {})
    assert aggregates.series("a") is None and aggregates.series("b") is not None


def test_dead_letters_per_topic_family_are_bounded() -> None:
    dead = DeadLetterSeries(max_families=2)
    dead.add("answers.dlq", now=NOW)
    dead.add("answers.dlq", now=NOW)
    dead.add("docs.sources.dlq", now=NOW)
    dead.add("feedback.dlq", now=NOW)  # a third family: over the limit
    body = dead.to_json(now=NOW)
    assert set(body) == {"answers", "docs.sources"}
    assert body["answers"][-1] == 2 and len(body["answers"]) == MINUTES
