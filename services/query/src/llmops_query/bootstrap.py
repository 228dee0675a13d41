"""Wires the query service: clients of guardrails, retrieval, generation and embedding; Kafka; the gRPC API."""

from __future__ import annotations

from functools import partial

from faststream.kafka import KafkaBroker

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.auth.keys import KeyStore, open_key_store
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import ANSWERS, DOCS_CHANGES, DRIFT_ACTIONS, FEEDBACK
from llmops_grounding import SupportPolicy as ClaimPolicy
from llmops_grounding import load_models
from llmops_query.adapters.answer_cache import MIGRATIONS, PostgresCacheStore
from llmops_query.adapters.services import GenerationClient, GuardrailsClient, RetrievalClient, close_all
from llmops_query.domain.answer_ids import AnswerIds
from llmops_query.domain.breaker import CircuitBreaker
from llmops_query.domain.cache import SemanticCache
from llmops_query.domain.support import load_policy
from llmops_query.entrypoints import subscribers
from llmops_query.entrypoints.grpc_servicer import QueryServicer
from llmops_query.settings import QuerySettings
from llmops_query.use_cases import AskPipeline


def build_pipeline(settings: QuerySettings) -> AskPipeline:
    timeout = settings.call_timeout_seconds
    routes = [GenerationClient(settings.generation_url, timeout, r) for r in settings.generation_routes or [""]]
    routes += [GenerationClient(url, timeout) for url in settings.fallback_generation_urls]
    return AskPipeline(
        GuardrailsClient(settings.guardrails_url, timeout),
        RetrievalClient(settings.retrieval_url, timeout),
        list(routes),
        EmbeddingClient(settings.embedding_url, timeout),
        load_policy(settings.embedding_model),
        AnswerIds(settings.auth.service_secret.get_secret_value()),
        ClaimPolicy(min_support=settings.claim_min_support),
        new_breaker=partial(CircuitBreaker, settings.route_failures_to_open, settings.route_open_seconds),
        search_while_checking=settings.search_while_checking,
    )


KEY_SCOPES = {"Ask": "ask", "AskStream": "ask", "SubmitFeedback": "feedback"}


def build_server(
    settings: QuerySettings, pipeline: AskPipeline, broker: KafkaBroker, keys: KeyStore | None = None
) -> GrpcServer:
    registration = ServiceRegistration(
        query_pb2.DESCRIPTOR.services_by_name["QueryService"],
        query_pb2_grpc.add_QueryServiceServicer_to_server,
        QueryServicer(pipeline, EventPublisher(broker), settings),
        key_scopes=KEY_SCOPES,
    )
    return GrpcServer(settings, [registration], keys)


async def main() -> None:
    settings = QuerySettings()
    configure_service_auth(settings.auth, settings.service_name)
    load_models()  # jieba's dictionary, before the first Chinese draft is checked
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    await ensure_topics(settings.kafka, [ANSWERS, FEEDBACK, DRIFT_ACTIONS, DOCS_CHANGES])
    pipeline = build_pipeline(settings)
    keys = await open_key_store(settings.postgres, settings.auth.key_cache_seconds)
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    subscribers.register(broker, pipeline.modes)
    cache_pool = None
    if settings.answer_cache_enabled:
        cache_pool = await open_pool(settings.postgres.model_copy(update={"pool_min_size": 1}))
        await migrate(cache_pool, settings.schema_name, MIGRATIONS)
        cache = SemanticCache(
            PostgresCacheStore(cache_pool, settings.schema_name),
            pipeline.embedder,
            settings.answer_cache_threshold,
            settings.answer_cache_ttl_seconds,
        )
        pipeline.cache = cache
        subscribers.register_cache(broker, cache, settings.answer_cache_consumer_group, settings.kafka)
    try:
        async with broker:
            await build_server(settings, pipeline, broker, keys).run_beside(broker.start())
    finally:
        await keys.close()
        if cache_pool is not None:
            await cache_pool.close()
        clients = [pipeline.guardrails, pipeline.retriever, *pipeline.routes, pipeline.embedder]
        await close_all(*clients)  # type: ignore[arg-type]
        telemetry.shutdown()
