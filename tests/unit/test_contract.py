"""Every Kafka event follows the envelope rules of ARCHITECTURE.md."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import FieldDescriptor

from llmops.common.v1.envelope_pb2 import EventEnvelope
from llmops_core.topics import ALL_TOPICS, EVENT_TYPES, dead_letter_topic

JOIN_IDS = {"document_id", "chunk_id", "answer_id", "alert_id", "run_id", "feedback_id", "activation_id"}


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_event_has_envelope_as_field_one(topic: str) -> None:
    descriptor = EVENT_TYPES[topic].DESCRIPTOR
    envelope = descriptor.fields_by_number[1]
    assert envelope.name == "envelope"
    assert envelope.message_type is not None
    assert envelope.message_type.full_name == EventEnvelope.DESCRIPTOR.full_name


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_event_carries_an_id_to_join_on(topic: str) -> None:
    descriptor = EVENT_TYPES[topic].DESCRIPTOR
    names = set(descriptor.fields_by_name)
    nested = {
        field.name
        for f in descriptor.fields
        if f.type == FieldDescriptor.TYPE_MESSAGE and f.message_type is not None and f.name != "envelope"
        for field in f.message_type.fields
    }
    assert (names | nested) & JOIN_IDS, f"{descriptor.full_name} has none of {sorted(JOIN_IDS)}"


def test_envelope_has_the_required_fields() -> None:
    assert {"event_id", "occurred_at", "tenant_id", "schema_version", "trace_id"} <= set(
        EventEnvelope.DESCRIPTOR.fields_by_name
    )


def test_dead_letter_topic_name() -> None:
    assert dead_letter_topic("docs.chunks") == "docs.chunks.dlq"
