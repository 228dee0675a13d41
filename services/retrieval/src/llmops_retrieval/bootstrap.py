"""Wires the retrieval service: Postgres (migrated), the indexer consumer, the Search gRPC API."""

from __future__ import annotations

from pathlib import Path

from psycopg_pool import AsyncConnectionPool

from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.auth.keys import KeyStore
from llmops_core.embedding_client import EmbeddingClient
from llmops_core.grpc_client import configure_service_auth
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.telemetry import setup_telemetry
from llmops_core.topics import DOCS_CHANGES, DOCS_EMBEDDED
from llmops_retrieval.adapters.chunk_store import PostgresChunkStore
from llmops_retrieval.domain.ranking import load_segmenter
from llmops_retrieval.entrypoints import subscribers
from llmops_retrieval.entrypoints.grpc_servicer import RetrievalServicer
from llmops_retrieval.settings import RetrievalSettings

MIGRATIONS = Path(__file__).with_name("migrations")


KEY_SCOPES = {"Search": "ask", "GetChunk": "ask", "GetIndexStats": "ingest"}


def chunk_store(pool: AsyncConnectionPool, settings: RetrievalSettings) -> PostgresChunkStore:
    return PostgresChunkStore(pool, settings.schema_name, settings.embedding_model, settings.hnsw_ef_search)


def build_server(settings: RetrievalSettings, store: PostgresChunkStore, embedder: EmbeddingClient) -> GrpcServer:
    registration = ServiceRegistration(
        retrieval_pb2.DESCRIPTOR.services_by_name["RetrievalService"],
        retrieval_pb2_grpc.add_RetrievalServiceServicer_to_server,
        RetrievalServicer(store, embedder),
        key_scopes=KEY_SCOPES,
    )
    return GrpcServer(settings, [registration], KeyStore(store.pool, settings.auth.key_cache_seconds))


async def main() -> None:
    settings = RetrievalSettings()
    configure_service_auth(settings.auth, settings.service_name)
    load_segmenter()  # jieba, before the first Chinese query or chunk
    telemetry = setup_telemetry(settings.service_name, settings.telemetry)
    pool = await open_pool(settings.postgres)
    await migrate(pool, settings.schema_name, MIGRATIONS)
    await KeyStore(pool).migrate()
    store = chunk_store(pool, settings)
    embedder = EmbeddingClient(settings.embedding_url)
    await ensure_topics(settings.kafka, [DOCS_EMBEDDED, DOCS_CHANGES])
    broker = build_broker(settings.kafka, client_id=settings.service_name)
    subscribers.register(broker, store, settings)
    try:
        async with broker:
            await build_server(settings, store, embedder).run_beside(broker.start())
    finally:
        await embedder.close()
        await pool.close()
        telemetry.shutdown()
