"""The blind set's grading: what counts as right, wrong shown, withheld and rightly abstained."""

from __future__ import annotations

from llmops.query.v1 import query_pb2
from llmops_stack.blind_eval import Graded, grade, report

ANSWERED, ABSTAINED = query_pb2.ANSWER_STATUS_ANSWERED, query_pb2.ANSWER_STATUS_ABSTAINED


def response(status: int, answer: str = "") -> query_pb2.AskResponse:
    return query_pb2.AskResponse(status=status, answer=answer)  # type: ignore[arg-type]


def test_an_alias_counts_after_width_case_and_space_folding() -> None:
    case = {"answers": ["299 元", "Kenneth Abara"]}
    assert grade(case, response(ANSWERED, "订单满２９９元包邮。")) == "right"
    assert grade(case, response(ANSWERED, "It was KENNETH  abara.")) == "right"
    assert grade(case, response(ANSWERED, "订单满 199 元包邮。")) == "wrong shown"
    assert grade(case, response(ABSTAINED, "I don't know")) == "withheld"


def test_any_answer_to_an_unanswerable_question_is_wrong_shown() -> None:
    assert grade({"answers": []}, response(ANSWERED, "It opened in 1901.")) == "wrong shown"
    assert grade({"answers": []}, response(ABSTAINED)) == "abstained rightly"


def test_the_report_counts_each_grade_against_its_own_denominator() -> None:
    rows = [
        Graded("q1", "en", "factoid", "tune", True, "answered", "verified", "right", 1.0, "q", "a"),
        Graded("q2", "en", "factoid", "tune", True, "abstained", "abstained", "withheld", 1.0, "q", "a"),
        Graded("q3", "en", "unanswerable", "tune", False, "abstained", "abstained", "abstained rightly", 1.0, "q", "a"),
    ]
    table = report("unit-test", rows, every=2, note="A note.", write=False)
    assert "| **all** | 3 | 1/2 (50%) | 0/3 (0%) | 1/2 (50%) | 1/1 (100%) |" in table
    assert "One question in 2 of the split was asked. A note." in table
