"""Fitting context passages into the context window, counted by a fake tokenizer."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from llmops_core.errors import InvalidArgument
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.domain.context_window import (
    PromptBudget,
    fit_contexts,
    relevance,
    split_sentences,
    terms,
)
from llmops_generation.domain.tokens import EstimatingTokenCounter, estimate_tokens
from tests.unit.generation.fakes import WordCounter, word_tokens

PROMPT = load_prompt_files()[0]  # rag-answer v1, the template these budgets were worked out on


def tokens_of(question: str, passages: Sequence[str]) -> int:
    return sum(word_tokens(m["content"]) for m in PROMPT.render(question, list(passages)))


def filler(topic: str, n: int) -> str:
    return " ".join(f"The {topic} note number {i} repeats general information about the store." for i in range(n))


def budget(prompt_tokens: int) -> PromptBudget:
    """A budget whose prompt part is ``prompt_tokens`` plus what the chat frame costs (3 counts)."""
    return PromptBudget(context_window=prompt_tokens + 200 + 10 + 2 * 6 + 4, output_reserve=200, safety_margin=10)


async def test_a_prompt_that_fits_is_sent_whole_after_one_count() -> None:
    counter = WordCounter()
    passages = ["Returns are accepted within 30 days.", "Refunds take 5 days."]
    fitted = await fit_contexts("How long to return?", passages, PROMPT, budget(1000), counter)
    assert fitted.passages == tuple(passages)
    assert (fitted.trimmed, fitted.dropped, fitted.estimated) == (0, 0, False)
    assert fitted.prompt_tokens == fitted.original_tokens
    assert counter.calls == [2]  # system and user message, once


async def test_lowest_ranked_passages_give_up_text_first() -> None:
    question = "How many days is the return window?"
    passages = [
        "Items can be returned within 30 days of delivery. Keep the receipt.",
        filler("shipping", 10) + " The return window for sale items is 14 days.",
        filler("warranty", 40),
    ]
    limit = tokens_of(question, passages[:2]) + 10
    counter = WordCounter()
    fitted = await fit_contexts(question, passages, PROMPT, budget(limit), counter)
    assert fitted.passages[:2] == tuple(passages[:2])  # better-ranked passages stay whole
    assert len(fitted.passages) <= 3
    assert fitted.dropped + fitted.trimmed == 1
    assert tokens_of(question, fitted.passages) <= limit
    assert len(counter.calls) == 3  # the full prompt, the fixed part with each passage, the final render


async def test_a_trimmed_passage_keeps_its_most_relevant_sentences_in_document_order() -> None:
    question = "What is the refund window for damaged items?"
    passage = (
        f"{filler('store', 6)} Damaged items get a refund within a 60 day window. "
        f"{filler('opening', 6)} Refund requests need the order number."
    )
    limit = tokens_of(question, [""]) + 40
    fitted = await fit_contexts(question, [passage, filler("other", 20)], PROMPT, budget(limit), WordCounter())
    assert fitted.dropped == 1 and fitted.trimmed == 1
    kept = fitted.passages[0]
    assert "Damaged items get a refund within a 60 day window." in kept
    assert kept.startswith("… ")  # the text before it was cut, and says so
    assert "note number 0" not in kept
    if "order number" in kept:
        assert kept.index("Damaged") < kept.index("order number")
    assert tokens_of(question, fitted.passages) <= limit


async def test_chinese_passages_are_trimmed_by_character_bigrams() -> None:
    question = "退货期限是多少天？"
    noise = "本店营业时间为上午九点至晚上九点，节假日照常营业。" * 30
    passage = f"{noise}商品自签收之日起三十天内可以退货，退货期限以快递签收为准。{noise}"
    limit = tokens_of(question, [""]) + 80
    fitted = await fit_contexts(question, [passage], PROMPT, budget(limit), WordCounter())
    assert fitted.trimmed == 1
    assert "三十天内可以退货" in fitted.passages[0]
    assert tokens_of(question, fitted.passages) <= limit


async def test_the_top_passage_keeps_its_best_sentence_cut_to_the_tokens_left() -> None:
    question = "What does the warranty cover?"
    one_sentence = "The warranty covers " + ", ".join(f"part {i} of the machine" for i in range(400)) + "."
    limit = tokens_of(question, [""]) + 30
    fitted = await fit_contexts(question, [one_sentence, "Another passage."], PROMPT, budget(limit), WordCounter())
    assert len(fitted.passages) == 1
    assert fitted.passages[0].startswith("The warranty covers")
    assert tokens_of(question, fitted.passages) <= limit


async def test_no_room_for_the_question_is_the_callers_error() -> None:
    long_question = "why " * 300
    with pytest.raises(InvalidArgument, match="shorten the question or ask for fewer output tokens"):
        await fit_contexts(long_question, ["Some context."], PROMPT, budget(100), WordCounter())
    tight = PromptBudget(context_window=4096, output_reserve=4096, safety_margin=32)
    with pytest.raises(InvalidArgument, match="4096-token window"):
        await fit_contexts("q?", ["Some context."], PROMPT, tight, WordCounter())


async def test_estimated_counts_are_flagged() -> None:
    fitted = await fit_contexts("q?", ["context " * 2000], PROMPT, budget(300), EstimatingTokenCounter())
    assert fitted.estimated
    assert fitted.prompt_tokens <= budget(300).prompt_tokens


def test_sentences_join_back_to_the_text() -> None:
    text = "First one. Second one!\n\n- a list item\n第一句。第二句！Third? 最后" + " long clause, more" * 60
    sentences = split_sentences(text)
    assert "".join(sentences) == text
    assert sentences[:3] == ["First one. ", "Second one!\n\n", "- a list item\n"]
    assert "第一句。" in sentences
    assert max(len(s) for s in sentences) <= 400


def test_terms_are_words_and_cjk_bigrams() -> None:
    assert terms("Return 30 Days, 退货期限") == {"return", "30", "days", "退货", "货期", "期限"}


def test_a_term_in_every_sentence_weighs_less_than_a_rare_one() -> None:
    sentences = ["the store is open", "the refund is fast", "the store sells shoes"]
    scores = relevance("the refund", sentences)
    assert scores[1] == max(scores)
    assert scores[0] == scores[2] > 0


def test_the_estimate_counts_cjk_characters_as_at_least_one_token() -> None:
    assert estimate_tokens("退货期限") >= 4
    assert estimate_tokens("return window") >= len("return window") / 4
