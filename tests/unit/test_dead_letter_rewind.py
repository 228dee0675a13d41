"""When an error escapes the reliability policy, every partition of a batch is read again from its first record.

Plain calls of the middleware with a recording consumer: FastStream's test broker has no positions to seek.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream._internal.context.repository import ContextRepo
from faststream.kafka.message import KafkaAckableMessage
from faststream.middlewares import AckPolicy

from llmops_core.kafka import Backoff, DeadLetterPolicy, PermanentError

GROUP = "embedding"


class RecordingConsumer:
    def __init__(self) -> None:
        self.seeks: dict[TopicPartition, int] = {}

    async def commit(self) -> None:
        raise AssertionError("nothing may be committed after a failure")

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks[partition] = offset


class UnreachableBroker:
    async def publish(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the DLQ topic's leader is unreachable")


def record(partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("docs.chunks", partition, offset, 0, 0, b"k", b"v", None, 1, 1, [])


def batch_message(records: list[ConsumerRecord[bytes, bytes]]) -> tuple[KafkaAckableMessage, RecordingConsumer]:
    consumer = RecordingConsumer()
    msg = KafkaAckableMessage(raw_message=tuple(records), body=[r.value for r in records], consumer=consumer)
    return msg, consumer


def policy_and_context(ack_policy: AckPolicy) -> tuple[DeadLetterPolicy, ContextRepo]:
    policy = DeadLetterPolicy(Backoff(initial_seconds=0.01, max_interval_seconds=0.01, deadline_seconds=0.05))
    policy.bind(UnreachableBroker())  # type: ignore[arg-type]
    context = ContextRepo()
    context.set_global("handler_", SimpleNamespace(group_id=GROUP, ack_policy=ack_policy))
    return policy, context


async def refuse(msg: Any) -> None:
    raise PermanentError("no text")


async def test_failed_dead_lettering_rewinds_each_partition_to_its_first_record() -> None:
    records = [record(0, 7), record(1, 3), record(0, 8), record(2, 11), record(1, 4)]
    msg, consumer = batch_message(records)
    policy, context = policy_and_context(AckPolicy.NACK_ON_ERROR)

    with pytest.raises(ConnectionError):
        await policy(msg.raw_message, context=context).consume_scope(refuse, msg)

    assert consumer.seeks == {
        TopicPartition("docs.chunks", 0): 7,
        TopicPartition("docs.chunks", 1): 3,
        TopicPartition("docs.chunks", 2): 11,
    }


async def test_a_subscriber_that_acks_on_error_is_not_rewound() -> None:
    msg, consumer = batch_message([record(0, 1), record(1, 2)])
    policy, context = policy_and_context(AckPolicy.ACK)

    with pytest.raises(ConnectionError):
        await policy(msg.raw_message, context=context).consume_scope(refuse, msg)

    assert consumer.seeks == {}
