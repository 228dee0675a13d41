"""TenantDrift: which answers feed which signal, learning then monitoring, reset, alerts, JSON round trip."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

import pytest

from llmops_evaluation.domain.tenant_drift import DriftConfig, SignalAlert, TenantDrift

# Small references keep the tests fast; the thresholds adapt to the reference size (a higher h).
CONFIG = DriftConfig(rate_reference_size=200, feedback_reference_size=100, score_reference_size=100)


def states(drift: TenantDrift) -> dict[str, dict[str, object]]:
    return {s.signal: asdict(s) for s in drift.state()}


def answer(
    drift: TenantDrift, rng: random.Random, hallucination: float = 0.1, abstain: float = 0.15
) -> list[SignalAlert]:
    draw = rng.random()
    if draw < abstain:
        return drift.observe_answer("abstained", None, None, rng.gauss(0.45, 0.08))
    if draw < abstain + 0.03:
        return drift.observe_answer("refused", None, None, None)
    hallucinated = rng.random() < hallucination
    grounded = rng.betavariate(4, 4) if hallucinated else rng.betavariate(8, 2)
    return drift.observe_answer("answered", grounded, hallucinated, rng.gauss(0.62, 0.08))


def test_each_signal_learns_its_reference_then_monitors() -> None:
    drift = TenantDrift(CONFIG)
    for _ in range(199):
        drift.observe_answer("answered", 0.9, False, 0.7)
    before = states(drift)
    assert before["hallucination_rate"]["phase"] == "learning"
    assert before["hallucination_rate"]["reference_count"] == 199
    assert before["groundedness"]["phase"] == "monitoring"  # 100 scores are its reference
    assert before["groundedness"]["reference"] == pytest.approx(0.9)
    drift.observe_answer("answered", 0.9, True, 0.7)
    after = states(drift)
    assert after["hallucination_rate"]["phase"] == after["abstention_rate"]["phase"] == "monitoring"
    assert after["hallucination_rate"]["reference"] == 0.01  # 1/200 = 0.005, floored so h stays defined
    assert after["negative_feedback_rate"]["phase"] == "learning"
    assert after["negative_feedback_rate"]["reference_count"] == 0
    json.dumps([asdict(s) for s in drift.state()])  # the state is JSON as it is


def test_refusals_and_abstentions_do_not_feed_hallucination_or_groundedness() -> None:
    drift = TenantDrift(CONFIG)
    for i in range(600):
        drift.observe_answer("refused" if i % 3 == 0 else "abstained", 0.0, True, 0.2 + i % 7 / 100)
    now = states(drift)
    assert now["hallucination_rate"]["reference_count"] == 0
    assert now["groundedness"]["reference_count"] == 0
    # Similarity: the 400 abstained answers count (100 learned, 300 monitored), the 200 refusals do not.
    assert (now["top_similarity"]["reference_count"], now["top_similarity"]["observations"]) == (100, 300)
    assert now["refusal_rate"]["reference"] == pytest.approx(0.335)  # 67 of the first 200 answers
    assert now["abstention_rate"]["observations"] == 400
    with pytest.raises(ValueError, match="answer status"):
        drift.observe_answer("timeout", None, None, None)


def test_hallucination_rise_alerts_with_reference_current_and_action() -> None:
    rng = random.Random(8)
    drift = TenantDrift(CONFIG)
    quiet = [a for _ in range(1500) for a in answer(drift, rng)]
    assert quiet == []
    alerts = [a for _ in range(600) for a in answer(drift, rng, hallucination=0.5)]
    rises = [a for a in alerts if a.signal == "hallucination_rate"]
    assert rises, "a jump from 10% to 50% must alert"
    alert = rises[0]
    assert (alert.direction, alert.test) == ("rise", "Bernoulli CUSUM") and alert.shift == pytest.approx(0.1)
    assert alert.statistic >= alert.threshold and alert.current > alert.reference + 0.15
    assert alert.observations > 1000 and alert.current_count >= 1
    assert alert.summary.startswith("Hallucination rate rose from") and "verified-only" in alert.suggested_action
    assert "groundedness" in {a.signal for a in alerts}  # hallucinated answers score lower: a drop too
    assert all(a.direction == "drop" for a in alerts if a.signal == "groundedness")
    assert not [a for a in alerts if a.signal in ("abstention_rate", "refusal_rate", "negative_feedback_rate")]


def test_feedback_and_answer_signals_are_separate() -> None:
    drift = TenantDrift(CONFIG)
    rng = random.Random(4)
    for _ in range(300):
        drift.observe_feedback(rng.random() < 0.2)
    assert states(drift)["hallucination_rate"]["reference_count"] == 0
    alerts = [a for _ in range(200) for a in drift.observe_feedback(rng.random() < 0.8)]
    assert alerts and {a.signal for a in alerts} == {"negative_feedback_rate"}
    assert "negative feedback" in alerts[0].suggested_action
    for _ in range(50):
        drift.observe_answer("answered", 0.9, False, 0.7)
    assert states(drift)["negative_feedback_rate"]["observations"] == 400  # answers never count here


def test_reset_relearns_every_reference() -> None:
    rng = random.Random(6)
    drift = TenantDrift(CONFIG)
    for _ in range(400):
        answer(drift, rng, abstain=0.1)
    no_feed = {"negative_feedback_rate", "question_similarity"}  # no feedback, no question vectors here
    assert all(s.phase == "monitoring" for s in drift.state() if s.signal not in no_feed)
    drift.reset()
    assert all(s.phase == "learning" and s.reference_count == 0 for s in drift.state())
    # The operator accepted a new normal: 40% abstentions become the reference, and no alert follows.
    alerts = [a for _ in range(1500) for a in answer(drift, rng, abstain=0.4)]
    assert not [a for a in alerts if a.signal == "abstention_rate"]
    assert states(drift)["abstention_rate"]["reference"] == pytest.approx(0.4, abs=0.06)


def test_json_round_trip_keeps_observing_as_if_uninterrupted() -> None:
    def run(splits: set[int]) -> tuple[list[SignalAlert], TenantDrift]:
        rng = random.Random(21)
        drift, alerts = TenantDrift(CONFIG), []
        for i in range(2400):
            if i in splits:
                drift = TenantDrift.from_json(json.loads(json.dumps(drift.to_json())), CONFIG)
            rate = 0.1 if i < 1200 else 0.45
            alerts += answer(drift, rng, hallucination=rate)
            if i % 10 == 0:
                alerts += drift.observe_feedback(rng.random() < (0.2 if i < 1500 else 0.7))
        return alerts, drift

    # Splits while every signal learns, mid-way through a reference, while monitoring, mid-alarm run.
    plain, plain_drift = run(set())
    restored, restored_drift = run({50, 150, 700, 1250, 1300, 2000})
    assert plain, "the stream must alert for the comparison to mean anything"
    assert restored == plain
    assert restored_drift.to_json() == plain_drift.to_json()
    with pytest.raises(ValueError, match="version"):
        TenantDrift.from_json({"version": 99, "signals": {}}, CONFIG)


@pytest.mark.parametrize(
    "bad",
    [{"rate_reference_size": 1}, {"refusal_shift": 0.0}, {"arl0": 1}, {"rate_floor": 0.0}, {"rate_ceiling": 1.0}],
)
def test_config_refuses_values_that_leave_a_chart_undefined(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        DriftConfig(**bad)  # type: ignore[arg-type]


def question(rng: random.Random, topic: int, dimensions: int = 16) -> list[float]:
    """A question embedding: one topic direction plus noise."""
    return [(1.0 if i == topic else 0.0) + rng.gauss(0, 0.25) for i in range(dimensions)]


def test_questions_on_a_new_topic_alert_a_question_similarity_drop() -> None:
    rng, drift = random.Random(3), TenantDrift(CONFIG)
    topics = [0, 1, 2]
    for _ in range(200):  # the centroid, then the reference similarities
        assert drift.observe_question(question(rng, rng.choice(topics))) == []
    learned = states(drift)["question_similarity"]
    assert learned["phase"] == "monitoring" and learned["reference_count"] == 100
    for _ in range(300):  # the same mix: no alarm
        assert drift.observe_question(question(rng, rng.choice(topics))) == []
    alerts: list[SignalAlert] = []
    for _ in range(200):  # users now ask about something else
        alerts += drift.observe_question(question(rng, 7))
    assert alerts and alerts[0].signal == "question_similarity" and alerts[0].direction == "drop"
    assert alerts[0].current < alerts[0].reference
    restored = TenantDrift.from_json(json.loads(json.dumps(drift.to_json())), CONFIG)
    assert restored.to_json() == drift.to_json()


def test_a_state_saved_before_the_question_signal_still_loads() -> None:
    data = TenantDrift(CONFIG).to_json()
    del data["signals"]["question_similarity"]
    assert states(TenantDrift.from_json(data, CONFIG))["question_similarity"]["phase"] == "learning"
