"""``llmops events TOPIC``: the event stream as JSON lines, for analysts and for debugging."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError

from llmops_core.topics import DEAD_LETTER_ONLY, EVENT_TYPES


def event_type_of(topic: str) -> Any:
    """Message class of a platform topic or of its dead-letter topic."""
    message_type = DEAD_LETTER_ONLY.get(topic) or EVENT_TYPES.get(topic.removesuffix(".dlq"))
    if message_type is None:
        known = ", ".join(sorted(EVENT_TYPES))
        raise ValueError(f"{topic!r} is not a platform topic; known topics: {known} (and each with .dlq)")
    return message_type


def record_as_json(topic: str, record: Any) -> str:
    message_type = event_type_of(topic)
    line: dict[str, Any] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": record.key.decode(errors="replace") if record.key else None,
        "headers": {k: v.decode(errors="replace") for k, v in record.headers},
    }
    try:
        line["event"] = MessageToDict(message_type.FromString(record.value), preserving_proto_field_name=True)
    except DecodeError as error:
        line["error"] = f"value is not a {message_type.DESCRIPTOR.full_name}: {error}"
    return json.dumps(line, ensure_ascii=False)


async def stream_events(
    bootstrap: str, topic: str, emit: Callable[[str], None], limit: int | None, follow: bool
) -> int:
    """Reads from the beginning (no consumer group: reading never moves anyone's offsets)."""
    event_type_of(topic)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    shown = 0
    try:
        while limit is None or shown < limit:
            batch = await consumer.getmany(timeout_ms=1000)
            if not batch and not follow:
                break
            for records in batch.values():
                for record in records:
                    if limit is not None and shown >= limit:
                        return shown
                    emit(record_as_json(topic, record))
                    shown += 1
    finally:
        await consumer.stop()
    return shown


def run(bootstrap: str, topic: str, emit: Callable[[str], None], limit: int | None, follow: bool) -> int:
    return asyncio.run(stream_events(bootstrap, topic, emit, limit, follow))
