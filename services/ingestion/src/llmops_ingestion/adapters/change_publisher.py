"""Kafka: chunks on docs.chunks and version changes on docs.changes, both keyed by document id.

Failed source documents go to ``docs.sources.dlq`` (a SourceDocument without its content, with the
reason in the standard dead-letter headers) so analysts and the telemetry service see them beside
every other dead letter. The content stays out: it was never screened for personal data, and the
file is still at its source. There is nothing to replay them into: fix the file and sync again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from llmops.ingestion.v1 import ingestion_pb2
from llmops.ingestion.v1.events_pb2 import DocumentChange, DocumentChunked
from llmops_core.kafka import EventPublisher
from llmops_core.kafka.dead_letter import HEADER_ERROR, HEADER_ERROR_TYPE, HEADER_ORIGIN
from llmops_core.topics import DOCS_CHANGES, DOCS_CHUNKS, DOCS_SOURCES_DLQ
from llmops_ingestion.domain.documents import SourceDocument
from llmops_ingestion.domain.extraction import ContentType

CONTENT_TYPES = {
    ContentType.PLAIN_TEXT: ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT,
    ContentType.MARKDOWN: ingestion_pb2.CONTENT_TYPE_MARKDOWN,
    ContentType.HTML: ingestion_pb2.CONTENT_TYPE_HTML,
    ContentType.PDF: ingestion_pb2.CONTENT_TYPE_PDF,
    ContentType.DOCX: ingestion_pb2.CONTENT_TYPE_DOCX,
    ContentType.CSV: ingestion_pb2.CONTENT_TYPE_CSV,
    ContentType.JSON: ingestion_pb2.CONTENT_TYPE_JSON,
    ContentType.JSONL: ingestion_pb2.CONTENT_TYPE_JSONL,
}


class KafkaChangePublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self.broker = broker
        self.events = EventPublisher(broker)

    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None:
        # Sent together so the producer batches them; the manifest goes out only after all are acked.
        await asyncio.gather(*(self.events.publish(DOCS_CHUNKS, c.document_id, c) for c in chunks))

    async def publish_change(self, change: DocumentChange) -> None:
        await self.events.publish(DOCS_CHANGES, change.document_id, change)

    async def dead_letter(self, tenant_id: str, document: SourceDocument, reason: str) -> None:
        record = ingestion_pb2.SourceDocument(
            document_id=document.document_id,
            content_type=CONTENT_TYPES.get(document.content_type) if document.content_type else None,
            source_uri=document.source_uri,
            metadata=document.metadata,
        )
        headers = {
            "content-type": "application/x-protobuf",
            "event-type": record.DESCRIPTOR.full_name,
            "tenant-id": tenant_id,
            HEADER_ERROR: reason[:2000],
            HEADER_ERROR_TYPE: "UnreadableDocument",
            HEADER_ORIGIN: document.source_uri or f"api/{document.document_id}",
            "x-dlq-group": "ingestion",
        }
        await self.broker.publish(
            record.SerializeToString(), DOCS_SOURCES_DLQ, key=document.document_id.encode(), headers=headers
        )
