"""length_buckets: the embedding service groups texts of like length into one Triton request."""

from __future__ import annotations

import pytest

from llmops_embedding.domain.embedding import length_buckets


def test_every_text_once_in_groups_of_at_most_size_shortest_first() -> None:
    texts = ["a b c d e f", "a", "a b c", "a b", "a b c d e", "a b c d"]
    buckets = length_buckets(texts, 4)
    assert buckets == [[1, 3, 2, 5], [4, 0]]
    assert sorted(i for b in buckets for i in b) == list(range(len(texts)))


def test_chinese_is_ranked_by_characters_not_by_words() -> None:
    # One "word" to a whitespace split, but ten word pieces: longer than a five-word English text.
    chinese, english = "退貨需在三十天內申請", "refunds within thirty days please"
    assert length_buckets([chinese, english], 1) == [[1], [0]]


def test_ties_keep_their_order_and_nothing_is_dropped() -> None:
    assert length_buckets(["x", "y", "z"], 2) == [[0, 1], [2]]
    assert length_buckets([], 3) == []
    with pytest.raises(ValueError, match="at least 1"):
        length_buckets(["x"], 0)
