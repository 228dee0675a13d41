"""Builds FastStream Kafka brokers from settings, with one profile per broker kind.

Tansu (the local broker) lacks InitProducerId, so idempotence must be off there; it also reports
wrong end offsets, which makes ``auto_offset_reset="latest"`` re-read, and joins groups slowly
with Kafka's default timeouts. All of that lives here, so services run unchanged on Apache Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any, TypedDict

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.middlewares import AckPolicy
from opentelemetry import trace

from llmops_core.errors import FailedPrecondition
from llmops_core.kafka.dead_letter import Backoff, DeadLetterPolicy
from llmops_core.settings import KafkaSettings


class ConsumerOptions(TypedDict):
    auto_offset_reset: Any
    session_timeout_ms: int
    heartbeat_interval_ms: int
    fetch_max_wait_ms: int
    ack_policy: AckPolicy


def consumer_options(settings: KafkaSettings) -> ConsumerOptions:
    """Keyword arguments for ``broker.subscriber``.

    Offsets are committed only after the handler (and any dead-lettering) finished; an error that
    escapes both seeks every partition of the message back, so it is read again rather than lost.
    """
    if settings.profile == "tansu":
        return ConsumerOptions(
            auto_offset_reset="earliest",
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
            fetch_max_wait_ms=100,
            ack_policy=AckPolicy.NACK_ON_ERROR,
        )
    return ConsumerOptions(
        auto_offset_reset="earliest",
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3000,
        fetch_max_wait_ms=500,
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )


class ProducerOptions(TypedDict):
    acks: Any
    enable_idempotence: bool
    compression_type: Any


def producer_options(settings: KafkaSettings) -> ProducerOptions:
    """acks=all everywhere; idempotence only where the broker supports InitProducerId."""
    return ProducerOptions(
        acks="all", enable_idempotence=settings.profile == "kafka", compression_type=settings.compression
    )


def build_broker(settings: KafkaSettings, client_id: str, **kwargs: Any) -> KafkaBroker:
    """A broker that traces every publish and consume and applies the reliability policy to every consumer."""
    dead_letter = DeadLetterPolicy(Backoff.from_settings(settings))
    broker = KafkaBroker(
        settings.bootstrap_servers,
        client_id=client_id,
        **producer_options(settings),
        # Telemetry first, so retries and the DLQ publish happen inside the consume span.
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider()), dead_letter],
        apply_types=False,
        **kwargs,
    )
    dead_letter.bind(broker)
    return broker


async def ensure_topics(
    settings: KafkaSettings, topics: list[str], partitions: int = 3, dead_letter_only: Sequence[str] = ()
) -> list[str]:
    """Creates each topic and its ``.dlq`` twin when missing; returns the names it created.

    ``dead_letter_only`` names DLQ topics that have no topic of their own (failed source documents).
    With ``settings.create_topics`` off it creates nothing: it waits for the topics and raises
    FailedPrecondition, naming those still missing, after ``settings.topics_wait_seconds``.
    """
    wanted = [name for topic in topics for name in (topic, f"{topic}.dlq")] + list(dead_letter_only)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        missing = [name for name in wanted if name not in set(await admin.list_topics())]
        if not settings.create_topics:
            deadline = time.monotonic() + settings.topics_wait_seconds
            while missing and time.monotonic() < deadline:
                await asyncio.sleep(min(2.0, settings.topics_wait_seconds))
                missing = [name for name in wanted if name not in set(await admin.list_topics())]
            if missing:
                raise FailedPrecondition(
                    f"Kafka topics {', '.join(missing)} do not exist after {settings.topics_wait_seconds:.0f} s, and"
                    " LLMOPS_KAFKA_CREATE_TOPICS is false: create them (infra/k8s/base/topics.yaml) first"
                )
            return []
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica created it first
                await admin.create_topics(
                    [NewTopic(name=name, num_partitions=partitions, replication_factor=1) for name in missing]
                )
        return missing
    finally:
        await admin.close()
