"""Kafka plumbing: broker profiles, protobuf events with standard headers, the consumer reliability policy."""

from llmops_core.kafka.broker import build_broker, consumer_options, ensure_topics
from llmops_core.kafka.dead_letter import Backoff, DeadLetterPolicy, PermanentError, PoisonRecords
from llmops_core.kafka.events import EventPublisher, decode_event, new_envelope, proto_decoder

__all__ = [
    "Backoff",
    "DeadLetterPolicy",
    "EventPublisher",
    "PermanentError",
    "PoisonRecords",
    "build_broker",
    "consumer_options",
    "decode_event",
    "ensure_topics",
    "new_envelope",
    "proto_decoder",
]
