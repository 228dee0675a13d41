"""The ingestion use case: validate, decode, extract, chunk, version, publish, record."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import new_envelope
from llmops_ingestion.domain.chunking import (
    ChunkingPolicy,
    EstimatedTokens,
    chunk_id,
    chunk_sections,
    content_hash,
)
from llmops_ingestion.domain.decoding import UndecodableDocument, decode_document
from llmops_ingestion.domain.extraction import ContentType, extract

MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_ID = re.compile(r"^\S{1,200}$")
# Without the embedding model's tokenizer, chunks are sized by an estimate of its word pieces.
ESTIMATED_CHUNKING = ChunkingPolicy(EstimatedTokens())
HEADING_PATH = "heading_path"  # chunk metadata key: "Fares > Refunds"


class Outcome(Enum):
    INGESTED = "ingested"
    SKIPPED_UNCHANGED = "skipped_unchanged"
    REJECTED = "rejected"
    RETIRED = "retired"


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
    document_id: str
    version: int
    content_hash: str
    title: str
    source_uri: str
    chunk_count: int
    metadata: dict[str, str]
    retired: bool = False


@dataclass(frozen=True)
class DocumentResult:
    document_id: str
    version: int
    outcome: Outcome
    chunk_count: int
    detail: str


class DocumentRepository(Protocol):
    async def get(self, tenant_id: str, document_id: str) -> StoredDocument | None: ...

    async def save(self, tenant_id: str, document: StoredDocument) -> None: ...


class ChunkPublisher(Protocol):
    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None: ...


def _rejection(document: SourceDocument) -> str | None:
    if not DOCUMENT_ID.match(document.document_id):
        return "document_id must be 1-200 characters without whitespace"
    if not document.content:
        return "content is empty"
    if len(document.content) > MAX_BYTES:
        return f"content is {len(document.content)} bytes; the limit is {MAX_BYTES}"
    if document.content_type is None:
        return "content_type is not set (plain text, Markdown or HTML)"
    return None


def _chunk_metadata(document_metadata: dict[str, str], heading_path: str) -> dict[str, str]:
    return {**document_metadata, HEADING_PATH: heading_path} if heading_path else document_metadata


async def ingest_document(
    tenant_id: str,
    document: SourceDocument,
    repository: DocumentRepository,
    publisher: ChunkPublisher,
    chunking: ChunkingPolicy = ESTIMATED_CHUNKING,
) -> DocumentResult:
    """One document; a bad document is rejected with a reason and never stops the others."""
    reason = _rejection(document)
    if reason is not None or document.content_type is None:
        return DocumentResult(document.document_id, 0, Outcome.REJECTED, 0, reason or "")
    try:
        decoded = decode_document(document.content)
    except UndecodableDocument as error:
        return DocumentResult(document.document_id, 0, Outcome.REJECTED, 0, str(error))
    extracted = extract(decoded.text, document.content_type)
    title = document.title or extracted.title or document.document_id
    chunks = chunk_sections(extracted.sections, chunking)
    if not chunks:
        return DocumentResult(document.document_id, 0, Outcome.REJECTED, 0, "no text left after extraction")
    digest = content_hash(title, extracted.text)
    current = await repository.get(tenant_id, document.document_id)
    if current is not None and current.content_hash == digest and not current.retired:
        return DocumentResult(document.document_id, current.version, Outcome.SKIPPED_UNCHANGED, current.chunk_count, "")
    version = current.version + 1 if current else 1
    await publisher.publish_chunks(
        [
            DocumentChunked(
                envelope=new_envelope(tenant_id, "ingestion"),
                document_id=document.document_id,
                document_version=version,
                chunk_id=chunk_id(document.document_id, version, chunk.text),
                chunk_index=chunk.index,
                chunk_count=len(chunks),
                text=chunk.text,
                title=title,
                source_uri=document.source_uri,
                language=chunk.language,
                metadata=_chunk_metadata(document.metadata, chunk.heading_path),
            )
            for chunk in chunks
        ]
    )
    # Recorded only after every chunk is acknowledged: a crash in between re-publishes the same
    # chunk ids on the next run, which downstream upserts absorb.
    await repository.save(
        tenant_id,
        StoredDocument(
            document.document_id, version, digest, title, document.source_uri, len(chunks), document.metadata
        ),
    )
    return DocumentResult(document.document_id, version, Outcome.INGESTED, len(chunks), decoded.detail)
