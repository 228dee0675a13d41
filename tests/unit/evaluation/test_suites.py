"""Golden suites: loading and judging a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_core.errors import NotFound
from llmops_evaluation.domain.suites import Case, Outcome, judge, load_suite
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


def test_judging() -> None:
    case = Case("How long?", "answered", "returns.md", ["30"])
    good = judge(case, Outcome("answered", ["returns.md", "x.md"], "Within 30 days."))
    assert (good.passed, good.cited_expected, good.detail) == (True, True, "")
    no_fact = judge(case, Outcome("answered", ["returns.md"], "Within a month."))
    assert no_fact.passed
    assert "answer lacks ['30']" in no_fact.detail
    wrong = judge(case, Outcome("abstained", [], "I don't know"))
    assert not wrong.passed
    assert "expected answered, got abstained" in wrong.detail
    abstained = judge(Case("CEO?", "abstained"), Outcome("abstained", [], "I don't know"))
    assert abstained.passed
    assert abstained.abstained_as_expected
