"""The query service's answer modes follow `drift.actions` on a real broker: every replica reads
every action (no consumer group), and a restarted replica rebuilds the modes from the topic."""

from __future__ import annotations

import asyncio
import uuid

from llmops.evaluation.v1.events_pb2 import DriftAction, DriftActionKind
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.settings import KafkaSettings
from llmops_core.topics import DRIFT_ACTIONS
from llmops_query.domain.answer_modes import AnswerModes
from llmops_query.entrypoints import subscribers
from tests.integration.kafka_helpers import wait_until


def test_replicas_and_a_restart_agree_on_strict_mode(kafka_settings: KafkaSettings) -> None:
    run = uuid.uuid4().hex[:8]
    strict, cleared, last = f"strict{run}", f"cleared{run}", f"last{run}"
    on, off = DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_ON, DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_OFF

    def action(tenant: str, kind: DriftActionKind) -> DriftAction:
        return DriftAction(
            envelope=new_envelope(tenant, "tests"), action_id=str(uuid.uuid4()), alert_id="a1", kind=kind
        )

    async def replica(modes: AnswerModes) -> None:
        broker = build_broker(kafka_settings, client_id="test-query-modes", logger=None)
        subscribers.register(broker, modes)
        async with broker:
            await broker.start()
            await wait_until(lambda: modes.strict(last) is not None, timeout=30, what="the last action read")

    async def scenario() -> list[list[bool]]:
        await ensure_topics(kafka_settings, [DRIFT_ACTIONS])
        producer = build_broker(kafka_settings, client_id="test-drift-actions", logger=None)
        async with producer:
            await producer.connect()
            publisher = EventPublisher(producer)
            # One key for the test's actions, so they share a partition and "last" is read last.
            for tenant, kind in [(strict, on), (cleared, on), (cleared, off), (last, on)]:
                await publisher.publish(DRIFT_ACTIONS, run, action(tenant, kind))
        results = []
        for _ in range(2):  # two replicas side by side, then both restarted: each reads the topic whole
            replicas = [AnswerModes(), AnswerModes()]
            await asyncio.gather(*(replica(modes) for modes in replicas))
            results.append([m.strict(strict) is not None and m.strict(cleared) is None for m in replicas])
        return results

    assert asyncio.run(scenario()) == [[True, True], [True, True]]
