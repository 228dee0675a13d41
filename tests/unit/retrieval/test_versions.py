"""Which chunks and manifests the indexer accepts (the switch itself runs against Postgres in integration)."""

from __future__ import annotations

from llmops_retrieval.domain.versions import (
    ChunkAction,
    DocumentState,
    accepts_manifest,
    accepts_tombstone,
    complete,
    on_chunk,
)

LIVE_2 = DocumentState(live_version=2)


def test_chunks_of_newer_versions_wait_and_late_copies_of_replaced_ones_are_dropped() -> None:
    assert on_chunk(DocumentState(), 1, "a", already_stored=False) is ChunkAction.STORE
    assert on_chunk(LIVE_2, 3, "a", already_stored=False) is ChunkAction.STORE
    assert on_chunk(LIVE_2, 1, "a", already_stored=False) is ChunkAction.DROP
    assert on_chunk(LIVE_2, 2, "a", already_stored=True) is ChunkAction.STORE  # re-delivery: a no-op upsert
    reused = DocumentState(live_version=2, pending_version=3, pending_chunk_ids=("a",))
    assert on_chunk(reused, 1, "a", already_stored=False) is ChunkAction.STORE
    deleted = DocumentState(live_version=4, deleted=True)
    assert on_chunk(deleted, 3, "a", already_stored=False) is ChunkAction.DROP


def test_manifests_only_move_forward() -> None:
    assert accepts_manifest(DocumentState(), 1)
    assert not accepts_manifest(LIVE_2, 2)
    assert not accepts_manifest(LIVE_2, 1)
    pending_4 = DocumentState(live_version=2, pending_version=4, pending_chunk_ids=("a",))
    assert accepts_manifest(pending_4, 5) and accepts_manifest(pending_4, 4)
    assert not accepts_manifest(pending_4, 3)
    assert not accepts_manifest(DocumentState(live_version=3, deleted=True), 3)


def test_tombstones_and_completion() -> None:
    assert accepts_tombstone(LIVE_2, 3)
    assert not accepts_tombstone(LIVE_2, 1)
    assert not accepts_tombstone(DocumentState(live_version=3, deleted=True), 3)
    pending = DocumentState(live_version=1, pending_version=2, pending_chunk_ids=("a", "b"))
    assert not complete(pending, 1)
    assert complete(pending, 2)
    assert not complete(LIVE_2, 0)
