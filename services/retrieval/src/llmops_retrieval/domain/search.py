"""Search request rules (proto comments of SearchRequest) and the stored chunk shape."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from llmops_core.errors import InvalidArgument
from llmops_core.validation import require_tenant, require_text

DEFAULT_TOP_K = 5
MAX_TOP_K = 50
DIMENSIONS = 384


@dataclass(frozen=True)
class SearchQuery:
    tenant_id: str
    text: str
    top_k: int
    vector: list[float] | None
    metadata_filter: dict[str, str] = field(default_factory=dict)

    @property
    def candidates(self) -> int:
        """How many hits to take from each list before fusing."""
        return max(4 * self.top_k, 20)


def search_query(
    tenant_id: str, text: str, top_k: int, vector: list[float], metadata_filter: dict[str, str]
) -> SearchQuery:
    require_tenant(tenant_id)
    query = require_text("query", text, max_chars=2000)
    if top_k > MAX_TOP_K:
        raise InvalidArgument(f"top_k is {top_k}; the most is {MAX_TOP_K}")
    if vector and len(vector) != DIMENSIONS:
        raise InvalidArgument(f"query_vector has {len(vector)} dimensions; the store holds {DIMENSIONS}")
    if not all(math.isfinite(v) for v in vector):
        raise InvalidArgument("query_vector must hold finite numbers (no NaN or infinity)")
    # Chunk metadata is jsonb, which cannot hold NUL (U+0000): no chunk could match, and the query would fail.
    if any("\x00" in text for pair in metadata_filter.items() for text in pair):
        raise InvalidArgument("metadata_filter must not contain NUL characters")
    return SearchQuery(tenant_id, query, top_k or DEFAULT_TOP_K, list(vector) or None, dict(metadata_filter))


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    document_id: str
    document_version: int
    chunk_index: int
    text: str
    title: str
    source_uri: str
    metadata: dict[str, str]
    embedding_model: str
    similarity: float = 0.0
