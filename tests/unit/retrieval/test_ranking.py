"""Full-text terms (English and Chinese) and reciprocal-rank fusion."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from llmops_core.errors import InvalidArgument, Unavailable
from llmops_retrieval.domain.hybrid import hybrid_search
from llmops_retrieval.domain.ranking import (
    RRF_K,
    reciprocal_rank_fusion,
    search_terms,
    searchable_text,
    text_query,
)
from llmops_retrieval.domain.search import SearchQuery, StoredChunk, search_query


def test_english_terms_are_lower_case_words() -> None:
    assert search_terms("Refund Policy: 30-day returns!") == ["refund", "policy", "30", "day", "returns"]


def test_chinese_runs_become_bigrams_plus_the_words_bigrams_do_not_spell() -> None:
    # jieba (search mode) finds 遗失 / 失物 / 遗失物; the two-character ones are bigrams already.
    assert search_terms("遗失物") == ["遗失物", "遗失", "失物"]
    assert search_terms("VIP会员") == ["vip", "会员"]


def test_traditional_chinese_out_of_dictionary_still_matches_by_bigram() -> None:
    # jieba's dictionary is Simplified-centric: 貨 is not in a word with 退, so the word list
    # falls back to single characters; the bigram 退貨 is what a question about 退貨 matches.
    terms = search_terms("退貨政策")
    assert "政策" in terms and "退貨" in terms


def test_latin_and_cjk_in_one_token_are_split() -> None:
    assert search_terms("HLR退票") == ["hlr", "退票"]


def test_text_query_ors_unique_terms_and_escapes_quotes() -> None:
    assert text_query("it's a refund refund") == "'it' | 'refund'"
    assert text_query("?!") is None


def test_text_query_leaves_out_single_characters_unless_nothing_else() -> None:
    assert text_query("退票要多久") == "'退票' | '票要' | '要多' | '多久'"
    assert text_query("票") == "'票'"


def test_search_text_is_space_separated_terms() -> None:
    assert searchable_text("Refund 退票") == "refund 退票"


def test_rrf_rewards_agreement_between_lists() -> None:
    fused = reciprocal_rank_fusion(["a", "b", "c"], ["c", "d"], top_k=3)
    assert [f.chunk_id for f in fused] == ["c", "a", "b"]
    assert fused[0].score == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert (fused[0].vector_rank, fused[0].text_rank) == (3, 1)
    assert (fused[1].vector_rank, fused[1].text_rank) == (1, 0)


def test_search_query_rules() -> None:
    assert search_query("acme", "  refund? ", 0, [], {}).top_k == 5
    with pytest.raises(InvalidArgument, match="top_k is 51"):
        search_query("acme", "refund", 51, [], {})
    with pytest.raises(InvalidArgument, match="3 dimensions"):
        search_query("acme", "refund", 5, [0.1, 0.2, 0.3], {})
    with pytest.raises(InvalidArgument, match="query is empty"):
        search_query("acme", "   ", 5, [], {})


class FakeStore:
    def __init__(self, by_vector: list[StoredChunk], by_text: list[StoredChunk]) -> None:
        self.by_vector, self.by_text = by_vector, by_text
        self.tsqueries: list[str] = []

    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]:
        return self.by_vector

    async def text_search(self, query: SearchQuery, tsquery: str) -> list[StoredChunk]:
        self.tsqueries.append(tsquery)
        return self.by_text


class FakeEmbedder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[0.0] * 384 for _ in texts]


def chunk(chunk_id: str, similarity: float = 0.0) -> StoredChunk:
    return StoredChunk(chunk_id, "doc", 1, 0, "text", "title", "uri", {}, "model", similarity)


def test_hybrid_search_fuses_and_keeps_vector_similarity() -> None:
    store = FakeStore([chunk("a", 0.9), chunk("b", 0.5)], [chunk("b"), chunk("c")])
    embedder = FakeEmbedder()
    hits = asyncio.run(hybrid_search(search_query("acme", "refund days", 3, [], {}), store, embedder))
    assert [h.chunk.chunk_id for h in hits] == ["b", "a", "c"]
    assert [h.vector_similarity for h in hits] == [0.5, 0.9, 0.0]
    assert embedder.calls == [["refund days"]]
    assert store.tsqueries == ["'refund' | 'days'"]


def test_given_vector_skips_embedding() -> None:
    embedder = FakeEmbedder()
    asyncio.run(hybrid_search(search_query("acme", "refund", 3, [0.1] * 384, {}), FakeStore([], []), embedder))
    assert embedder.calls == []


class OverlapEmbedder(FakeEmbedder):
    """Embeds only once the full-text search has started: the two must run at the same time."""

    def __init__(self, text_started: asyncio.Event) -> None:
        super().__init__()
        self.text_started = text_started

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        await asyncio.wait_for(self.text_started.wait(), timeout=5)
        return await super().embed(texts)


class SignallingStore(FakeStore):
    def __init__(self, text_started: asyncio.Event, fail_vector: bool = False) -> None:
        super().__init__([chunk("a", 0.9)], [chunk("b")])
        self.text_started, self.fail_vector, self.text_cancelled = text_started, fail_vector, False

    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]:
        if self.fail_vector:
            raise Unavailable("the vector index is down")
        return await super().vector_search(query, vector)

    async def text_search(self, query: SearchQuery, tsquery: str) -> list[StoredChunk]:
        self.text_started.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            self.text_cancelled = True
            raise
        return await super().text_search(query, tsquery)


def test_full_text_search_runs_while_the_query_is_embedded() -> None:
    async def scenario() -> None:
        started = asyncio.Event()
        store, embedder = SignallingStore(started), OverlapEmbedder(started)
        hits = await hybrid_search(search_query("acme", "refund days", 3, [], {}), store, embedder)
        assert {h.chunk.chunk_id for h in hits} == {"a", "b"}

        # A failing vector search is the search's error, as it is, and the text search is cancelled.
        failing = SignallingStore(asyncio.Event(), fail_vector=True)
        with pytest.raises(Unavailable, match="vector index is down"):
            await hybrid_search(search_query("acme", "refund", 3, [0.1] * 384, {}), failing, FakeEmbedder())
        assert failing.text_cancelled

    asyncio.run(scenario())
