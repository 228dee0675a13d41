"""Protobuf events on Kafka: envelope, standard headers, encoding and decoding.

Record value = protobuf bytes; key = the id whose order matters; headers = content-type,
event-type, tenant-id, and the W3C traceparent/tracestate that the telemetry middleware injects.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry import trace

from llmops.common.v1.envelope_pb2 import EventEnvelope

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker
    from faststream.message import StreamMessage

CONTENT_TYPE = "application/x-protobuf"
SCHEMA_VERSION = 1

EventT = TypeVar("EventT", bound=Message)


class Event(Protocol):
    """Every event message has an ``envelope`` field (ARCHITECTURE.md)."""

    @property
    def envelope(self) -> EventEnvelope: ...

    def SerializeToString(self, *, deterministic: bool = ...) -> bytes: ...  # noqa: N802 (protobuf API)


def current_trace_id() -> str:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""


def new_envelope(tenant_id: str, producer: str, schema_version: int = SCHEMA_VERSION) -> EventEnvelope:
    occurred_at = Timestamp()
    occurred_at.GetCurrentTime()
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        occurred_at=occurred_at,
        tenant_id=tenant_id,
        schema_version=schema_version,
        trace_id=current_trace_id(),
        producer=producer,
    )


def event_headers(event: Message, tenant_id: str) -> dict[str, str]:
    return {"content-type": CONTENT_TYPE, "event-type": event.DESCRIPTOR.full_name, "tenant-id": tenant_id}


def decode_event(message_type: type[EventT], body: bytes) -> EventT:
    """Parses protobuf bytes; a malformed body raises DecodeError, which dead-letters at once."""
    return message_type.FromString(body)


def proto_decoder(message_type: type[EventT]) -> Callable[[StreamMessage[Any]], Awaitable[EventT]]:
    """A FastStream ``decoder=`` that hands the handler a typed protobuf message."""

    async def decode(msg: StreamMessage[Any]) -> EventT:
        return decode_event(message_type, msg.body)

    return decode


class EventPublisher:
    """Publishes events with the standard key and headers."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, key: str, event: Event) -> None:
        if not event.envelope.event_id:
            raise ValueError("event has no envelope: build it with new_envelope()")
        await self._broker.publish(
            event.SerializeToString(),
            topic,
            key=key.encode(),
            headers=event_headers(event, event.envelope.tenant_id),  # type: ignore[arg-type]
        )
