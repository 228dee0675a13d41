"""The drift loop's use cases with an in-memory store: each event counted once, alerts published
from the outbox (also after a failed publish), actions per the tenant's policy, operator reset."""

from __future__ import annotations

import asyncio
import random

import pytest

from llmops_evaluation.domain.alerts import RaisedAlert
from llmops_evaluation.domain.drift_policy import parse_drift_policies
from llmops_evaluation.domain.tenant_drift import DriftConfig
from llmops_evaluation.drift_use_cases import DriftLoop, ScoredAnswer
from tests.unit.evaluation.fakes import Hook, MemoryStore, Publisher, Review

CONFIG = DriftConfig(
    rate_reference_size=200, score_reference_size=200, feedback_reference_size=50,
    hallucination_arl0=2000, feedback_arl0=2000, arl0=20_000,
)  # fmt: skip
POLICIES = parse_drift_policies(
    {
        "policies": {
            "default": {"on_alert": {"hallucination_rate": ["strict_mode", "review_documents", "webhook"]}},
            "hooked": {"webhook_url": "http://127.0.0.1:9/hook"},
        }
    }
)


def loop() -> tuple[DriftLoop, MemoryStore, Publisher, Hook]:
    store, publisher, hook = MemoryStore(), Publisher(), Hook()
    return DriftLoop(store, publisher, CONFIG, POLICIES, Review(), hook), store, publisher, hook


def stream(tenant: str, count: int, rate: float, seed: int, start: int = 0) -> list[ScoredAnswer]:
    rng = random.Random(seed)
    answers = []
    for i in range(start, start + count):
        hallucinated = rng.random() < rate
        answers.append(
            ScoredAnswer(tenant, f"{tenant}-{i}", "answered", 0.4 if hallucinated else 0.95, hallucinated, 0.7)
        )
    return answers


async def feed(drift: DriftLoop, answers: list[ScoredAnswer]) -> list[RaisedAlert]:
    raised = []
    for answer in answers:
        raised += await drift.observe_answer(answer)
    return raised


def test_a_redelivered_answer_is_counted_once() -> None:
    drift, store, _, _ = loop()
    answers = stream("acme", 30, 0.1, seed=1)

    async def run() -> None:
        await feed(drift, answers)
        once = store.states["acme"]
        await feed(drift, answers[-10:])  # the last ten again, as after a rebalance
        assert store.states["acme"] == once

    asyncio.run(run())


def test_a_hallucination_rise_alerts_with_evidence_and_the_policy_actions() -> None:
    drift, _, publisher, hook = loop()
    raised = asyncio.run(feed(drift, stream("acme", 400, 0.05, seed=2) + stream("acme", 400, 0.35, seed=3, start=400)))
    assert [a.signal for a in raised][:1] == ["hallucination_rate"]
    first = raised[0]
    assert first.current > first.reference and first.shift == pytest.approx(first.current - first.reference)
    assert 1 <= len(first.evidence) <= 5 and all(e.startswith("acme-") for e in first.evidence)
    assert "hallucination" in first.summary.lower() and first.suggested_action
    kinds = [a.kind for a in publisher.actions if a.alert_id == first.alert_id]
    assert kinds == ["strict_mode_on", "documents_marked_for_review"]  # no webhook URL for acme
    assert publisher.actions[1].document_ids == [f"doc-of-{first.evidence[-1]}"]
    assert hook.calls == []


def test_the_webhook_is_called_where_the_tenant_gave_a_url() -> None:
    drift, _, publisher, hook = loop()
    asyncio.run(feed(drift, stream("hooked", 400, 0.05, seed=2) + stream("hooked", 400, 0.35, seed=3, start=400)))
    assert hook.calls and hook.calls[0] == "http://127.0.0.1:9/hook"
    assert "webhook_called" in [a.kind for a in publisher.actions]


def test_an_alert_whose_publish_failed_goes_out_with_the_next_event() -> None:
    drift, store, publisher, _ = loop()
    answers = stream("acme", 400, 0.05, seed=2) + stream("acme", 400, 0.35, seed=3, start=400)

    async def run() -> None:
        for answer in answers:
            before = len(store.alerts)
            publisher.fail_next = True
            try:
                await drift.observe_answer(answer)
                publisher.fail_next = False
            except ConnectionError:
                assert len(store.alerts) == before + 1  # committed, not published
                assert await store.unpublished("acme")
                await drift.observe_answer(ScoredAnswer("acme", "next", "answered", 0.9, False, 0.7))
                return
        raise AssertionError("no alert was raised")

    asyncio.run(run())
    assert len(publisher.alerts) == 1 and not asyncio.run(store.unpublished("acme"))


def test_reset_clears_alerts_turns_strict_mode_off_and_can_relearn() -> None:
    drift, _, publisher, _ = loop()

    async def run() -> None:
        await feed(drift, stream("acme", 400, 0.05, seed=2) + stream("acme", 400, 0.35, seed=3, start=400))
        view = await drift.view("acme")
        assert view is not None and view.open_alerts
        cleared = await drift.reset("acme", relearn=True)
        assert cleared.open_alerts == [] and {s.phase for s in cleared.detector.state()} == {"learning"}
        assert publisher.actions[-1].kind == "strict_mode_off"
        again = await drift.view("acme")
        assert again is not None and again.open_alerts == []

    asyncio.run(run())


def test_refusals_and_feedback_feed_only_their_own_signals() -> None:
    drift, store, _, _ = loop()

    async def run() -> None:
        await drift.observe_answer(ScoredAnswer("acme", "r1", "refused", 1.0, False, None))
        await drift.observe_feedback("acme", "f1", "a1", -1)
        await drift.observe_feedback("acme", "f1", "a1", -1)  # redelivered

    asyncio.run(run())
    view = asyncio.run(drift.view("acme"))
    assert view is not None
    counts = {s.signal: s.reference_count for s in view.detector.state()}
    assert counts["hallucination_rate"] == 0 and counts["refusal_rate"] == 1
    assert counts["negative_feedback_rate"] == 1
    assert store.states["acme"].evidence == {
        "question_similarity": ["r1"],
        "refusal_rate": ["r1"],
        "negative_feedback_rate": ["a1"],
    }
