"""Wires the generation service: the model endpoint and the gRPC API."""

from __future__ import annotations

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.telemetry import setup_telemetry
from llmops_generation.adapters.openai_model import OpenAICompatibleModel
from llmops_generation.entrypoints.grpc_servicer import GenerationServicer
from llmops_generation.service_layer import ModelRoute
from llmops_generation.settings import GenerationSettings


def build_model(settings: GenerationSettings) -> OpenAICompatibleModel:
    return OpenAICompatibleModel(
        settings.llm_base_url, settings.llm_api_key.get_secret_value(), settings.llm_model, settings.llm_timeout_seconds
    )


def build_route(settings: GenerationSettings, model: OpenAICompatibleModel) -> ModelRoute:
    return ModelRoute(
        model=model,
        tokenizer=model.tokenizer,
        name=settings.llm_model,
        provider=settings.llm_provider,
        context_window_tokens=settings.context_window_tokens,
        safety_margin_tokens=settings.context_safety_margin_tokens,
    )


def build_server(settings: GenerationSettings, model: OpenAICompatibleModel) -> GrpcServer:
    registration = ServiceRegistration(
        generation_pb2.DESCRIPTOR.services_by_name["GenerationService"],
        generation_pb2_grpc.add_GenerationServiceServicer_to_server,
        GenerationServicer(build_route(settings, model), settings),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = GenerationSettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    model = build_model(settings)
    try:
        await build_server(settings, model).run()
    finally:
        await model.close()
        telemetry.shutdown()
