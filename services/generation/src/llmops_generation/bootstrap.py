"""Wires the generation service: model routes, the prompt registry (Postgres, Kafka), the gRPC API."""

from __future__ import annotations

from pathlib import Path

from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import PROMPT_ACTIVATIONS
from llmops_generation.adapters.activation_publisher import KafkaActivationPublisher
from llmops_generation.adapters.openai_model import OpenAICompatibleModel
from llmops_generation.adapters.packaged_prompt_store import NoActivations, PackagedPromptStore
from llmops_generation.adapters.prompt_files import initial_versions, load_prompt_files
from llmops_generation.adapters.prompt_store import PostgresPromptStore
from llmops_generation.adapters.route_file import env_route, load_routes
from llmops_generation.adapters.triton_model import TritonChatModel
from llmops_generation.domain.routes import RouteSpec
from llmops_generation.entrypoints.grpc_servicer import GenerationServicer
from llmops_generation.prompt_registry import PromptRegistry
from llmops_generation.service_layer import ModelRoute, RouteTable
from llmops_generation.settings import GenerationSettings

MIGRATIONS = Path(__file__).with_name("migrations")
# The backends a route may name (domain.routes.BACKENDS): each carries its own token counter.
ServedModel = OpenAICompatibleModel | TritonChatModel


def build_model(settings: GenerationSettings, spec: RouteSpec | None = None) -> ServedModel:
    spec = spec or env_route(settings)
    if spec.backend == "triton":
        return TritonChatModel(spec.base_url, spec.model, spec.timeout_seconds)
    return OpenAICompatibleModel(
        spec.base_url, settings.llm_api_key.get_secret_value(), spec.model, spec.timeout_seconds
    )


def build_route(settings: GenerationSettings, model: ServedModel, spec: RouteSpec | None = None) -> ModelRoute:
    spec = spec or env_route(settings)
    return ModelRoute(
        model=model,
        tokenizer=model.tokenizer,
        name=spec.name,
        provider=spec.provider,
        context_window_tokens=spec.context_window_tokens,
        safety_margin_tokens=settings.context_safety_margin_tokens,
        prices=spec.prices,
        model_name=spec.model,
        default_max_output_tokens=spec.default_max_output_tokens,
    )


def build_server(
    settings: GenerationSettings,
    routes: RouteTable | ServedModel,
    prompts: PromptRegistry | None = None,
) -> GrpcServer:
    """``routes`` may be one model (the route of the llm_* settings); no ``prompts`` means the prompt
    files without the database: the latest versions serve and activations are refused."""
    if not isinstance(routes, RouteTable):
        routes = RouteTable([build_route(settings, routes)])
    registry = prompts or PromptRegistry(PackagedPromptStore(load_prompt_files(), initial_versions()), NoActivations())
    registration = ServiceRegistration(
        generation_pb2.DESCRIPTOR.services_by_name["GenerationService"],
        generation_pb2_grpc.add_GenerationServiceServicer_to_server,
        GenerationServicer(routes, registry, settings),
    )
    return GrpcServer(settings, [registration])


async def main() -> None:
    settings = GenerationSettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    specs = load_routes(settings)
    models = [build_model(settings, spec) for spec in specs]
    pool = await open_pool(settings.postgres)
    try:
        await migrate(pool, settings.schema_name, MIGRATIONS)
        await ensure_topics(settings.kafka, [PROMPT_ACTIVATIONS])
        broker = build_broker(settings.kafka, client_id=settings.service_name)
        prompts = PromptRegistry(
            PostgresPromptStore(pool, settings.schema_name, initial_versions()),
            KafkaActivationPublisher(EventPublisher(broker)),
            settings.active_prompt_ttl_seconds,
        )
        await prompts.load(load_prompt_files())
        routes = RouteTable([build_route(settings, m, s) for m, s in zip(models, specs, strict=True)])
        async with broker:
            await build_server(settings, routes, prompts).run_beside(broker.start())
    finally:
        for model in models:
            await model.close()
        await pool.close()
        telemetry.shutdown()
