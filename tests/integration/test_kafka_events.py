"""Protobuf events through the real broker: headers, trace propagation, groups, dead letters."""

from __future__ import annotations

import asyncio
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, build_broker, consumer_options, ensure_topics, new_envelope
from llmops_core.kafka.dead_letter import HEADER_ATTEMPTS, HEADER_ERROR, HEADER_GROUP, HEADER_ORIGIN
from llmops_core.settings import KafkaSettings
from tests.integration.kafka_helpers import assigned_partitions, read_all, unique_topic, wait_until


def chunk_event(document_id: str, index: int, tenant: str = "acme") -> DocumentChunked:
    return DocumentChunked(
        envelope=new_envelope(tenant, "tests"),
        document_id=document_id,
        document_version=1,
        chunk_id=f"{document_id}-{index}",
        chunk_index=index,
        chunk_count=1,
        text=f"chunk {index} of {document_id}",
    )


def test_protobuf_event_keeps_headers_and_trace(kafka_settings: KafkaSettings, spans: InMemorySpanExporter) -> None:
    async def scenario() -> None:
        topic = unique_topic("headers")
        await ensure_topics(kafka_settings, [topic])
        received: list[tuple[dict[str, Any], DocumentChunked, int]] = []

        async def with_headers(msg: StreamMessage[Any]) -> tuple[dict[str, Any], DocumentChunked]:
            return dict(msg.headers), DocumentChunked.FromString(msg.body)

        broker: KafkaBroker = build_broker(kafka_settings, client_id="test-headers", logger=None)

        @broker.subscriber(topic, group_id=topic, decoder=with_headers, **consumer_options(kafka_settings))
        async def consume(decoded: tuple[dict[str, Any], DocumentChunked]) -> None:
            consumer_trace_id = trace.get_current_span().get_span_context().trace_id
            received.append((decoded[0], decoded[1], consumer_trace_id))

        async with broker:
            await broker.start()
            with trace.get_tracer("tests").start_as_current_span("ask") as span:
                producer_trace_id = span.get_span_context().trace_id
                sent = chunk_event("doc-headers", 0)
                await EventPublisher(broker).publish(topic, sent.document_id, sent)
            await wait_until(lambda: len(received) == 1, what="the event")

        headers, event, consumer_trace_id = received[0]
        assert event == sent
        assert event.envelope.trace_id == format(producer_trace_id, "032x")
        assert headers["content-type"] == "application/x-protobuf"
        assert headers["event-type"] == "llmops.ingestion.v1.DocumentChunked"
        assert headers["tenant-id"] == "acme"
        assert headers["traceparent"].split("-")[1] == format(producer_trace_id, "032x")
        assert consumer_trace_id == producer_trace_id
        consumer_spans = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER and topic in s.name]
        assert consumer_spans
        assert {s.context.trace_id for s in consumer_spans} == {producer_trace_id}

    asyncio.run(scenario())


def test_group_members_split_partitions_and_take_over(kafka_settings: KafkaSettings) -> None:
    async def scenario() -> None:
        topic = unique_topic("group")
        await ensure_topics(kafka_settings, [topic], partitions=4)
        received: dict[str, list[str]] = {"a": [], "b": []}
        brokers, subscribers = {}, {}
        for member in ("a", "b"):
            broker = build_broker(kafka_settings, client_id=f"test-group-{member}", logger=None)

            def collect(event: DocumentChunked, member: str = member) -> None:
                received[member].append(event.chunk_id)

            subscriber = broker.subscriber(topic, group_id=topic, decoder=_decoder, **consumer_options(kafka_settings))
            subscriber(_as_async(collect))
            brokers[member], subscribers[member] = broker, subscriber

        await brokers["a"].start()
        await brokers["b"].start()
        # Each member installs its share when its own SyncGroup answer arrives, so for a moment the first
        # may still hold all four: wait for the settled split, not the first moment both hold some.
        await wait_until(
            lambda: (
                bool(assigned_partitions(subscribers["a"]) and assigned_partitions(subscribers["b"]))
                and assigned_partitions(subscribers["a"]).isdisjoint(assigned_partitions(subscribers["b"]))
                and assigned_partitions(subscribers["a"]) | assigned_partitions(subscribers["b"]) == {0, 1, 2, 3}
            ),
            what="both members to split the partitions",
        )
        split = assigned_partitions(subscribers["a"]), assigned_partitions(subscribers["b"])
        assert split[0].isdisjoint(split[1])
        assert split[0] | split[1] == {0, 1, 2, 3}

        publisher = EventPublisher(brokers["b"])
        first = [chunk_event(f"doc-{i}", i) for i in range(40)]
        for event in first:
            await publisher.publish(topic, event.document_id, event)
        await wait_until(lambda: len(received["a"]) + len(received["b"]) >= 40, what="the first 40 events")
        assert received["a"] and received["b"], "both members should have consumed part of the topic"

        await brokers["a"].stop()
        await wait_until(lambda: assigned_partitions(subscribers["b"]) == {0, 1, 2, 3}, what="b to own all partitions")
        second = [chunk_event(f"doc-{i}", i) for i in range(40, 80)]
        for event in second:
            await publisher.publish(topic, event.document_id, event)
        await wait_until(lambda: {e.chunk_id for e in second} <= set(received["b"]), what="b to get every later event")
        await brokers["b"].stop()
        assert {e.chunk_id for e in first + second} <= set(received["a"]) | set(received["b"])

    asyncio.run(scenario())


def test_failing_message_goes_to_dlq_and_partition_keeps_flowing(kafka_settings: KafkaSettings) -> None:
    async def scenario() -> None:
        topic = unique_topic("dlq")
        await ensure_topics(kafka_settings, [topic], partitions=1)
        attempts: dict[str, int] = {}
        processed: list[str] = []
        broker = build_broker(kafka_settings, client_id="test-dlq", logger=None)

        @broker.subscriber(topic, group_id=topic, decoder=_decoder, **consumer_options(kafka_settings))
        async def handle(event: DocumentChunked) -> None:
            attempts[event.chunk_id] = attempts.get(event.chunk_id, 0) + 1
            if event.text == "poison":
                raise ValueError(f"cannot index chunk {event.chunk_id}: text is poison")
            processed.append(event.chunk_id)

        async with broker:
            await broker.start()
            poison = chunk_event("doc-dlq", 0)
            poison.text = "poison"
            after = chunk_event("doc-dlq", 1)
            publisher = EventPublisher(broker)
            await publisher.publish(topic, "doc-dlq", poison)
            await publisher.publish(topic, "doc-dlq", after)
            await broker.publish(b"\xff not protobuf", topic, key=b"doc-dlq")
            last = chunk_event("doc-dlq", 2)
            await publisher.publish(topic, "doc-dlq", last)
            await wait_until(lambda: processed == [after.chunk_id, last.chunk_id], what="the healthy events")

        assert attempts[poison.chunk_id] > 1, "retried until the deadline"
        dead = await read_all(kafka_settings.bootstrap_servers, f"{topic}.dlq", expected=2)
        assert len(dead) == 2
        by_value = {record.value: dict((k, v.decode()) for k, v in record.headers) for record in dead}
        poison_headers = by_value[poison.SerializeToString()]
        assert "text is poison" in poison_headers[HEADER_ERROR]
        assert poison_headers[HEADER_ATTEMPTS] == str(attempts[poison.chunk_id])
        assert poison_headers[HEADER_GROUP] == topic
        assert poison_headers[HEADER_ORIGIN] == f"{topic}/0/0"
        assert poison_headers["event-type"] == "llmops.ingestion.v1.DocumentChunked"
        garbage_headers = by_value[b"\xff not protobuf"]
        assert garbage_headers[HEADER_ATTEMPTS] == "1", "undecodable bytes are not worth retrying"

    asyncio.run(scenario())


async def _decoder(msg: StreamMessage[Any]) -> DocumentChunked:
    return DocumentChunked.FromString(msg.body)


def _as_async(function: Any) -> Any:
    async def handler(event: DocumentChunked) -> None:
        function(event)

    return handler
