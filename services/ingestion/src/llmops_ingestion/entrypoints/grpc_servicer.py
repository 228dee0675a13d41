"""gRPC IngestionService: IngestDocuments, SyncSource, DeleteDocuments, GetDocument, ListDocuments."""

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
from llmops_ingestion.adapters.change_publisher import CONTENT_TYPES
from llmops_ingestion.adapters.directory_source import DirectorySource, resolve_directory
from llmops_ingestion.adapters.document_repository import PostgresDocumentRepository
from llmops_ingestion.adapters.http_source import HttpSource, validate_urls
from llmops_ingestion.domain.documents import (
    DocumentResult,
    Outcome,
    SourceDocument,
    StoredDocument,
    delete_document,
    ingest_document,
)
from llmops_ingestion.domain.sources import Source
from llmops_ingestion.domain.sync import SyncContext, sync_source

MAX_DOCUMENTS = 1000
CONTENT_TYPE_OF = {proto: domain for domain, proto in CONTENT_TYPES.items()}
OUTCOMES = {
    Outcome.ADDED: ingestion_pb2.DOCUMENT_OUTCOME_ADDED,
    Outcome.MODIFIED: ingestion_pb2.DOCUMENT_OUTCOME_MODIFIED,
    Outcome.UNCHANGED: ingestion_pb2.DOCUMENT_OUTCOME_UNCHANGED,
    Outcome.FAILED: ingestion_pb2.DOCUMENT_OUTCOME_FAILED,
    Outcome.DELETED: ingestion_pb2.DOCUMENT_OUTCOME_DELETED,
}


def result_proto(result: DocumentResult) -> ingestion_pb2.DocumentResult:
    return ingestion_pb2.DocumentResult(
        document_id=result.document_id,
        version=result.version,
        outcome=OUTCOMES[result.outcome],
        chunk_count=result.chunk_count,
        detail=result.detail,
        chunks_published=result.published,
        chunks_reused=result.reused,
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


def _ids(document_ids: Sequence[str]) -> list[str]:
    if not 1 <= len(document_ids) <= MAX_DOCUMENTS:
        raise InvalidArgument(f"send 1-{MAX_DOCUMENTS} document ids per call, got {len(document_ids)}")
    return list(document_ids)


class IngestionServicer(ingestion_pb2_grpc.IngestionServiceServicer):
    def __init__(
        self,
        sync: SyncContext,
        documents: PostgresDocumentRepository,
        events: EventPublisher,
        source_roots: list[str],
        allowed_url_prefixes: list[str],
        max_file_bytes: int,
    ) -> None:
        self.sync = sync
        self.documents = documents
        self.events = events
        self.source_roots = source_roots
        self.allowed_url_prefixes = allowed_url_prefixes
        self.max_file_bytes = max_file_bytes

    async def _report(self, tenant_id: str, source: str, results: list[DocumentResult]) -> ingestion_pb2.IngestReport:
        def count(outcome: Outcome) -> int:
            return sum(r.outcome is outcome for r in results)

        report = ingestion_pb2.IngestReport(
            envelope=new_envelope(tenant_id, "ingestion"),
            run_id=str(uuid.uuid4()),
            source=source,
            documents_seen=len(results),
            documents_added=count(Outcome.ADDED),
            documents_modified=count(Outcome.MODIFIED),
            documents_unchanged=count(Outcome.UNCHANGED),
            documents_failed=count(Outcome.FAILED),
            documents_deleted=count(Outcome.DELETED),
            chunks_published=sum(r.published for r in results),
            chunks_reused=sum(r.reused for r in results),
            results=[result_proto(r) for r in results],
        )
        await self.events.publish(INGEST_REPORTS, tenant_id, report)
        return report

    def _source(self, request: ingestion_pb2.SyncSourceRequest) -> Source:
        which = request.WhichOneof("source")
        if which == "directory":
            return DirectorySource(resolve_directory(request.directory, self.source_roots), self.max_file_bytes)
        if which == "urls":
            urls = validate_urls(request.urls.name, list(request.urls.urls), self.allowed_url_prefixes)
            return HttpSource(request.urls.name, urls, self.max_file_bytes)
        raise InvalidArgument("name a source: directory or urls")

    async def IngestDocuments(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.IngestDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.IngestDocumentsResponse:
        tenant_id = require_tenant(request.tenant_id)
        if not 1 <= len(request.documents) <= MAX_DOCUMENTS:
            raise InvalidArgument(f"send 1-{MAX_DOCUMENTS} documents per call, got {len(request.documents)}")
        results = []
        for d in request.documents:
            document = SourceDocument(
                d.document_id, d.content, CONTENT_TYPE_OF.get(d.content_type), d.title, d.source_uri, dict(d.metadata)
            )
            result = await ingest_document(
                tenant_id, document, self.sync.repository, self.sync.publisher, self.sync.chunking,
                self.sync.formats, screener=self.sync.screener,
            )  # fmt: skip
            if result.outcome is Outcome.FAILED:
                await self.sync.failures.dead_letter(tenant_id, document, result.detail)
            results.append(result)
        await self._report(tenant_id, "api", results)
        return ingestion_pb2.IngestDocumentsResponse(results=[result_proto(r) for r in results])

    async def SyncSource(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.SyncSourceRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.IngestReport:
        tenant_id = require_tenant(request.tenant_id)
        source = self._source(request)
        results = await sync_source(tenant_id, source, self.sync)
        return await self._report(tenant_id, source.label, results)

    async def DeleteDocuments(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.DeleteDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.DeleteDocumentsResponse:
        tenant_id = require_tenant(request.tenant_id)
        results = [
            await delete_document(tenant_id, d, self.sync.repository, self.sync.publisher, "deleted through the API")
            for d in _ids(request.document_ids)
        ]
        await self._report(tenant_id, "api", results)
        return ingestion_pb2.DeleteDocumentsResponse(results=[result_proto(r) for r in results])

    async def GetDocument(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.GetDocumentRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.Document:
        tenant_id = require_tenant(request.tenant_id)
        if "\x00" in request.document_id:  # none was stored (and PostgreSQL text cannot hold it)
            raise InvalidArgument("document_id must not contain NUL characters")
        found = await self.documents.get_with_time(tenant_id, request.document_id)
        if found is None:
            raise NotFound(f"no document {request.document_id[:200]!r} for tenant {tenant_id!r}")
        if found[0].deleted:
            raise NotFound(f"document {request.document_id!r} was deleted (version {found[0].version})")
        return document_proto(*found)

    async def ListDocuments(  # noqa: N802 (gRPC method name)
        self, request: ingestion_pb2.ListDocumentsRequest, context: grpc.aio.ServicerContext
    ) -> ingestion_pb2.ListDocumentsResponse:
        tenant_id = require_tenant(request.tenant_id)
        offset, size = page_window(request.page.page_size, request.page.page_token)
        rows = await self.documents.page(tenant_id, offset, size + 1)
        return ingestion_pb2.ListDocumentsResponse(
            documents=[document_proto(*row) for row in rows[:size]],
            next_page_token=next_page_token(offset, size, len(rows) > size),
        )
