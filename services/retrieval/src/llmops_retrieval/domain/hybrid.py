"""The hybrid search use case, over small protocols so it is unit-testable without I/O."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from llmops_retrieval.domain.ranking import reciprocal_rank_fusion, text_query
from llmops_retrieval.domain.search import SearchQuery, StoredChunk


class ChunkStore(Protocol):
    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]: ...

    async def text_search(self, query: SearchQuery, tsquery: str) -> list[StoredChunk]: ...


class QueryEmbedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class Hit:
    chunk: StoredChunk
    score: float
    vector_similarity: float
    text_rank: int


async def hybrid_search(query: SearchQuery, store: ChunkStore, embedder: QueryEmbedder) -> list[Hit]:
    tsquery = text_query(query.text)

    async def by_vector_search() -> list[StoredChunk]:
        vector = query.vector or (await embedder.embed([query.text]))[0]
        return await store.vector_search(query, vector)

    async def by_text_search() -> list[StoredChunk]:
        return await store.text_search(query, tsquery) if tsquery else []

    # The full-text search needs no vector: it runs while the query is embedded and the index scanned.
    by_vector, by_text = await _both(by_vector_search(), by_text_search())
    chunks = {c.chunk_id: c for c in [*by_text, *by_vector]}  # vector rows carry the similarity
    similarity = {c.chunk_id: c.similarity for c in by_vector}
    fused = reciprocal_rank_fusion([c.chunk_id for c in by_vector], [c.chunk_id for c in by_text], query.top_k)
    return [Hit(chunks[f.chunk_id], f.score, similarity.get(f.chunk_id, 0.0), f.text_rank) for f in fused]


async def _both(
    first: Coroutine[Any, Any, list[StoredChunk]], second: Coroutine[Any, Any, list[StoredChunk]]
) -> tuple[list[StoredChunk], list[StoredChunk]]:
    """Both results; if either fails, the other is cancelled and the failure raised as it is (no group)."""
    tasks = [asyncio.ensure_future(first), asyncio.ensure_future(second)]
    try:
        a, b = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return a, b
