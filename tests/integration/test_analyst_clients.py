"""Analysts read the event stream with an ordinary Kafka client: confluent-kafka (librdkafka bundled
in its wheel) consumes a topic of the local broker and the generated protobuf classes decode it."""

from __future__ import annotations

import asyncio
import uuid

from confluent_kafka import Consumer

from llmops.query.v1.events_pb2 import AnswerProduced
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.settings import KafkaSettings
from llmops_core.topics import ANSWERS, EVENT_TYPES


def test_confluent_kafka_reads_and_decodes_answers(kafka_settings: KafkaSettings) -> None:
    answer_id = f"analyst-{uuid.uuid4().hex[:8]}"

    async def publish() -> None:
        await ensure_topics(kafka_settings, [ANSWERS])
        broker = build_broker(kafka_settings, client_id="test-analyst", logger=None)
        async with broker:
            await broker.connect()
            event = AnswerProduced(envelope=new_envelope("acme", "tests"), answer_id=answer_id, answer="30 days")
            await EventPublisher(broker).publish(ANSWERS, answer_id, event)

    asyncio.run(publish())
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_settings.bootstrap_servers,
            "group.id": f"analyst-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([ANSWERS])
    found: AnswerProduced | None = None
    headers: dict[str, bytes] = {}
    try:
        for _ in range(120):
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            if message.key() == answer_id.encode():
                value = message.value()
                assert isinstance(value, bytes)
                decoded = EVENT_TYPES[ANSWERS].FromString(value)
                assert isinstance(decoded, AnswerProduced)
                found = decoded
                for header in message.headers() or []:
                    if isinstance(header, tuple) and isinstance(header[1], bytes):
                        headers[str(header[0])] = header[1]
                break
    finally:
        consumer.close()
    assert found is not None and found.answer == "30 days"
    assert headers["event-type"] == b"llmops.query.v1.AnswerProduced" and headers["tenant-id"] == b"acme"
