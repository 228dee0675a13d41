"""Golden suites: loading and judging a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.errors import InvalidArgument, NotFound
from llmops_evaluation.domain.suites import Case, Outcome, fact_present, judge, load_suite, parse_suite
from llmops_stack.config import REPO_ROOT


def test_the_repository_golden_suite_loads() -> None:
    cases = load_suite(REPO_ROOT / "corpus", "golden")
    assert len(cases) == 17
    assert {c.expect for c in cases} == {"answered", "abstained", "refused"}


def test_unknown_suite(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no suite named 'nope'"):
        load_suite(tmp_path, "nope")
    with pytest.raises(NotFound):
        load_suite(tmp_path, "../etc/passwd")


def outcome(status: str, cited: list[str], answer: str) -> Outcome:
    return Outcome("a1", status, "verified", cited, answer)


def test_a_case_passes_only_when_a_user_would_call_the_answer_right() -> None:
    case = Case("How long?", "answered", "returns.md", ["30"])
    good = judge(case, outcome("answered", ["returns.md", "x.md"], "Within 30 days."), hallucinated=False)
    assert (good.passed, good.right_answer, good.detail) == (True, True, "")
    three = judge(case, outcome("answered", ["returns.md"], "You have 3 days."), hallucinated=False)
    assert not three.passed and three.missing_facts == ["30"]
    uncited = judge(case, outcome("answered", ["other.md"], "Within 30 days."), hallucinated=False)
    assert not uncited.passed and "did not cite returns.md" in uncited.detail
    flagged = judge(case, outcome("answered", ["returns.md"], "Within 30 days."), hallucinated=True)
    assert not flagged.passed and "flagged as hallucinated" in flagged.detail
    wrong = judge(case, outcome("abstained", [], "I don't know"), hallucinated=False)
    assert not wrong.passed and "expected answered, got abstained" in wrong.detail
    abstained = judge(Case("CEO?", "abstained"), outcome("abstained", [], "I don't know"), hallucinated=False)
    assert abstained.passed and abstained.abstained_as_expected


def test_facts_are_normalised() -> None:
    assert fact_present("30", "三十天內可退貨")
    assert not fact_present("30", "3 days")
    assert fact_present("PayPal", "We accept paypal and cards.")
    assert not fact_present("larger", "choose the largest size")
    assert fact_present("包邮", "满299元包邮")


def test_suite_files_in_yaml_and_jsonl() -> None:
    yaml_suite = b"questions:\n  - {question: How long, expect: answered, facts: [30], split: heldout}\n"
    (case,) = parse_suite(yaml_suite, "yaml")
    assert (case.facts, case.labels) == (["30"], {"split": "heldout"})
    jsonl = b'{"question": "CEO?", "expect": "abstained"}\n\n{"question": "Hi", "expect": "refused"}\n'
    assert [c.expect for c in parse_suite(jsonl, "jsonl")] == ["abstained", "refused"]
    with pytest.raises(InvalidArgument, match="'expect' is 'maybe'"):
        parse_suite(b"- {question: x, expect: maybe}", "yaml")
    with pytest.raises(InvalidArgument, match="not valid jsonl"):
        parse_suite(b"{oops", "jsonl")
