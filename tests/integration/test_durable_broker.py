"""`--durable`: the broker keeps its log on SeaweedFS, so events survive a broker restart."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator

import pytest

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.settings import KafkaSettings
from llmops_stack.components import Tansu
from llmops_stack.config import StackSettings
from llmops_stack.stack import Stack
from tests.integration.kafka_helpers import read_all, unique_topic

DURABLE = StackSettings.isolated("test-durable", port_base=26000, durable=True)


@pytest.fixture
def durable_stack() -> Iterator[Stack]:
    shutil.rmtree(DURABLE.state_dir, ignore_errors=True)
    stack = Stack(DURABLE)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        shutil.rmtree(DURABLE.state_dir, ignore_errors=True)


def test_events_survive_a_broker_restart(durable_stack: Stack) -> None:
    kafka = KafkaSettings(bootstrap_servers=DURABLE.kafka_bootstrap)
    topic = unique_topic("durable")
    sent = [
        DocumentChunked(envelope=new_envelope("acme", "tests"), document_id=f"doc-{i}", chunk_id=f"c{i}", text=f"t{i}")
        for i in range(10)
    ]

    async def publish() -> None:
        await ensure_topics(kafka, [topic], partitions=2)
        broker = build_broker(kafka, client_id="test-durable", logger=None)
        async with broker:
            await broker.connect()
            for event in sent:
                await EventPublisher(broker).publish(topic, event.document_id, event)

    asyncio.run(publish())
    broker_record = durable_stack.table.get("kafka")
    assert broker_record is not None
    durable_stack.table.stop("supervisor")  # restart by hand, not by the supervisor
    durable_stack.table.stop("kafka")
    restarted = durable_stack.start(Tansu(DURABLE))
    assert restarted.pid != broker_record.pid

    records = asyncio.run(read_all(kafka.bootstrap_servers, topic, expected=len(sent)))
    assert sorted(DocumentChunked.FromString(r.value).chunk_id for r in records) == sorted(e.chunk_id for e in sent)
