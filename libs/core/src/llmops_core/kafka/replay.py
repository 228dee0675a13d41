"""Replaying a dead-letter topic into its original topic once the cause is fixed.

Each dead letter names the consumer group that failed on it (``x-dlq-group``); the replayed record
carries ``x-dlq-replay-group`` with that name, and the reliability middleware of every other group
acks it without processing, so only the group that failed sees it again. Dead letters from before
groups were recorded (no ``x-dlq-group``) go back unaddressed, to every group, as they used to.

Replays are tracked per target group: the pass for group G reads ``<topic>.dlq`` in the consumer
group ``llmops-dlq-replay.<topic>.<G>`` and skips other groups' dead letters, so each dead letter is
replayed once whether it was selected with ``group=`` or by a replay of all groups. Offsets are
committed only after the records were written back (acks=all). The ``x-dlq-*`` headers are dropped
and ``x-dlq-replayed-from`` says where the record came from.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from llmops_core.kafka.broker import consumer_options, producer_options
from llmops_core.kafka.dead_letter import HEADER_GROUP
from llmops_core.kafka.delivery import HEADER_REPLAY_GROUP, header
from llmops_core.settings import KafkaSettings
from llmops_core.topics import dead_letter_topic

HEADER_REPLAYED_FROM = "x-dlq-replayed-from"
START_SECONDS = 60.0  # the longest a pass waits to join its group and find its offsets


@dataclass(frozen=True)
class ReplayReport:
    topic: str
    replayed: int
    # Replayed records per target consumer group; "" for dead letters that name no group.
    by_group: dict[str, int] = field(default_factory=dict)


async def replay_dead_letters(
    settings: KafkaSettings, topic: str, limit: int | None = None, idle_ms: int = 3000, group: str | None = None
) -> ReplayReport:
    """Moves up to ``limit`` dead letters back to ``topic``, each addressed to the group that failed on it.

    ``group`` selects the dead letters of one consumer group; without it, every group found in the DLQ
    gets its own pass. A pass replays what was dead-lettered before it began and stops when the DLQ
    has nothing older for ``idle_ms``.
    """
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    groups = [group] if group is not None else sorted(await _groups_in(settings, topic, idle_ms))
    by_group: dict[str, int] = {}
    for target in groups:
        left = None if limit is None else limit - sum(by_group.values())
        if left == 0:
            break
        by_group[target] = await _replay_group(settings, topic, target, left, idle_ms)
    return ReplayReport(topic, sum(by_group.values()), by_group)


def _consumer(settings: KafkaSettings, topic: str, group_id: str | None) -> AIOKafkaConsumer:
    options = consumer_options(settings)
    return AIOKafkaConsumer(
        dead_letter_topic(topic),
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=options["session_timeout_ms"],
        heartbeat_interval_ms=options["heartbeat_interval_ms"],
        fetch_max_wait_ms=options["fetch_max_wait_ms"],
    )


async def _batches(
    consumer: AIOKafkaConsumer, topic: str, idle_ms: int
) -> AsyncIterator[dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]]:
    """The consumer's batches until none comes for ``idle_ms``, counted from when it can read.

    Joining a group and resetting offsets can take longer than ``idle_ms`` on a loaded machine; an empty
    poll before the consumer had partitions and positions says nothing about the DLQ, so it does not end
    the pass (up to ``START_SECONDS``). A DLQ topic that does not exist is empty.
    """
    if dead_letter_topic(topic) not in await consumer.topics():
        return
    deadline = time.monotonic() + START_SECONDS
    while True:
        assigned = consumer.assignment()
        for partition in assigned:
            await consumer.position(partition)  # waits for the offset reset; fetched records stay buffered
        batch = await consumer.getmany(timeout_ms=idle_ms)
        if batch:
            yield batch
        elif assigned or time.monotonic() > deadline:
            return


async def _groups_in(settings: KafkaSettings, topic: str, idle_ms: int) -> set[str]:
    """The consumer groups named by the DLQ's records; reads without a group, so it moves no offsets."""
    consumer = _consumer(settings, topic, group_id=None)
    await consumer.start()
    groups: set[str] = set()
    try:
        async for batch in _batches(consumer, topic, idle_ms):
            groups.update(header(r, HEADER_GROUP) or "" for records in batch.values() for r in records)
    finally:
        await consumer.stop()
    return groups


async def _replay_group(settings: KafkaSettings, topic: str, group: str, limit: int | None, idle_ms: int) -> int:
    # "" keeps the replay group name used before dead letters named their group.
    replay_group = f"llmops-dlq-replay.{topic}.{group}" if group else f"llmops-dlq-replay.{topic}"
    consumer = _consumer(settings, topic, group_id=replay_group)
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, **producer_options(settings))
    await consumer.start()
    await producer.start()
    # Dead letters written after the pass began are left for the next one: a replay whose cause is not
    # fixed fails again and comes back to the DLQ, and must not loop on it.
    started_ms = int(time.time() * 1000)
    replayed = 0
    try:
        async for batch in _batches(consumer, topic, idle_ms):
            done: dict[TopicPartition, OffsetAndMetadata] = {}
            for partition, records in batch.items():
                for record in records:
                    if limit is not None and replayed >= limit:
                        break
                    if record.timestamp > started_ms:
                        consumer.pause(partition)
                        break
                    if (header(record, HEADER_GROUP) or "") == group:
                        headers = _replay_headers(record)
                        await producer.send_and_wait(topic, record.value, key=record.key, headers=headers)
                        replayed += 1
                    # Another group's dead letter is that group's pass to replay; passing it is safe.
                    done[partition] = OffsetAndMetadata(record.offset + 1, "")
            if done:
                await consumer.commit(done)
            if limit is not None and replayed >= limit:
                break
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed


def _replay_headers(record: ConsumerRecord[bytes, bytes]) -> list[tuple[str, bytes]]:
    headers = [(k, bytes(v)) for k, v in record.headers if not k.startswith("x-dlq-")]
    headers.append((HEADER_REPLAYED_FROM, f"{record.topic}/{record.partition}/{record.offset}".encode()))
    if group := header(record, HEADER_GROUP):
        headers.append((HEADER_REPLAY_GROUP, group.encode()))
    return headers
