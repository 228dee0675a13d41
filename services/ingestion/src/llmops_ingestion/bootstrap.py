"""Wires the ingestion service: Postgres (migrated), Kafka publisher, the gRPC API."""

from __future__ import annotations

import logging
from pathlib import Path

from faststream.kafka import KafkaBroker
from psycopg_pool import AsyncConnectionPool

from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops_core.auth.keys import KeyStore
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import DOCS_CHANGES, DOCS_CHUNKS, DOCS_SOURCES_DLQ, INGEST_REPORTS
from llmops_ingestion.adapters.change_publisher import KafkaChangePublisher
from llmops_ingestion.adapters.document_repository import PostgresDocumentRepository
from llmops_ingestion.adapters.guardrails_screener import GuardrailsScreener
from llmops_ingestion.domain.chunking import ChunkingPolicy, EstimatedTokens, TokenCounter, WordPieceTokens
from llmops_ingestion.domain.reading import FormatOptions
from llmops_ingestion.domain.sync import SyncContext
from llmops_ingestion.entrypoints.grpc_servicer import IngestionServicer
from llmops_ingestion.settings import IngestionSettings

MIGRATIONS = Path(__file__).with_name("migrations")
logger = logging.getLogger(__name__)


def chunking_policy(settings: IngestionSettings) -> ChunkingPolicy:
    counter: TokenCounter
    if settings.tokenizer_path.is_file():
        counter = WordPieceTokens(settings.tokenizer_path)
    else:
        logger.warning(
            "tokenizer %s not found (run `make setup`, or set LLMOPS_INGESTION_TOKENIZER_PATH); chunks are"
            " sized by a character estimate of the embedding model's tokens",
            settings.tokenizer_path,
        )
        counter = EstimatedTokens()
    return ChunkingPolicy(counter, settings.chunk_max_tokens, settings.chunk_overlap)


KEY_SCOPES = dict.fromkeys(
    ["IngestDocuments", "SyncSource", "DeleteDocuments", "GetDocument", "ListDocuments"], "ingest"
)


def build_server(settings: IngestionSettings, pool: AsyncConnectionPool, broker: KafkaBroker) -> GrpcServer:
    documents = PostgresDocumentRepository(pool, settings.schema_name)
    changes = KafkaChangePublisher(broker)
    formats = FormatOptions(
        json_text_fields=tuple(settings.json_text_fields), json_title_field=settings.json_title_field
    )
    screener = GuardrailsScreener(settings.guardrails_url)
    sync = SyncContext(documents, documents, changes, changes, chunking_policy(settings), formats, screener)
    servicer = IngestionServicer(
        sync,
        documents,
        EventPublisher(broker),
        settings.source_roots,
        settings.allowed_url_prefixes,
        settings.max_file_bytes,
    )
    registration = ServiceRegistration(
        ingestion_pb2.DESCRIPTOR.services_by_name["IngestionService"],
        ingestion_pb2_grpc.add_IngestionServiceServicer_to_server,
        servicer,
        key_scopes=KEY_SCOPES,
    )
    return GrpcServer(settings, [registration], KeyStore(pool, settings.auth.key_cache_seconds))


async def main() -> None:
    settings = IngestionSettings()
    configure_service_auth(settings.auth, settings.service_name)
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    pool = await open_pool(settings.postgres)
    await migrate(pool, settings.schema_name, MIGRATIONS)
    await KeyStore(pool).migrate()
    await ensure_topics(
        settings.kafka, [DOCS_CHUNKS, DOCS_CHANGES, INGEST_REPORTS], dead_letter_only=[DOCS_SOURCES_DLQ]
    )
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    try:
        async with broker:
            await broker.connect()
            await build_server(settings, pool, broker).run()
    finally:
        await pool.close()
        telemetry.shutdown()
