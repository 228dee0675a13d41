"""A draft that says the passages hold no answer is told apart from one that answers."""

from __future__ import annotations

import pytest

from llmops_grounding.declines import declines


@pytest.mark.parametrize(
    "draft",
    [
        "I don't know.",
        "I do not know the answer to that question.",
        "I'm sorry, but the context does not mention when the bridge opened.",
        "The provided passages do not contain information about the mayor's salary.",
        "The context doesn't specify the number of employees.",
        "There is no information about the opening hours in the passages.",
        "我不知道。",
        "文中沒有提到這座橋的長度。",
        "资料中未提及该公司的创始人。",
        "根据上下文，无法确定答案。",
    ],
)
def test_a_draft_that_says_the_passages_do_not_answer_declines(draft: str) -> None:
    assert declines(draft)


@pytest.mark.parametrize(
    "draft",
    [
        "The bridge opened in 1908 [1].",
        "Returns are accepted within 30 days of delivery [2].",
        "He did not know the route, so he hired a pilot in 1902 [1].",  # "know" inside an answer
        "The museum does not charge for entry on Sundays [3].",  # a negative fact is an answer
        "订单满 299 元包邮。",
        "這座橋長 320 公尺 [1]。",
        # A later sentence that hedges does not make an answer a decline.
        "The festival released 14,600 lanterns [1]. The passages do not say how many visitors came.",
    ],
)
def test_an_answer_does_not_decline(draft: str) -> None:
    assert not declines(draft)
