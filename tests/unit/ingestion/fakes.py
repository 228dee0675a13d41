"""In-memory stand-ins for the ingestion use cases' ports (the real ones are tested in integration)."""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from llmops.ingestion.v1.events_pb2 import DocumentChange, DocumentChunked
from llmops_core.errors import Unavailable
from llmops_ingestion.domain.documents import ScreenedText, SourceDocument, StoredDocument
from llmops_ingestion.domain.extraction import content_type_for
from llmops_ingestion.domain.sources import EntryGone, Fetched, SourceEntry, UnreadableEntry


class MemoryRecord:
    def __init__(self, repository: MemoryRepository, key: tuple[str, str]) -> None:
        self.repository = repository
        self.key = key

    async def current(self) -> StoredDocument | None:
        return self.repository.documents.get(self.key)

    async def save(self, document: StoredDocument) -> None:
        self.repository.documents[self.key] = document


class MemoryRepository:
    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], StoredDocument] = {}
        self.locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    @asynccontextmanager
    async def lock(self, tenant_id: str, document_id: str) -> AsyncIterator[MemoryRecord]:
        async with self.locks[(tenant_id, document_id)]:
            yield MemoryRecord(self, (tenant_id, document_id))

    async def in_source(self, tenant_id: str, source_key: str) -> dict[str, StoredDocument]:
        return {
            d.document_id: d
            for (tenant, _), d in self.documents.items()
            if tenant == tenant_id and d.source_key == source_key and not d.deleted
        }


class RecordingPublisher:
    def __init__(self) -> None:
        self.chunks: list[DocumentChunked] = []
        self.changes: list[DocumentChange] = []
        self.dead_letters: list[tuple[str, str]] = []  # (document id, reason)

    async def publish_chunks(self, chunks: Sequence[DocumentChunked]) -> None:
        await asyncio.sleep(0)  # a real publish yields to other tasks
        self.chunks += chunks

    async def publish_change(self, change: DocumentChange) -> None:
        await asyncio.sleep(0)
        self.changes.append(change)

    async def dead_letter(self, tenant_id: str, document: SourceDocument, reason: str) -> None:
        self.dead_letters.append((document.document_id, reason))


class MemorySource:
    """Files by name; a value that is an exception is raised when the entry is fetched."""

    def __init__(self, files: dict[str, bytes | Exception]) -> None:
        self.files = files
        self.fetched: list[str] = []
        self.key = "memory://docs/"
        self.label = "memory"
        self.metadata = {"source": "memory"}

    async def entries(self) -> list[SourceEntry]:
        return [
            SourceEntry(name, f"memory://docs/{name}", fingerprint=str(hash(value)) if isinstance(value, bytes) else "")
            for name, value in sorted(self.files.items())
        ]

    async def fetch(self, entry: SourceEntry, previous_fingerprint: str) -> Fetched | None:
        self.fetched.append(entry.document_id)
        value = self.files[entry.document_id]
        if isinstance(value, (UnreadableEntry, EntryGone)):
            raise value
        assert isinstance(value, bytes)
        return Fetched(value, content_type_for(entry.document_id), entry.fingerprint)


class EmailScreener:
    """Redacts e-mail addresses as the guardrails policy would; ``down`` makes it unreachable."""

    def __init__(self, down: bool = False) -> None:
        self.down = down

    async def screen(self, tenant_id: str, document_id: str, texts: list[str]) -> list[ScreenedText]:
        if self.down:
            raise Unavailable("guardrails at 127.0.0.1:1: UNAVAILABLE: connection refused")
        screened = []
        for text in texts:
            redacted = re.sub(r"\S+@\S+\.\w+", "[EMAIL]", text)
            screened.append(ScreenedText(redacted, ("pii.email",) if redacted != text else ()))
        return screened
