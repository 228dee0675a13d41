"""Whether a checked draft is about the question: the cited sentence must hold the question's terms."""

from __future__ import annotations

import asyncio

from llmops_query.domain.answers import Citation, Passage
from llmops_query.domain.verification import answers_question
from tests.unit.grounding.fakes import WordOverlapEmbedder


def on_topic(question: str, snippet: str) -> bool:
    passage = Passage("c1", "doc.md", "doc", "", snippet, 0.8, 0.8)
    return asyncio.run(answers_question(question, [Citation(passage, snippet, 0.8)], WordOverlapEmbedder(), 0.45))


def test_a_cited_sentence_with_half_the_question_s_terms_answers_it_whatever_their_rarity() -> None:
    # 柳溪, 溪镇, 镇长 of 柳溪, 溪镇, 镇现, 现任, 任镇, 镇长: half. Weighting terms by rarity among the
    # one cited sentence would count each present term half as much as an absent one (a third).
    assert on_topic("柳溪镇现任镇长是谁？", "柳溪镇的镇长为王建华。")
    assert not on_topic("柳溪镇现任镇长是谁？", "白沙镇以酿酒和水稻种植为主。")
