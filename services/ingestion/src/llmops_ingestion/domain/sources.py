"""What a source is to the sync use case: a listing of entries, each fetched on demand.

A source (a directory, a list of URLs, later a bucket or a wiki) lists its entries cheaply and
fetches one entry's bytes only when its change marker (``fingerprint``) differs from the last sync,
or lets the origin answer "not modified" itself (HTTP conditional requests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from llmops_ingestion.domain.extraction import ContentType


class UnreadableEntry(Exception):
    """This entry cannot be read (too large, a symlink out of the source, HTTP 500...); the sync goes on."""


class EntryGone(Exception):
    """The origin says the entry no longer exists (HTTP 404/410): the document is deleted."""


@dataclass(frozen=True)
class SourceEntry:
    document_id: str
    uri: str
    # Changes whenever the content may have changed ("" when only fetching can tell).
    fingerprint: str = ""
    # A reason known from the listing alone (a symlink leaving the source root): fail without fetching.
    problem: str = ""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: ContentType | None
    fingerprint: str


class Source(Protocol):
    @property
    def key(self) -> str:
        """Identifies the source between syncs, so a document that left it can be found."""
        ...

    @property
    def label(self) -> str:
        """What the report calls the source."""
        ...

    @property
    def metadata(self) -> dict[str, str]:
        """Metadata every document of the source carries."""
        ...

    async def entries(self) -> list[SourceEntry]: ...

    async def fetch(self, entry: SourceEntry, previous_fingerprint: str) -> Fetched | None:
        """The entry's bytes, capped in size; None when the origin says it has not changed."""
        ...
