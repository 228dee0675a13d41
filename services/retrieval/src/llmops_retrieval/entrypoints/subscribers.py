"""Kafka: the indexer upserts every embedded chunk into the chunk store."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops_core.kafka import PermanentError, consumer_options, proto_decoder
from llmops_core.topics import DOCS_EMBEDDED
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
        await store.upsert(event)
