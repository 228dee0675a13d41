"""The drift loop against real Kafka and PostgreSQL: state that survives and scales.

One evaluation replica and two replicas in one consumer group read the same `answers.scored`
stream (three tenants, every event delivered twice, a hallucination rise for two of them) into
fresh schemas: they must count the same answers and raise the same alerts. Feedback joins the
answer's score for review.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

from faststream.kafka import KafkaBroker

from llmops.evaluation.v1.evaluation_pb2 import AnswerScore
from llmops.evaluation.v1.events_pb2 import AnswerScored
from llmops.query.v1.events_pb2 import FeedbackGiven
from llmops.query.v1.query_pb2 import ANSWER_STATUS_ANSWERED
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import KafkaSettings, PostgresSettings
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, DRIFT_ACTIONS, DRIFT_ALERTS, FEEDBACK
from llmops_evaluation.adapters.drift_store import PostgresDriftStore
from llmops_evaluation.adapters.feedback_store import PostgresFeedbackStore
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.bootstrap import MIGRATIONS
from llmops_evaluation.domain.drift_policy import parse_drift_policies
from llmops_evaluation.domain.groundedness import Groundedness
from llmops_evaluation.domain.tenant_drift import DriftConfig
from llmops_evaluation.drift_use_cases import DriftLoop
from llmops_evaluation.entrypoints import subscribers
from llmops_evaluation.settings import EvaluationSettings
from tests.integration.kafka_helpers import wait_until
from tests.unit.evaluation.fakes import Hook, Publisher, Review
from tests.unit.grounding.fakes import WordOverlapEmbedder

CONFIG = DriftConfig(
    rate_reference_size=200, score_reference_size=200, feedback_reference_size=50,
    hallucination_arl0=2000, feedback_arl0=2000, arl0=20_000,
)  # fmt: skip
POLICIES = parse_drift_policies({"policies": {"default": {"on_alert": {"hallucination_rate": ["strict_mode"]}}}})


def scored(tenant: str, index: int, hallucinated: bool) -> AnswerScored:
    score = AnswerScore(
        answer_id=f"{tenant}-{index}", groundedness=0.4 if hallucinated else 0.95, hallucinated=hallucinated
    )
    event = AnswerScored(envelope=new_envelope(tenant, "tests"), score=score, status=ANSWER_STATUS_ANSWERED)
    event.top_similarity = 0.7
    return event


def stream(tenants: list[str]) -> list[AnswerScored]:
    """Per tenant 300 answers at 5% hallucinated, then (for all but the last tenant) 300 at 35%."""
    rng = random.Random(7)
    events = []
    for position, tenant in enumerate(tenants):
        rates = [0.05] * 300 + ([0.35] * 300 if position < len(tenants) - 1 else [0.05] * 300)
        events += [scored(tenant, i, rng.random() < rate) for i, rate in enumerate(rates)]
    return events


async def run_replicas(
    replicas: int, kafka: KafkaSettings, postgres: PostgresSettings, schema: str, tenants: list[str], expected: int
) -> dict[str, Any]:
    pool = await open_pool(postgres)
    await migrate(pool, schema, MIGRATIONS)
    store = PostgresDriftStore(pool, schema)
    settings = EvaluationSettings(kafka=kafka, consumer_group=f"eval-{schema}")
    brokers: list[KafkaBroker] = []
    for _ in range(replicas):
        broker = build_broker(kafka, client_id=f"test-{schema}", logger=None)
        loop = DriftLoop(store, Publisher(), CONFIG, POLICIES, Review(), Hook())
        subscribers.register(
            broker,
            WordOverlapEmbedder(),
            PostgresScoreStore(pool, schema),
            PostgresFeedbackStore(pool, schema),
            loop,
            settings,
        )
        brokers.append(broker)
    try:
        for broker in brokers:
            await broker.start()

        async def counted() -> int:
            async with pool.connection() as connection:
                cursor = await connection.execute(
                    f"SELECT count(*) FROM {schema}.drift_events WHERE tenant_id = ANY(%s)", (tenants,)
                )
                row = await cursor.fetchone()
                return int(row[0]) if row else 0

        seen: list[int] = [0]

        async def poll() -> None:
            seen.append(await counted())

        for _ in range(600):
            await poll()
            if seen[-1] >= expected:
                break
            await asyncio.sleep(0.2)
        await wait_until(lambda: seen[-1] == expected, timeout=1, what=f"{expected} answers counted once")
        async with pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT tenant_id, signal, alert->>'observations' FROM {schema}.drift_alerts ORDER BY 1, 2, 3"
            )
            alerts = [tuple(r) for r in await cursor.fetchall()]
        states = {t: await store.load(t) for t in tenants}
        return {"alerts": alerts, "states": {t: s.detector if s else None for t, s in states.items()}}
    finally:
        for broker in brokers:
            await broker.stop()
        await pool.close()


def test_two_replicas_count_once_and_raise_the_same_alerts_as_one(
    kafka_settings: KafkaSettings, postgres_settings: PostgresSettings
) -> None:
    run_id = uuid.uuid4().hex[:8]
    tenants = [f"drift{run_id}{n}" for n in range(3)]
    events = stream(tenants)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        await ensure_topics(kafka_settings, [ANSWERS, ANSWERS_SCORED, FEEDBACK, DRIFT_ALERTS, DRIFT_ACTIONS])
        broker = build_broker(kafka_settings, client_id="test-drift-producer", logger=None)
        async with broker:
            await broker.connect()
            publisher = EventPublisher(broker)
            for event in events:
                for _ in range(2):  # at-least-once: every event twice, as after a rebalance
                    await publisher.publish(ANSWERS_SCORED, event.envelope.tenant_id, event)
        one = await run_replicas(1, kafka_settings, postgres_settings, f"eval1_{run_id}", tenants, len(events))
        two = await run_replicas(2, kafka_settings, postgres_settings, f"eval2_{run_id}", tenants, len(events))
        return one, two

    one, two = asyncio.run(scenario())
    raised = {tenant for tenant, signal, _ in one["alerts"] if signal == "hallucination_rate"}
    assert raised == set(tenants[:2])  # the two with a rise, not the steady one
    assert one == two


def test_feedback_joins_the_score_and_lists_answers_to_review(
    kafka_settings: KafkaSettings, postgres_settings: PostgresSettings
) -> None:
    run_id = uuid.uuid4().hex[:8]
    tenant, schema = f"fb{run_id}", f"evalfb_{run_id}"

    async def scenario() -> list[tuple[str, float | None]]:
        pool = await open_pool(postgres_settings)
        await migrate(pool, schema, MIGRATIONS)
        scores, feedback = PostgresScoreStore(pool, schema), PostgresFeedbackStore(pool, schema)
        await scores.save(tenant, "low", Groundedness(0.2, True, []), "", ["returns.md"])
        await scores.save(tenant, "high", Groundedness(0.9, False, []), "", ["shipping.md"])
        settings = EvaluationSettings(kafka=kafka_settings, consumer_group=f"eval-{schema}")
        loop = DriftLoop(PostgresDriftStore(pool, schema), Publisher(), CONFIG, POLICIES, Review(), Hook())
        broker = build_broker(kafka_settings, client_id="test-feedback", logger=None)
        subscribers.register(broker, WordOverlapEmbedder(), scores, feedback, loop, settings)
        await ensure_topics(kafka_settings, [FEEDBACK])
        try:
            async with broker:
                await broker.start()
                publisher = EventPublisher(broker)
                for feedback_id, answer_id, rating in [("f1", "high", -1), ("f2", "low", -1), ("f3", "x", 1)]:
                    given = FeedbackGiven(
                        envelope=new_envelope(tenant, "tests"),
                        feedback_id=feedback_id,
                        answer_id=answer_id,
                        rating=rating,
                    )
                    for _ in range(2):
                        await publisher.publish(FEEDBACK, answer_id, given)
                found: list[list[Any]] = [[]]

                async def poll() -> None:
                    found.append(await feedback.to_review(tenant, 10))

                for _ in range(300):
                    await poll()
                    if len(found[-1]) == 2:
                        break
                    await asyncio.sleep(0.1)
                marked = await scores.mark_for_review(tenant, str(uuid.uuid4()), ["low", "high"])
                assert marked == ["returns.md", "shipping.md"]
                for answer_id, question in [("q1", "Do you rent kayaks?"), ("q1", "Do you rent kayaks?"), ("q2", "x")]:
                    await feedback.save_abstained(tenant, answer_id, question, 0.2)
                assert sorted(await feedback.abstained(tenant, 10)) == ["Do you rent kayaks?", "x"]
                return [(i.answer_id, i.groundedness) for i in found[-1]]
        finally:
            await pool.close()

    assert asyncio.run(scenario()) == [("low", 0.2), ("high", 0.9)]  # lowest score first, each once
