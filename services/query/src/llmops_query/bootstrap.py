"""Wires the query service: clients of guardrails, retrieval and generation; Kafka; the gRPC API."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import ANSWERS, FEEDBACK
from llmops_query.adapters.services import GenerationClient, GuardrailsClient, RetrievalClient, close_all
from llmops_query.domain.answers import AskPipeline
from llmops_query.entrypoints.grpc_servicer import QueryServicer
from llmops_query.settings import QuerySettings


def build_pipeline(settings: QuerySettings) -> AskPipeline:
    timeout = settings.call_timeout_seconds
    return AskPipeline(
        GuardrailsClient(settings.guardrails_url, timeout),
        RetrievalClient(settings.retrieval_url, timeout),
        GenerationClient(settings.generation_url, timeout),
        settings.abstain_below_similarity,
    )


def build_server(settings: QuerySettings, pipeline: AskPipeline, broker: KafkaBroker) -> GrpcServer:
    registration = ServiceRegistration(
        query_pb2.DESCRIPTOR.services_by_name["QueryService"],
        query_pb2_grpc.add_QueryServiceServicer_to_server,
        QueryServicer(pipeline, EventPublisher(broker), settings),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = QuerySettings()
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    await ensure_topics(settings.kafka, [ANSWERS, FEEDBACK])
    pipeline = build_pipeline(settings)
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    try:
        async with broker:
            await broker.connect()
            await build_server(settings, pipeline, broker).run()
    finally:
        await close_all(pipeline.guardrails, pipeline.retriever, pipeline.generator)  # type: ignore[arg-type]
        telemetry.shutdown()
