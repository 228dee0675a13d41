"""An answer must give what the question asks for: a number for how many / how long / what year, a name for who."""

from __future__ import annotations

import pytest

from llmops_grounding.asked import Asked, asked_for, gives_what_is_asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many councillors does the town council have?", Asked.QUANTITY),
        ("In what year was the brewery founded?", Asked.QUANTITY),
        ("這座橋有多長？", Asked.QUANTITY),
        ("公司成立了几年？", Asked.QUANTITY),
        ("Who designed the Corn Exchange?", Asked.PERSON),
        ("Can you tell me who coaches the team?", Asked.PERSON),
        ("How much does shipping cost?", None),  # "shipping is free" answers it without a number
        ("When does the market open?", None),  # "every weekday morning" answers it without one
        ("What did the man who founded the club build?", None),  # a relative "who" asks for no person
        ("誰設計了這座橋？", None),  # names in Chinese text are not reliably found: not checked
    ],
)
def test_what_the_question_asks_for(question: str, asked: Asked | None) -> None:
    assert asked_for(question) is asked


@pytest.mark.parametrize(
    ("question", "answer", "gives"),
    [
        ("How many councillors does the council have?", "The town is governed by its council.", False),
        ("How many councillors does the council have?", "It has 12 councillors.", True),
        ("How many councillors does the council have?", "It has twelve councillors.", True),
        ("How long is the bridge?", "The bridge crosses the River Tessel.", False),
        ("這座橋有多長？", "這座橋長三百公尺。", True),
        ("Who designed the Corn Exchange?", "The Corn Exchange was designed in a classical style.", False),
        ("Who designed the Corn Exchange?", "It was designed by Walter Pryce-Hollin.", True),
        ("Who designed the Corn Exchange?", "Pryce-Hollin designed it.", True),
        ("Which team did Rask play for?", "Rask played for the team.", True),  # not a type this check knows
    ],
)
def test_an_answer_gives_what_is_asked(question: str, answer: str, gives: bool) -> None:
    assert gives_what_is_asked(question, answer) is gives


def test_a_chinese_interrogative_and_its_copula_are_not_terms_of_what_is_asked() -> None:
    from llmops_grounding.text import question_terms

    terms = question_terms("柳溪镇现任镇长是谁？")
    assert {"柳溪", "镇长", "现任"} <= terms
    assert not terms & {"是谁", "长是"}
    assert not question_terms("這座廟主祀什麼神？") & {"什么", "是什"}
