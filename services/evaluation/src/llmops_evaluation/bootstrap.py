"""Wires the evaluation service: Postgres scores, the embedding client, consumers, gRPC."""

from __future__ import annotations

from pathlib import Path

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops_core.auth.keys import KeyStore
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, DRIFT_ACTIONS, DRIFT_ALERTS, FEEDBACK
from llmops_evaluation.adapters.alert_publisher import KafkaAlertPublisher
from llmops_evaluation.adapters.drift_policy_file import load_drift_policies
from llmops_evaluation.adapters.drift_store import PostgresDriftStore
from llmops_evaluation.adapters.feedback_store import PostgresFeedbackStore
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.adapters.webhook import HttpWebhook
from llmops_evaluation.drift_use_cases import DriftLoop
from llmops_evaluation.entrypoints import subscribers
from llmops_evaluation.entrypoints.grpc_servicer import EvaluationServicer
from llmops_evaluation.settings import EvaluationSettings
from llmops_grounding import load_models

MIGRATIONS = Path(__file__).with_name("migrations")
# A product app may read the score of its own answers; suites, on-demand scoring and drift are for admins.
KEY_SCOPES = {
    "GetAnswerScore": "ask",
    "RunSuite": "admin",
    "ScoreAnswer": "admin",
    "GetDriftState": "admin",
    "ResetDrift": "admin",
    "ListReviewAnswers": "admin",
    "GetKnowledgeGaps": "admin",
}


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
    feedback = PostgresFeedbackStore(pool, settings.schema_name)
    await ensure_topics(settings.kafka, [ANSWERS, ANSWERS_SCORED, FEEDBACK, DRIFT_ALERTS, DRIFT_ACTIONS])
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    alerts = KafkaAlertPublisher(EventPublisher(broker))
    drift = DriftLoop(
        PostgresDriftStore(pool, settings.schema_name),
        alerts,
        settings.drift_config(),
        load_drift_policies(settings.drift_policies_file),
        store,
        HttpWebhook(),
    )
    subscribers.register(broker, embedder, store, feedback, drift, settings)
    registration = ServiceRegistration(
        evaluation_pb2.DESCRIPTOR.services_by_name["EvaluationService"],
        evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server,
        EvaluationServicer(store, drift, feedback, query, embedder, settings),
        key_scopes=KEY_SCOPES,
    )
    try:
        async with broker:
            await GrpcServer(settings, [registration], keys).run_beside(broker.start())
    finally:
        await embedder.close()
        await query.close()
        await pool.close()
        telemetry.shutdown()
