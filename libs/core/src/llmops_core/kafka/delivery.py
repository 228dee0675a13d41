"""What a consumed message holds and where its partitions resume: records, replay addressing, rewinding.

FastStream hands a middleware one record or, for a batch subscriber, a tuple of records that may
span partitions; these helpers treat both the same way.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiokafka import TopicPartition
from faststream.kafka.message import KafkaMessage
from faststream.middlewares import AckPolicy

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream._internal.context.repository import ContextRepo
    from faststream.message import StreamMessage

# On a replayed record: the only consumer group that should process it (see replay.py).
HEADER_REPLAY_GROUP = "x-dlq-replay-group"


def records_of(msg: StreamMessage[Any]) -> tuple[ConsumerRecord[Any, Any], ...]:
    raw = msg.raw_message
    # A batch is a tuple from the real consumer and a list from FastStream's test broker.
    return tuple(raw) if isinstance(raw, tuple | list) else (raw,)


def header(record: ConsumerRecord[Any, Any], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


def subscriber_group(context: ContextRepo) -> str:
    """The consumer group of the subscriber handling the current message ("" without a group).

    FastStream puts the subscriber in the context as ``handler_`` before it builds the middlewares.
    """
    return getattr(context.get("handler_"), "group_id", None) or ""


def nacks_on_error(context: ContextRepo) -> bool:
    return getattr(context.get("handler_"), "ack_policy", None) is AckPolicy.NACK_ON_ERROR


def addressed_to(record: ConsumerRecord[Any, Any], group: str) -> bool:
    """False only for a replayed record that names another group: that group alone failed on it."""
    target = header(record, HEADER_REPLAY_GROUP)
    return target is None or target == group


def only_records_for(msg: StreamMessage[Any], group: str) -> StreamMessage[Any] | None:
    """The message limited to records addressed to ``group``: itself, a narrowed copy, or None if none is."""
    records = records_of(msg)
    keep = [index for index, record in enumerate(records) if addressed_to(record, group)]
    if len(keep) == len(records):
        return msg
    if not keep:
        return None
    narrowed = copy.copy(msg)  # a copy gets its own decode cache, so the handler decodes only what is kept
    narrowed.raw_message = tuple(records[index] for index in keep)
    narrowed.body = [msg.body[index] for index in keep]
    if len(msg.batch_headers) == len(records):
        narrowed.batch_headers = [msg.batch_headers[index] for index in keep]
        narrowed.headers = narrowed.batch_headers[0]
    return narrowed


def rewind(msg: StreamMessage[Any]) -> None:
    """Seeks every partition in the message back to its smallest offset there, so all of it is read again.

    Earlier FastStream releases seeked only the partition of a batch's first record on nack (0.7.8
    seeks each); the other partitions kept their advanced positions and the next commit skipped their
    records. Doing it here keeps the guarantee whatever the installed nack does; seeking twice to one
    offset is harmless.
    """
    if not isinstance(msg, KafkaMessage):
        return
    earliest: dict[TopicPartition, int] = {}
    for record in records_of(msg):
        partition = TopicPartition(record.topic, record.partition)
        earliest[partition] = min(record.offset, earliest.get(partition, record.offset))
    for partition, offset in earliest.items():
        msg.consumer.seek(partition, offset)
