"""Chunk events on docs.chunks, keyed by document id so a document's chunks stay in order."""

from __future__ import annotations

from collections.abc import Sequence

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher
from llmops_core.topics import DOCS_CHUNKS


class KafkaChunkPublisher:
    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher

    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None:
        for chunk in chunks:
            await self.publisher.publish(DOCS_CHUNKS, chunk.document_id, chunk)
