"""One trace from a gRPC call, through the server, across Kafka into a consumer."""

from __future__ import annotations

import asyncio

import grpc
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.grpc_client import traced_channel
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, consumer_options, ensure_topics, new_envelope, proto_decoder
from llmops_core.settings import KafkaSettings, ServiceSettings
from tests.integration.kafka_helpers import unique_topic, wait_until
from tests.integration.test_grpc_server import free_port


class PublishingEmbedding(embedding_pb2_grpc.EmbeddingServiceServicer):
    """Publishes one event per call, as a service would after doing its work."""

    def __init__(self, publisher: EventPublisher, topic: str) -> None:
        self.publisher = publisher
        self.topic = topic

    async def Embed(  # noqa: N802 (gRPC method name)
        self, request: embedding_pb2.EmbedRequest, context: grpc.aio.ServicerContext
    ) -> embedding_pb2.EmbedResponse:
        event = DocumentChunked(envelope=new_envelope("acme", "sample"), document_id="d1", text=request.texts[0])
        await self.publisher.publish(self.topic, event.document_id, event)
        return embedding_pb2.EmbedResponse(dimensions=0)


def test_grpc_call_trace_continues_in_kafka_consumer(
    kafka_settings: KafkaSettings, spans: InMemorySpanExporter
) -> None:
    async def scenario() -> None:
        topic = unique_topic("trace")
        await ensure_topics(kafka_settings, [topic])
        consumed: list[tuple[int, str]] = []
        broker = build_broker(kafka_settings, client_id="test-trace", logger=None)

        @broker.subscriber(
            topic, group_id=topic, decoder=proto_decoder(DocumentChunked), **consumer_options(kafka_settings)
        )
        async def consume(event: DocumentChunked) -> None:
            consumed.append((trace.get_current_span().get_span_context().trace_id, event.envelope.trace_id))

        port = free_port()
        server = GrpcServer(
            ServiceSettings(service_name="sample", grpc_port=port),
            [
                ServiceRegistration(
                    embedding_pb2.DESCRIPTOR.services_by_name["EmbeddingService"],
                    embedding_pb2_grpc.add_EmbeddingServiceServicer_to_server,
                    PublishingEmbedding(EventPublisher(broker), topic),
                )
            ],
        )
        async with broker:
            await broker.start()
            await server.start()
            try:
                async with traced_channel(f"127.0.0.1:{port}") as channel:
                    with trace.get_tracer("tests").start_as_current_span("product-app") as span:
                        client_trace_id = span.get_span_context().trace_id
                        await embedding_pb2_grpc.EmbeddingServiceStub(channel).Embed(
                            embedding_pb2.EmbedRequest(texts=["hello"]), timeout=10
                        )
                await wait_until(lambda: len(consumed) == 1, what="the consumer")
            finally:
                await server.stop()

        assert consumed == [(client_trace_id, format(client_trace_id, "032x"))]
        in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == client_trace_id]
        kinds = {s.kind for s in in_trace}
        assert {SpanKind.CLIENT, SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER} <= kinds

    asyncio.run(scenario())
