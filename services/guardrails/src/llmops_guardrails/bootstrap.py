"""Wires the guardrails service: settings, telemetry, gRPC server."""

from __future__ import annotations

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.telemetry import setup_telemetry
from llmops_guardrails.entrypoints.grpc_servicer import GuardrailsServicer
from llmops_guardrails.settings import GuardrailsSettings


def build_server(settings: GuardrailsSettings) -> GrpcServer:
    registration = ServiceRegistration(
        guardrails_pb2.DESCRIPTOR.services_by_name["GuardrailsService"],
        guardrails_pb2_grpc.add_GuardrailsServiceServicer_to_server,
        GuardrailsServicer(settings.default_policy),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = GuardrailsSettings()
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    try:
        await build_server(settings).run()
    finally:
        telemetry.shutdown()
