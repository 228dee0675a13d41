"""Does an answer give the kind of thing the question asks for? A count, a length, a year; a person.

Every claim of "X played for the National Hockey League (NHL) team." can be supported while the
question "Which team did X play for?" goes unanswered; "The town is governed by its council." answers
no "How many councillors…?". This check is about the answer's *type*, not its truth (claims.py), and
it is deliberately narrow: only question forms whose answer is nearly always written with a number
(how many, how long, what year, 幾, 多久, 哪一年) or, in English, a person's name (who, whose). "How much"
and "when" are left out: "shipping is free" and "every weekday morning" answer them without a digit.
"""

from __future__ import annotations

import re
from enum import Enum

from llmops_grounding.facts import extract_facts
from llmops_grounding.text import is_cjk_text

COUNT_OR_MEASURE = re.compile(
    r"\bhow (?:many|long|far|old|tall|high|wide|deep|heavy|big)\b|\b(?:what|which|in what|in which) year\b|"
    r"\bwhat (?:percentage|proportion)\b|[幾几](?:[個个年天月日次歲岁位名座條条間间公人]|多)|多久|多[長长高遠远重大]|"
    r"哪一?年|多少(?![錢钱])",
    re.IGNORECASE,
)
PERSON = re.compile(r"^\W*(?:who|whom|whose)\b|\b(?:tell me|know|say|find out)\s+who\b", re.IGNORECASE)
WORD = re.compile(r"[a-z]+")
CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Za-z]+)*\b")
# Capitalised only because they open a sentence: function words, pronouns and answer openers.
OPENERS = (
    "the a an it its he she his her they their this that these those in on at of for by from to with as according"
    " yes no i we you our there here however also both after before during when while"
)
SENTENCE_OPENERS = frozenset(OPENERS.split())


class Asked(Enum):
    QUANTITY = "a number (a count, measure, year or share)"
    PERSON = "a person's name"


def asked_for(question: str) -> Asked | None:
    if COUNT_OR_MEASURE.search(question):
        return Asked.QUANTITY
    if not is_cjk_text(question) and PERSON.search(question):
        return Asked.PERSON
    return None


def new_names(answer: str, question: str) -> set[str]:
    """Capitalised words of the answer that are neither sentence openers nor words of the question."""
    asked = set(WORD.findall(question.lower()))
    return {
        word for word in CAPITALISED.findall(answer)
        if word.lower() not in SENTENCE_OPENERS and not set(WORD.findall(word.lower())) <= asked
    }  # fmt: skip


def gives_what_is_asked(question: str, answer: str) -> bool:
    """False when the question asks for a number or a person and the answer states none (see module doc).

    A person is looked for in Latin text only: names in Chinese text are not reliably found, and a
    check that cannot see them must not reject the answers that hold them."""
    asked = asked_for(question)
    if asked is Asked.QUANTITY:
        facts = extract_facts(answer)
        return bool(facts.checkable() or facts.dates)
    if asked is Asked.PERSON and not is_cjk_text(answer):
        return bool(new_names(answer, question))
    return True
