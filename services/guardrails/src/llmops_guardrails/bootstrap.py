"""Wires the guardrails service: settings, telemetry, policies, classifier, embedder, gRPC server."""

from __future__ import annotations

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.telemetry import setup_telemetry
from llmops_guardrails.adapters.policy_file import load_policies
from llmops_guardrails.domain.calibration import Calibration
from llmops_guardrails.domain.scope import Embedder
from llmops_guardrails.entrypoints.grpc_servicer import GuardrailsServicer
from llmops_guardrails.settings import GuardrailsSettings
from llmops_guardrails.use_cases import Guardrails, InjectionClassifier


def build_guardrails(settings: GuardrailsSettings) -> Guardrails:
    classifier: InjectionClassifier | None = None
    if settings.classifier_enabled:
        from llmops_guardrails.adapters.jailguard_classifier import JailguardClassifier

        classifier = JailguardClassifier(settings.jailguard_model_dir)
    embedder = (
        EmbeddingClient(settings.embedding_url, settings.embedding_timeout_seconds) if settings.embedding_url else None
    )
    multilingual: Embedder | None = None
    if settings.multilingual_scope_enabled:
        from llmops_guardrails.adapters.embedders import MultilingualEmbedder

        multilingual = MultilingualEmbedder()
    return Guardrails(load_policies(settings.policies_file), Calibration.load(), classifier, embedder, multilingual)


def build_server(settings: GuardrailsSettings, guardrails: Guardrails | None = None) -> GrpcServer:
    registration = ServiceRegistration(
        guardrails_pb2.DESCRIPTOR.services_by_name["GuardrailsService"],
        guardrails_pb2_grpc.add_GuardrailsServiceServicer_to_server,
        GuardrailsServicer(guardrails or build_guardrails(settings), settings.default_policy),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = GuardrailsSettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    try:
        await build_server(settings).run()
    finally:
        telemetry.shutdown()
