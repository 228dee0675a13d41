"""Wires the telemetry service: consumers of every topic, /metrics + JSON over HTTP, gRPC."""

from __future__ import annotations

from aiohttp import web

from llmops.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from llmops_core.auth.keys import open_key_store
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import ALL_TOPICS, DOCS_SOURCES_DLQ
from llmops_telemetry.domain.aggregates import Aggregates
from llmops_telemetry.domain.traces import TraceStore
from llmops_telemetry.entrypoints import subscribers
from llmops_telemetry.entrypoints.grpc_servicer import TelemetryServicer
from llmops_telemetry.entrypoints.http import build_app
from llmops_telemetry.settings import TelemetrySettings


async def main() -> None:
    settings = TelemetrySettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    aggregates = Aggregates(settings.recent_answers, settings.max_tenants, settings.series_tenants)
    keys = await open_key_store(settings.postgres, settings.auth.key_cache_seconds)
    await ensure_topics(settings.kafka, ALL_TOPICS, dead_letter_only=[DOCS_SOURCES_DLQ])
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    subscribers.register(broker, aggregates, settings)
    runner = web.AppRunner(build_app(aggregates, keys, settings.operator_tenant, TraceStore(settings.max_spans)))
    await runner.setup()
    registration = ServiceRegistration(
        telemetry_pb2.DESCRIPTOR.services_by_name["TelemetryService"],
        telemetry_pb2_grpc.add_TelemetryServiceServicer_to_server,
        TelemetryServicer(aggregates),
        key_scopes={"GetSummary": "admin", "ListAnswers": "admin"},
    )
    try:
        await web.TCPSite(runner, settings.metrics_host, settings.metrics_port).start()
        async with broker:
            await GrpcServer(settings, [registration], keys).run_beside(broker.start())
    finally:
        await keys.close()
        await runner.cleanup()
        telemetry.shutdown()
