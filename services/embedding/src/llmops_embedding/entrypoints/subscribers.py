"""Kafka: every chunk on docs.chunks is embedded and published on docs.embedded."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, PermanentError, consumer_options, proto_decoder
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.domain.embedding import Embedder, embedded_chunk
from llmops_embedding.settings import EmbeddingSettings


def register(broker: KafkaBroker, embedder: Embedder, settings: EmbeddingSettings) -> None:
    publisher = EventPublisher(broker)

    @broker.subscriber(
        DOCS_CHUNKS,
        group_id=settings.consumer_group,
        decoder=proto_decoder(DocumentChunked),
        **consumer_options(settings.kafka),
    )
    async def embed_chunk(chunk: DocumentChunked) -> None:
        if not chunk.text.strip() or not chunk.chunk_id:
            raise PermanentError(f"chunk {chunk.chunk_id!r} of {chunk.document_id!r} has no text or no id")
        (vector,) = await embedder.embed([chunk.text])
        await publisher.publish(DOCS_EMBEDDED, chunk.document_id, embedded_chunk(chunk, vector, embedder.identity))
