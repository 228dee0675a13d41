"""Kafka: the indexer stores embedded chunks and applies version manifests and tombstones."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChange
from llmops_core.kafka import PermanentError, consumer_options, proto_decoder
from llmops_core.topics import DOCS_CHANGES, DOCS_EMBEDDED
from llmops_retrieval.adapters.chunk_store import PostgresChunkStore
from llmops_retrieval.domain.search import DIMENSIONS
from llmops_retrieval.settings import RetrievalSettings


def register(broker: KafkaBroker, store: PostgresChunkStore, settings: RetrievalSettings) -> None:
    @broker.subscriber(
        DOCS_EMBEDDED,
        group_id=settings.consumer_group,
        decoder=proto_decoder(ChunkEmbedded),
        **consumer_options(settings.kafka),
    )
    async def index_chunk(event: ChunkEmbedded) -> None:
        if len(event.vector) != DIMENSIONS:
            raise PermanentError(f"chunk {event.chunk.chunk_id} has a {len(event.vector)}-d vector; need {DIMENSIONS}")
        if not event.envelope.tenant_id:
            raise PermanentError(f"chunk {event.chunk.chunk_id} has no tenant_id")
        await store.index_chunk(event)

    @broker.subscriber(
        DOCS_CHANGES,
        group_id=settings.consumer_group,
        decoder=proto_decoder(DocumentChange),
        **consumer_options(settings.kafka),
    )
    async def apply_change(change: DocumentChange) -> None:
        if not change.envelope.tenant_id or not change.document_id or not change.document_version:
            raise PermanentError(f"change of {change.document_id!r} lacks a tenant, document id or version")
        if change.WhichOneof("change") is None:
            raise PermanentError(f"change of {change.document_id!r} is neither a manifest nor a tombstone")
        await store.apply_change(change)
