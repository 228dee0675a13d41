"""Sync semantics: added, modified, unchanged, deleted and failed against the last sync."""

from __future__ import annotations

import asyncio

from llmops_ingestion.domain.chunking import ChunkingPolicy, EstimatedTokens
from llmops_ingestion.domain.documents import DocumentResult
from llmops_ingestion.domain.reading import FormatOptions
from llmops_ingestion.domain.sources import EntryGone, UnreadableEntry
from llmops_ingestion.domain.sync import SyncContext, sync_source
from tests.unit.ingestion.fakes import MemoryRepository, MemorySource, RecordingPublisher


def sync(source: MemorySource, repository: MemoryRepository, publisher: RecordingPublisher) -> dict[str, str]:
    context = SyncContext(
        repository, repository, publisher, publisher, ChunkingPolicy(EstimatedTokens()), FormatOptions()
    )
    results: list[DocumentResult] = asyncio.run(sync_source("acme", source, context))
    return {r.document_id: r.outcome.value for r in results}


def test_sync_reports_each_kind_of_change_and_publishes_only_differences() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    files: dict[str, bytes | Exception] = {
        "a.md": b"# A\n\nAlpha ships in 3 days.",
        "b.txt": b"Bravo costs 20 dollars.",
        "c.txt": b"Charlie opens at 9 am.",
    }
    source = MemorySource(files)
    assert sync(source, repository, publisher) == {"a.md": "added", "b.txt": "added", "c.txt": "added"}
    chunks, changes = len(publisher.chunks), len(publisher.changes)

    source.fetched.clear()
    assert sync(source, repository, publisher) == {"a.md": "unchanged", "b.txt": "unchanged", "c.txt": "unchanged"}
    assert (len(publisher.chunks), len(publisher.changes), source.fetched) == (chunks, changes, [])

    files["b.txt"] = b"Bravo costs 25 dollars."
    del files["c.txt"]
    files["d.csv"] = UnreadableEntry("a symlink that leads outside the source directory")
    files["e.txt"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    files["f.txt"] = b""
    assert sync(source, repository, publisher) == {
        "a.md": "unchanged", "b.txt": "modified", "c.txt": "deleted", "d.csv": "failed", "e.txt": "failed",
        "f.txt": "failed",
    }  # fmt: skip
    assert [c.document_id for c in publisher.chunks[chunks:]] == ["b.txt"]
    assert [(c.document_id, c.WhichOneof("change")) for c in publisher.changes[changes:]] == [
        ("b.txt", "manifest"), ("c.txt", "deleted"),
    ]  # fmt: skip
    reasons = dict(publisher.dead_letters)
    assert set(reasons) == {"d.csv", "e.txt", "f.txt"}
    assert "symlink" in reasons["d.csv"] and "empty" in reasons["f.txt"]


def test_a_failed_entry_keeps_its_previous_version_and_a_gone_one_is_deleted() -> None:
    repository, publisher = MemoryRepository(), RecordingPublisher()
    files: dict[str, bytes | Exception] = {"a.txt": b"Alpha ships in 3 days.", "b.txt": b"Bravo costs 20 dollars."}
    source = MemorySource(files)
    sync(source, repository, publisher)
    files["a.txt"] = UnreadableEntry("HTTP 503 Service Unavailable; the previous version is kept")
    files["b.txt"] = EntryGone("HTTP 404: the page is gone")
    assert sync(source, repository, publisher) == {"a.txt": "failed", "b.txt": "deleted"}
    assert not repository.documents[("acme", "a.txt")].deleted
    assert repository.documents[("acme", "b.txt")].deleted
    files["a.txt"] = b"Alpha ships in 3 days."
    assert sync(source, repository, publisher) == {"a.txt": "unchanged", "b.txt": "failed"}
