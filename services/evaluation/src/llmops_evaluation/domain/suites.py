"""Golden-question suites: cases, how one is judged, and the loading of a suite file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from llmops_core.errors import FailedPrecondition, NotFound

SUITE_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Case:
    question: str
    expect: str  # "answered", "abstained" or "refused"
    document: str = ""
    facts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    status: str
    cited_documents: list[str]
    answer: str


@dataclass(frozen=True)
class Judgement:
    passed: bool
    cited_expected: bool
    abstained_as_expected: bool
    detail: str


def load_suite(directory: Path, name: str) -> list[Case]:
    if not SUITE_NAME.match(name):
        raise NotFound(f"no suite named {name!r}")
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []
        raise NotFound(f"no suite named {name!r}; known: {known}")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return [Case(**case) for case in loaded["questions"]]
    except (KeyError, TypeError) as error:
        raise FailedPrecondition(f"suite {name!r} is malformed: {error}") from error


def judge(case: Case, outcome: Outcome) -> Judgement:
    """Status must match; an answered case must cite its document; facts are reported, not required."""
    cited = case.document in outcome.cited_documents
    problems = []
    if outcome.status != case.expect:
        problems.append(f"expected {case.expect}, got {outcome.status}")
    if case.expect == "answered" and not cited:
        problems.append(f"did not cite {case.document}")
    missing = [f for f in case.facts if f.lower() not in outcome.answer.lower()]
    notes = problems + ([f"answer lacks {missing}"] if missing and outcome.status == "answered" else [])
    return Judgement(
        passed=not problems,
        cited_expected=cited,
        abstained_as_expected=case.expect == "abstained" and outcome.status == "abstained",
        detail="; ".join(notes),
    )
