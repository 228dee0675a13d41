"""Scope from the tenant's stated purpose, and the calibration fits."""

from __future__ import annotations

from llmops_guardrails.domain.calibration import fit_lower_bound, fit_scope_bars
from llmops_guardrails.domain.scope import ScopeBars, out_of_scope, purpose_topics


def test_purpose_topics_are_the_sentence_its_head_and_each_topic() -> None:
    topics = purpose_topics("customer service for a retailer: orders, shipping and returns")
    assert topics == [
        "customer service for a retailer: orders, shipping and returns",
        "customer service for a retailer",
        "orders",
        "shipping",
        "returns",
    ]


def test_out_of_scope_needs_both_far_from_purpose_and_far_from_corpus() -> None:
    bars = ScopeBars(0.3, 0.4)
    assert out_of_scope(0.1, None, bars)
    assert out_of_scope(0.1, 0.2, bars)
    assert not out_of_scope(0.1, 0.6, bars)  # a product the purpose does not name
    assert not out_of_scope(0.5, 0.1, bars)


def test_lower_bound_keeps_false_positives_within_budget_and_above_floor() -> None:
    assert fit_lower_bound([0.9, 0.95], [0.1, 0.2, 0.6, 0.97], 0.25) == 0.61
    assert fit_lower_bound([0.9], [0.1, 0.2], 0.0) == 0.5


def test_scope_bars_separate_far_from_near() -> None:
    far = [(0.1, 0.1), (0.2, 0.15)]
    near = [(0.1, 0.5), (0.5, 0.2), (0.6, 0.6)]
    purpose_bar, corpus_bar = fit_scope_bars(far, near, 0.0)
    assert all(p < purpose_bar and c < corpus_bar for p, c in far)
    assert not any(p < purpose_bar and c < corpus_bar for p, c in near)


def test_question_head_is_bounded_in_words_and_characters() -> None:
    from llmops_guardrails.domain.scope import SCOPE_CHARS, SCOPE_WORDS, question_head

    assert question_head("Where  is\nmy parcel?") == "Where is my parcel?"
    assert len(question_head("word " * 100).split()) == SCOPE_WORDS
    assert len(question_head("x" * 5000)) == SCOPE_CHARS
