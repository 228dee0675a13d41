"""Replaying a dead-letter topic into its original topic once the cause is fixed.

The replayer reads ``<topic>.dlq`` in its own consumer group, so each dead letter is replayed once;
its offset is committed only after the record was written back (acks=all). The ``x-dlq-*`` headers
are dropped and ``x-dlq-replayed-from`` says where the record came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from llmops_core.kafka.broker import consumer_options, producer_options
from llmops_core.settings import KafkaSettings
from llmops_core.topics import dead_letter_topic

HEADER_REPLAYED_FROM = "x-dlq-replayed-from"


@dataclass(frozen=True)
class ReplayReport:
    topic: str
    replayed: int


async def replay_dead_letters(
    settings: KafkaSettings, topic: str, limit: int | None = None, idle_ms: int = 3000
) -> ReplayReport:
    """Moves up to ``limit`` dead letters back to ``topic``; stops when the DLQ is idle for ``idle_ms``."""
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    options = consumer_options(settings)
    consumer = AIOKafkaConsumer(
        dead_letter_topic(topic),
        bootstrap_servers=settings.bootstrap_servers,
        group_id=f"llmops-dlq-replay.{topic}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=options["session_timeout_ms"],
        heartbeat_interval_ms=options["heartbeat_interval_ms"],
        fetch_max_wait_ms=options["fetch_max_wait_ms"],
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, **producer_options(settings))
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while limit is None or replayed < limit:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            if not batch:
                break
            done: dict[TopicPartition, OffsetAndMetadata] = {}
            for partition, records in batch.items():
                for record in records:
                    if limit is not None and replayed >= limit:
                        break
                    headers = [(k, v) for k, v in record.headers if not k.startswith("x-dlq-")]
                    origin = f"{record.topic}/{record.partition}/{record.offset}".encode()
                    await producer.send_and_wait(
                        topic, record.value, key=record.key, headers=[*headers, (HEADER_REPLAYED_FROM, origin)]
                    )
                    done[partition] = OffsetAndMetadata(record.offset + 1, "")
                    replayed += 1
            if done:
                await consumer.commit(done)
    finally:
        await producer.stop()
        await consumer.stop()
    return ReplayReport(topic, replayed)
