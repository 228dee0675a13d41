"""Which version of a document is searchable: atomic switches between complete versions.

Chunks and manifests arrive on different topics in any order. A chunk is kept (not yet
searchable) until the manifest of its version names it and every other chunk of that manifest is
indexed; then, in one transaction, the manifest's chunks become the document's searchable chunks
and everything else of the document goes. A tombstone is a version too: chunks and manifests of
older versions that arrive after it are dropped, so a deleted document never comes back by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class DocumentState:
    live_version: int = 0  # 0: nothing searchable yet
    deleted: bool = False
    pending_version: int | None = None
    pending_chunk_ids: tuple[str, ...] = ()


class ChunkAction(Enum):
    STORE = "store"  # keep it (searchable once its version is complete)
    DROP = "drop"  # late re-delivery of a chunk that no current or pending version needs


def on_chunk(state: DocumentState, chunk_version: int, chunk_id: str, already_stored: bool) -> ChunkAction:
    """A chunk of a version at or below the searchable one is needed only if it is already there
    (a re-delivery: the upsert is a no-op). Newer chunks are kept for their version's manifest,
    which may also be a later version that reuses them."""
    if chunk_version > state.live_version or already_stored or chunk_id in state.pending_chunk_ids:
        return ChunkAction.STORE
    return ChunkAction.DROP


def accepts_manifest(state: DocumentState, version: int) -> bool:
    """Only a version newer than the searchable one and than any pending one."""
    return version > state.live_version and (state.pending_version is None or version >= state.pending_version)


def accepts_tombstone(state: DocumentState, version: int) -> bool:
    return version > state.live_version or (version == state.live_version and not state.deleted)


def complete(state: DocumentState, stored: int) -> bool:
    """The pending version can switch when every chunk of its manifest is stored."""
    return state.pending_version is not None and stored == len(state.pending_chunk_ids)
