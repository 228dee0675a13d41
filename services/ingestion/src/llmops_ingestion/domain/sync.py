"""The sync use case: compare a source with its last sync and publish only the differences.

Unchanged entries publish nothing (most are not even read: their fingerprint matches), added and
modified ones are ingested (a modified one re-embeds only its changed chunks), and documents of
the source that are no longer listed get a tombstone. A failed entry keeps its previous version
and is dead-lettered with its reason; the rest of the sync goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from llmops_ingestion.domain.chunking import ChunkingPolicy
from llmops_ingestion.domain.documents import (
    ChangePublisher,
    DocumentRepository,
    DocumentResult,
    Outcome,
    Screener,
    SourceDocument,
    StoredDocument,
    SyncMark,
    delete_document,
    failed,
    ingest_document,
)
from llmops_ingestion.domain.reading import FormatOptions
from llmops_ingestion.domain.sources import EntryGone, Source, SourceEntry, UnreadableEntry


class SourceIndex(Protocol):
    async def in_source(self, tenant_id: str, source_key: str) -> dict[str, StoredDocument]:
        """The current (not deleted) documents last synced from the source, by id."""
        ...


class FailureSink(Protocol):
    async def dead_letter(self, tenant_id: str, document: SourceDocument, reason: str) -> None: ...


@dataclass(frozen=True)
class SyncContext:
    repository: DocumentRepository
    index: SourceIndex
    publisher: ChangePublisher
    failures: FailureSink
    chunking: ChunkingPolicy
    formats: FormatOptions
    screener: Screener | None = None  # always set by the service (personal data never goes out raw)


async def _sync_entry(
    tenant_id: str, source: Source, entry: SourceEntry, previous: StoredDocument | None, context: SyncContext
) -> DocumentResult:
    def unchanged() -> DocumentResult:
        assert previous is not None
        return DocumentResult(entry.document_id, previous.version, Outcome.UNCHANGED, previous.chunk_count, "")

    if entry.problem:
        raise UnreadableEntry(entry.problem)
    if previous is not None and entry.fingerprint and entry.fingerprint == previous.fingerprint:
        return unchanged()
    fetched = await source.fetch(entry, previous.fingerprint if previous else "")
    if fetched is None:
        if previous is None:  # "not modified" for something we never stored: fetch it whole next time
            raise UnreadableEntry("the origin answered 'not modified' to a first request")
        return unchanged()
    document = SourceDocument(
        entry.document_id, fetched.content, fetched.content_type, source_uri=entry.uri, metadata=source.metadata
    )
    result = await ingest_document(
        tenant_id, document, context.repository, context.publisher, context.chunking, context.formats,
        SyncMark(source.key, fetched.fingerprint), context.screener,
    )  # fmt: skip
    if result.outcome is Outcome.FAILED:
        await context.failures.dead_letter(tenant_id, document, result.detail)
    return result


async def sync_source(tenant_id: str, source: Source, context: SyncContext) -> list[DocumentResult]:
    entries = await source.entries()
    known = await context.index.in_source(tenant_id, source.key)
    results = []
    for entry in entries:
        try:
            results.append(await _sync_entry(tenant_id, source, entry, known.get(entry.document_id), context))
        except UnreadableEntry as error:
            results.append(failed(entry.document_id, str(error)))
            document = SourceDocument(entry.document_id, b"", None, source_uri=entry.uri)
            await context.failures.dead_letter(tenant_id, document, str(error))
        except EntryGone as error:
            if entry.document_id in known:
                results.append(await _delete(tenant_id, entry.document_id, str(error), context))
            else:
                results.append(failed(entry.document_id, str(error)))
    listed = {entry.document_id for entry in entries}
    for document_id in sorted(set(known) - listed):
        results.append(await _delete(tenant_id, document_id, "no longer in the source", context))
    return results


async def _delete(tenant_id: str, document_id: str, reason: str, context: SyncContext) -> DocumentResult:
    return await delete_document(tenant_id, document_id, context.repository, context.publisher, reason)
