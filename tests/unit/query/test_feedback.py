"""Answer ids carry a signature of their tenant; feedback on any other id is NOT_FOUND."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from llmops_core.errors import InvalidArgument, NotFound
from llmops_query.domain.answer_ids import AnswerIds
from llmops_query.domain.answers import ask_request
from llmops_query.domain.feedback import Feedback, feedback_request
from tests.unit.query.fakes import SECRET, Model, Retriever, pipeline

IDS = AnswerIds(SECRET)


def test_an_issued_id_is_a_canonical_uuid_that_only_its_tenant_can_use() -> None:
    answer_id = IDS.issue("acme")
    parsed = uuid.UUID(answer_id)
    assert (str(parsed), parsed.version, parsed.variant) == (answer_id, 8, uuid.RFC_4122)
    assert IDS.issued("acme", answer_id)
    assert not IDS.issued("globex", answer_id)
    assert not AnswerIds(SECRET + "rotated").issued("acme", answer_id)
    assert len({IDS.issue("acme") for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "forged",
    ["", str(uuid.uuid4()), "not-an-id", "x" * 10_000, "{" + IDS.issue("acme") + "}", IDS.issue("acme").upper(),
     IDS.issue("acme").replace("-", ""), IDS.issue("acme") + "\n", "urn:uuid:" + IDS.issue("acme")],
)  # fmt: skip
def test_anything_else_is_not_an_issued_id(forged: str) -> None:
    assert not IDS.issued("acme", forged)


def test_a_short_secret_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        AnswerIds("")


def test_feedback_on_a_given_answer_is_accepted_and_redacted() -> None:
    ask = pipeline(Retriever(0.8), Model("Items can be returned within 30 days."))
    answer = asyncio.run(ask.ask(ask_request("acme", "How long for returns?", 0, "", 4)))
    given = feedback_request("acme", answer.answer_id, -1, "Wrong, call me: 555-0100")
    assert asyncio.run(ask.accept_feedback(given)) == Feedback("acme", answer.answer_id, -1, "Wrong, call me: [PHONE]")
    with pytest.raises(NotFound, match="was not given to tenant 'globex'"):
        asyncio.run(ask.accept_feedback(feedback_request("globex", answer.answer_id, 1, "")))
    with pytest.raises(NotFound, match="was not given to tenant 'acme'"):
        asyncio.run(ask.accept_feedback(feedback_request("acme", str(uuid.uuid4()), 1, "")))


@pytest.mark.parametrize(
    ("tenant", "answer_id", "rating", "comment", "message"),
    [
        ("acme\n", "a", 1, "", "must be 1-64 characters"),
        ("acme", "", 1, "", "answer_id is required"),
        ("acme", "a", 2, "", "rating is 2; use -1, 0 or 1"),
        ("acme", "a", 1, "x" * 2001, "comment is longer than 2000 characters"),
    ],
)
def test_feedback_rules(tenant: str, answer_id: str, rating: int, comment: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        feedback_request(tenant, answer_id, rating, comment)
