"""gRPC IngestionService: IngestDocuments, SyncSource, GetDocument, ListDocuments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import grpc

from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops_core.errors import InvalidArgument, NotFound
from llmops_core.kafka import EventPublisher, new_envelope
from llmops_core.topics import INGEST_REPORTS
from llmops_core.validation import next_page_token, page_window, require_tenant
from llmops_ingestion.adapters.document_repository import PostgresDocumentRepository
from llmops_ingestion.domain.chunking import ChunkingPolicy
from llmops_ingestion.domain.documents import (
    ChunkPublisher,
    DocumentResult,
    Outcome,
    SourceDocument,
    StoredDocument,
    ingest_document,
)
from llmops_ingestion.domain.extraction import ContentType
from llmops_ingestion.domain.sources import read_directory, resolve_directory

MAX_DOCUMENTS = 1000
CONTENT_TYPES = {
    ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT: ContentType.PLAIN_TEXT,
    ingestion_pb2.CONTENT_TYPE_MARKDOWN: ContentType.MARKDOWN,
    ingestion_pb2.CONTENT_TYPE_HTML: ContentType.HTML,
}
OUTCOMES = {
    Outcome.INGESTED: ingestion_pb2.DOCUMENT_OUTCOME_INGESTED,
    Outcome.SKIPPED_UNCHANGED: ingestion_pb2.DOCUMENT_OUTCOME_SKIPPED_UNCHANGED,
    Outcome.REJECTED: ingestion_pb2.DOCUMENT_OUTCOME_REJECTED,
    Outcome.RETIRED: ingestion_pb2.DOCUMENT_OUTCOME_RETIRED,
}


def result_proto(result: DocumentResult) -> ingestion_pb2.DocumentResult:
    return ingestion_pb2.DocumentResult(
        document_id=result.document_id,
        version=result.version,
        outcome=OUTCOMES[result.outcome],
        chunk_count=result.chunk_count,
        detail=result.detail,
    )


def document_proto(document: StoredDocument, updated_at: datetime) -> ingestion_pb2.Document:
    proto = ingestion_pb2.Document(
        document_id=document.document_id,
        version=document.version,
        title=document.title,
        source_uri=document.source_uri,
        content_hash=document.content_hash,
        chunk_count=document.chunk_count,
        metadata=document.metadata,
    )
    proto.updated_at.FromDatetime(updated_at)
    return proto


class IngestionServicer(ingestion_pb2_grpc.IngestionServiceServicer):
    def __init__(
        self,
        repository: PostgresDocumentRepository,
        chunks: ChunkPublisher,
        events: EventPublisher,
        source_roots: list[str],
        chunking: ChunkingPolicy,
    ) -> None:
        self.repository = repository
        self.chunks = chunks
        self.events = events
        self.source_roots = source_roots
        self.chunking = chunking

    async def _ingest(self, tenant_id: str, documents: Sequence[SourceDocument]) -> list[DocumentResult]:
        return [await ingest_document(tenant_id, d, self.repository, self.chunks, self.chunking) for d in documents]

    async def _report(self, tenant_id: str, source: str, results: list[DocumentResult]) -> ingestion_pb2.IngestReport:
        def count(outcome: Outcome) -> int:
            return sum(r.outcome is outcome for r in results)

        report = ingestion_pb2.IngestReport(
            envelope=new_envelope(tenant_id, "ingestion"),
            run_id=str(uuid.uuid4()),
            source=source,
            documents_seen=len(results),
            documents_ingested=count(Outcome.INGESTED),
            documents_skipped=count(Outcome.SKIPPED_UNCHANGED),
            documents_rejected=count(Outcome.REJECTED),
            documents_retired=count(Outcome.RETIRED),
            chunks_published=sum(r.chunk_count for r in results if r.outcome is Outcome.INGESTED),
            results=[result_proto(r) for r in results],
        )
        await self.events.publish(INGEST_REPORTS, tenant_id, report)
        return report

    async def IngestDocuments(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.IngestDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.IngestDocumentsResponse:
        tenant_id = require_tenant(request.tenant_id)
        if not 1 <= len(request.documents) <= MAX_DOCUMENTS:
            raise InvalidArgument(f"send 1-{MAX_DOCUMENTS} documents per call, got {len(request.documents)}")
        documents = [
            SourceDocument(
                d.document_id, d.content, CONTENT_TYPES.get(d.content_type), d.title, d.source_uri, dict(d.metadata)
            )
            for d in request.documents
        ]
        results = await self._ingest(tenant_id, documents)
        await self._report(tenant_id, "api", results)
        return ingestion_pb2.IngestDocumentsResponse(results=[result_proto(r) for r in results])

    async def SyncSource(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.SyncSourceRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.IngestReport:
        tenant_id = require_tenant(request.tenant_id)
        path = resolve_directory(request.directory, self.source_roots)
        documents = read_directory(path)
        results = await self._ingest(tenant_id, documents)
        retired = await self.repository.retire_missing(
            tenant_id, path.as_uri() + "/", {d.document_id for d in documents}
        )
        results += [DocumentResult(d, 0, Outcome.RETIRED, 0, "file no longer in the source") for d in retired]
        return await self._report(tenant_id, str(path), results)

    async def GetDocument(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.GetDocumentRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.Document:
        tenant_id = require_tenant(request.tenant_id)
        found = await self.repository.get_with_time(tenant_id, request.document_id)
        if found is None:
            raise NotFound(f"no document {request.document_id!r} for tenant {tenant_id!r}")
        return document_proto(*found)

    async def ListDocuments(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.ListDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.ListDocumentsResponse:
        tenant_id = require_tenant(request.tenant_id)
        offset, size = page_window(request.page.page_size, request.page.page_token)
        rows = await self.repository.page(tenant_id, offset, size + 1)
        return ingestion_pb2.ListDocumentsResponse(
            documents=[document_proto(*row) for row in rows[:size]],
            next_page_token=next_page_token(offset, size, len(rows) > size),
        )
