"""The per-document use cases: ingest one document version, delete one document.

A new version publishes only the chunks that the previous version did not have (chunk ids are
content ids), then the version's manifest on ``docs.changes``; retrieval switches to the version
once every chunk in the manifest is indexed. The record is written last, under a per-document
lock, so a run that dies halfway is redone whole by the next run and two concurrent runs never
compute the same version number.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Protocol

from llmops.ingestion.v1.events_pb2 import (
    DocumentChange,
    DocumentChunked,
    DocumentDeleted,
    ManifestChunk,
    VersionManifest,
)
from llmops_core.errors import Unavailable
from llmops_core.kafka import new_envelope
from llmops_ingestion.domain.chunking import ChunkingPolicy, EstimatedTokens, chunk_ids, chunk_sections, content_hash
from llmops_ingestion.domain.extraction import ContentType
from llmops_ingestion.domain.reading import FormatOptions, UnreadableDocument, read_document

MAX_BYTES = 10 * 1024 * 1024  # one document sent inline through the API
MAX_METADATA = 32  # entries of a document's metadata
DOCUMENT_ID = re.compile(r"\A\S{1,200}\Z")
# Without the embedding model's tokenizer, chunks are sized by an estimate of its word pieces.
ESTIMATED_CHUNKING = ChunkingPolicy(EstimatedTokens())
HEADING_PATH = "heading_path"  # chunk metadata key: "Fares > Refunds"


class Outcome(Enum):
    ADDED = "added"
    MODIFIED = "modified"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    FAILED = "failed"


@dataclass(frozen=True)
class SourceDocument:
    document_id: str
    content: bytes
    content_type: ContentType | None
    title: str = ""
    source_uri: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredDocument:
    """The current version of a document as ingestion last published it."""

    document_id: str
    version: int
    content_hash: str
    title: str
    source_uri: str
    chunk_ids: tuple[str, ...]
    metadata: dict[str, str]
    deleted: bool = False
    source_key: str = ""  # which source it came from ("" for the API), to notice when it leaves
    fingerprint: str = ""  # the source's change marker (size+mtime, ETag), to skip reading unchanged files

    @property
    def chunk_count(self) -> int:
        return len(self.chunk_ids)


@dataclass(frozen=True)
class DocumentResult:
    document_id: str
    version: int
    outcome: Outcome
    chunk_count: int
    detail: str
    published: int = 0  # chunks sent for embedding
    reused: int = 0  # chunks carried over from the previous version


@dataclass(frozen=True)
class SyncMark:
    """Where a document came from, recorded with it so the next sync can compare."""

    source_key: str = ""
    fingerprint: str = ""


class DocumentRecord(Protocol):
    """One document's record, held under that document's lock."""

    async def current(self) -> StoredDocument | None: ...

    async def save(self, document: StoredDocument) -> None: ...


class DocumentRepository(Protocol):
    def lock(self, tenant_id: str, document_id: str) -> AbstractAsyncContextManager[DocumentRecord]: ...


@dataclass(frozen=True)
class ScreenedText:
    text: str  # redacted where the tenant's policy says so
    redacted: tuple[str, ...] = ()  # rules that changed the text, e.g. "pii.email"


class Screener(Protocol):
    """Personal data screening of a document's chunks under the tenant's policy (guardrails)."""

    async def screen(self, tenant_id: str, document_id: str, texts: list[str]) -> list[ScreenedText]: ...


class ChangePublisher(Protocol):
    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None: ...

    async def publish_change(self, change: DocumentChange) -> None: ...


def _rejection(document: SourceDocument) -> str | None:
    if not DOCUMENT_ID.match(document.document_id):
        return "document_id must be 1-200 characters without whitespace"
    if len(document.metadata) > MAX_METADATA:
        return f"metadata has {len(document.metadata)} entries; the most is {MAX_METADATA}"
    # PostgreSQL text and jsonb cannot hold NUL (U+0000); the record would fail after the chunks went out.
    texts = [document.document_id, document.title, document.source_uri, *document.metadata, *document.metadata.values()]
    if any("\x00" in text for text in texts):
        return "document_id, title, source_uri and metadata must not contain NUL characters"
    if not document.content:
        return "the content is empty"
    if len(document.content) > MAX_BYTES:
        return f"content is {len(document.content)} bytes; the limit is {MAX_BYTES}"
    if document.content_type is None:
        return "content_type is not set"
    return None


def _chunk_metadata(document_metadata: dict[str, str], heading_path: str) -> dict[str, str]:
    return {**document_metadata, HEADING_PATH: heading_path} if heading_path else document_metadata


def failed(document_id: str, reason: str) -> DocumentResult:
    return DocumentResult(document_id, 0, Outcome.FAILED, 0, reason)


async def ingest_document(
    tenant_id: str,
    document: SourceDocument,
    repository: DocumentRepository,
    publisher: ChangePublisher,
    chunking: ChunkingPolicy = ESTIMATED_CHUNKING,
    formats: FormatOptions | None = None,
    mark: SyncMark | None = None,
    screener: Screener | None = None,
) -> DocumentResult:
    """One document; a bad document fails with a reason and never stops the others.

    The service always passes a ``screener``; without one (unit tests of versioning) chunks are
    published as extracted.
    """
    reason = _rejection(document)
    if reason is not None or document.content_type is None:
        return failed(document.document_id, reason or "")
    try:
        # Parsing and repair are CPU work (about 30 ms a PDF page): off the event loop, so one large
        # file does not stall the service's other calls.
        read = await asyncio.to_thread(
            read_document, document.content, document.content_type, formats or FormatOptions()
        )
    except UnreadableDocument as error:
        return failed(document.document_id, str(error))
    title = document.title or read.extracted.title or document.document_id
    chunks = await asyncio.to_thread(chunk_sections, read.extracted.sections, chunking)
    if not chunks:
        return failed(document.document_id, "no text left after extraction")
    detail = read.detail
    digest = content_hash(title, read.extracted.text)
    mark = mark or SyncMark()
    async with repository.lock(tenant_id, document.document_id) as record:
        current = await record.current()
        if current is not None and not current.deleted and current.content_hash == digest:
            if (current.source_key, current.fingerprint) != (mark.source_key, mark.fingerprint):
                await record.save(replace(current, source_key=mark.source_key, fingerprint=mark.fingerprint))
            return DocumentResult(document.document_id, current.version, Outcome.UNCHANGED, current.chunk_count, detail)
        if screener is not None:
            # Before ids and events: what is published, embedded and quoted in answers is the screened
            # text. Only new content is screened: an unchanged document was screened when it was new.
            # A screener that is down fails the call (UNAVAILABLE), not the document: the document is
            # fine, and a FAILED one is dead-lettered as unreadable (docs.sources.dlq). Sending it again
            # once guardrails is back ingests it.
            try:
                screened = await screener.screen(tenant_id, document.document_id, [c.text for c in chunks])
            except Unavailable as error:
                raise Unavailable(
                    f"{document.document_id} not ingested: it could not be screened for personal data ({error})"
                ) from error
            chunks = [replace(c, text=s.text) for c, s in zip(chunks, screened, strict=True)]
            redacted = sorted({rule for s in screened for rule in s.redacted})
            if redacted:
                detail += f"; redacted {', '.join(redacted)}"
        metadata = [_chunk_metadata(document.metadata, chunk.heading_path) for chunk in chunks]
        ids = chunk_ids(document.document_id, title, [(c.text, m) for c, m in zip(chunks, metadata, strict=True)])
        version = current.version + 1 if current else 1
        previous = set(current.chunk_ids) if current is not None and not current.deleted else set()
        new = [
            DocumentChunked(
                envelope=new_envelope(tenant_id, "ingestion"),
                document_id=document.document_id,
                document_version=version,
                chunk_id=id_,
                chunk_index=chunk.index,
                chunk_count=len(chunks),
                text=chunk.text,
                title=title,
                source_uri=document.source_uri,
                language=chunk.language,
                metadata=meta,
            )
            for chunk, id_, meta in zip(chunks, ids, metadata, strict=True)
            if id_ not in previous
        ]
        await publisher.publish_chunks(new)
        manifest = VersionManifest(
            chunks=[ManifestChunk(chunk_id=id_, chunk_index=i) for i, id_ in enumerate(ids)],
            title=title,
            source_uri=document.source_uri,
        )
        await publisher.publish_change(
            DocumentChange(
                envelope=new_envelope(tenant_id, "ingestion"),
                document_id=document.document_id,
                document_version=version,
                manifest=manifest,
            )
        )
        # Recorded only after the chunks and the manifest are acknowledged: a crash in between
        # publishes the same version (same ids) again on the next run, which downstream upserts absorb.
        await record.save(
            StoredDocument(
                document.document_id,
                version,
                digest,
                title,
                document.source_uri,
                tuple(ids),
                document.metadata,
                source_key=mark.source_key,
                fingerprint=mark.fingerprint,
            )
        )
    outcome = Outcome.ADDED if current is None or current.deleted else Outcome.MODIFIED
    return DocumentResult(document.document_id, version, outcome, len(chunks), detail, len(new), len(chunks) - len(new))


async def delete_document(
    tenant_id: str, document_id: str, repository: DocumentRepository, publisher: ChangePublisher, reason: str
) -> DocumentResult:
    """Publishes a tombstone (a new version) so the document leaves search results."""
    if "\x00" in document_id:  # none was stored (and PostgreSQL text cannot hold it)
        return failed(document_id, "document_id must not contain NUL characters")
    async with repository.lock(tenant_id, document_id) as record:
        current = await record.current()
        if current is None or current.deleted:
            return failed(document_id, f"no document {document_id!r} to delete")
        version = current.version + 1
        await publisher.publish_change(
            DocumentChange(
                envelope=new_envelope(tenant_id, "ingestion"),
                document_id=document_id,
                document_version=version,
                deleted=DocumentDeleted(reason=reason),
            )
        )
        await record.save(replace(current, version=version, chunk_ids=(), deleted=True))
    return DocumentResult(document_id, version, Outcome.DELETED, 0, reason)
