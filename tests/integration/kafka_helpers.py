"""Small helpers for Kafka tests: unique topics, waiting for consumers and for conditions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition


def unique_topic(prefix: str) -> str:
    return f"test.{prefix}.{uuid.uuid4().hex[:10]}"


async def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)


def assigned_partitions(subscriber: Any) -> set[int]:
    consumer = subscriber.consumer
    return {tp.partition for tp in consumer.assignment()} if consumer is not None else set()


async def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 60.0) -> list[Any]:
    """Reads records of a topic from the beginning with a plain aiokafka consumer (no group)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(records) < expected and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def read_until_idle(bootstrap: str, topic: str, idle_ms: int = 2000) -> list[Any]:
    """Every record of a topic: reads from the beginning until nothing arrives for ``idle_ms``.

    The idle clock starts only once every partition has its position, so a consumer slow to start (a
    loaded machine) is not mistaken for an empty topic. A topic that does not exist reads as empty."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    records: list[Any] = []
    try:
        if topic not in await consumer.topics():  # fetches the cluster's metadata
            return records
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        for partition in partitions:
            await consumer.position(partition)
        while batch := await consumer.getmany(timeout_ms=idle_ms):
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records
