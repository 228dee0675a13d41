"""Envelope and header construction for events."""

from __future__ import annotations

import uuid

import pytest
from google.protobuf.message import DecodeError
from opentelemetry.sdk.trace import TracerProvider

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import decode_event, new_envelope
from llmops_core.kafka.events import event_headers


def test_envelope_outside_a_trace_has_no_trace_id() -> None:
    envelope = new_envelope("acme", "ingestion")
    assert uuid.UUID(envelope.event_id).version == 4
    assert envelope.tenant_id == "acme"
    assert envelope.producer == "ingestion"
    assert envelope.schema_version == 1
    assert envelope.occurred_at.seconds > 0
    assert envelope.trace_id == ""


def test_envelope_inside_a_span_carries_its_trace_id() -> None:
    tracer = TracerProvider().get_tracer("unit")
    with tracer.start_as_current_span("ask") as span:
        envelope = new_envelope("acme", "query")
    assert envelope.trace_id == format(span.get_span_context().trace_id, "032x")
    assert len(envelope.trace_id) == 32


def test_headers_name_the_event_type_and_tenant() -> None:
    event = DocumentChunked(envelope=new_envelope("acme", "ingestion"), document_id="d1")
    assert event_headers(event, "acme") == {
        "content-type": "application/x-protobuf",
        "event-type": "llmops.ingestion.v1.DocumentChunked",
        "tenant-id": "acme",
    }


def test_decode_round_trip_and_garbage() -> None:
    event = DocumentChunked(envelope=new_envelope("acme", "ingestion"), document_id="d1", text="退貨")
    assert decode_event(DocumentChunked, event.SerializeToString()) == event
    with pytest.raises(DecodeError):
        decode_event(DocumentChunked, b"\xff\xff\xff")
