"""Kafka plumbing: broker profiles, protobuf events with standard headers, dead-lettering."""

from llmops_core.kafka.broker import build_broker, consumer_options, ensure_topics
from llmops_core.kafka.dead_letter import DeadLetterPolicy, PermanentError, dead_letter_record
from llmops_core.kafka.events import EventPublisher, decode_event, new_envelope, proto_decoder

__all__ = [
    "DeadLetterPolicy",
    "EventPublisher",
    "PermanentError",
    "build_broker",
    "consumer_options",
    "dead_letter_record",
    "decode_event",
    "ensure_topics",
    "new_envelope",
    "proto_decoder",
]
