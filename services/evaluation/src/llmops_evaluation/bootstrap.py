"""Wires the evaluation service: Postgres scores, the embedding client, consumers, gRPC."""

from __future__ import annotations

from pathlib import Path

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops_core.auth.keys import KeyStore
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, DRIFT_ALERTS
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.domain.drift import DriftMonitors
from llmops_evaluation.entrypoints import subscribers
from llmops_evaluation.entrypoints.grpc_servicer import EvaluationServicer
from llmops_evaluation.settings import EvaluationSettings
from llmops_grounding import load_models

MIGRATIONS = Path(__file__).with_name("migrations")
# A product app may read the score of its own answers; suites, on-demand scoring and drift are for admins.
KEY_SCOPES = {"GetAnswerScore": "ask", "RunSuite": "admin", "ScoreAnswer": "admin", "GetDriftState": "admin"}


async def main() -> None:
    settings = EvaluationSettings()
    configure_service_auth(settings.auth, settings.service_name)
    load_models()  # jieba's dictionary, before the first Chinese answer is scored
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    pool = await open_pool(settings.postgres)
    await migrate(pool, settings.schema_name, MIGRATIONS)
    keys = KeyStore(pool, settings.auth.key_cache_seconds)
    await keys.migrate()
    store = PostgresScoreStore(pool, settings.schema_name)
    embedder = EmbeddingClient(settings.embedding_url)
    query = QueryClient(settings.query_url)
    monitors = DriftMonitors(
        settings.drift_reference_size, settings.drift_current_size, settings.drift_alpha, settings.drift_max_tenants
    )
    await ensure_topics(settings.kafka, [ANSWERS, ANSWERS_SCORED, DRIFT_ALERTS])
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    subscribers.register(broker, embedder, store, monitors, settings)
    registration = ServiceRegistration(
        evaluation_pb2.DESCRIPTOR.services_by_name["EvaluationService"],
        evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server,
        EvaluationServicer(store, monitors, query, embedder, settings),
        key_scopes=KEY_SCOPES,
    )
    try:
        async with broker:
            await broker.start()
            await GrpcServer(settings, [registration], keys).run()
    finally:
        await embedder.close()
        await query.close()
        await pool.close()
        telemetry.shutdown()
