"""Evaluation suites: cases, the loading of a suite file, and the judge of one case.

A case passes only when a user would call the answer right: the expected status; and for an
answered case its facts present (numbers by token equality after normalisation, so "3 days" is not
"30 days"), its document cited, and no hallucination flag from the scorer. A fact or citation that
is missing fails the case; it is never a footnote to a pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from llmops_core.errors import InvalidArgument, NotFound
from llmops_grounding import extract_facts
from llmops_grounding.text import normalized

SUITE_NAME = re.compile(r"\A[a-z0-9_-]{1,64}\Z")  # \Z: "$" would let "name\n" through
EXPECTATIONS = ("answered", "abstained", "refused")
MAX_SUITE_BYTES = 1 << 20
MAX_CASES = 500


@dataclass(frozen=True)
class Case:
    question: str
    expect: str  # "answered", "abstained" or "refused"
    document: str = ""
    facts: list[str] = field(default_factory=list)
    # Other string fields of the case (id, lang, kind, split): carried into reports, never judged.
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What the front door answered, as a product app sees it."""

    answer_id: str
    status: str
    outcome: str
    cited_documents: list[str]
    answer: str
    latency_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Judgement:
    passed: bool
    cited_expected: bool
    facts_present: bool
    missing_facts: list[str]
    abstained_as_expected: bool
    right_answer: bool
    detail: str


def _case(raw: object, position: int) -> Case:
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str) or not raw["question"].strip():
        raise InvalidArgument(f"case {position}: needs a non-empty 'question'")
    expect = raw.get("expect")
    if expect not in EXPECTATIONS:
        raise InvalidArgument(
            f"case {position}: 'expect' is {str(expect)[:64]!r}; use one of {', '.join(EXPECTATIONS)}"
        )
    facts = raw.get("facts") or []
    if not isinstance(facts, list) or not all(isinstance(f, str | int | float) for f in facts):
        raise InvalidArgument(f"case {position}: 'facts' must be a list of strings")
    labels = {k: v for k, v in raw.items() if isinstance(v, str) and k not in ("question", "expect", "document")}
    return Case(raw["question"].strip(), expect, str(raw.get("document") or ""), [str(f) for f in facts], labels)


def parse_suite(content: bytes, suite_format: str) -> list[Case]:
    """Cases from YAML (a list, or a mapping with 'questions') or JSON Lines (one case per line)."""
    if len(content) > MAX_SUITE_BYTES:
        raise InvalidArgument(f"the suite file is {len(content)} bytes; the limit is {MAX_SUITE_BYTES}")
    try:
        text = content.decode("utf-8")
        if suite_format == "jsonl":
            loaded: object = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif suite_format == "yaml":
            loaded = yaml.safe_load(text)
        else:
            raise InvalidArgument(f"suite_format is {suite_format[:64]!r}; use 'yaml' or 'jsonl'")
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise InvalidArgument(f"the suite file is not valid {suite_format}: {error}") from error
    raw = loaded.get("questions") if isinstance(loaded, dict) else loaded
    if not isinstance(raw, list) or not raw:
        raise InvalidArgument("the suite has no cases (a list, or a mapping with a 'questions' list)")
    if len(raw) > MAX_CASES:
        raise InvalidArgument(f"the suite has {len(raw)} cases; the limit is {MAX_CASES}")
    return [_case(item, i) for i, item in enumerate(raw, start=1)]


def load_suite(directory: Path, name: str) -> list[Case]:
    if not SUITE_NAME.match(name):
        raise NotFound(f"no suite named {name[:64]!r}")  # a part: the whole could be megabytes
    path = directory / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []
        raise NotFound(f"no suite named {name!r}; known: {known}")
    return parse_suite(path.read_bytes(), "yaml")


def fact_present(fact: str, answer: str) -> bool:
    """Numbers, dates and times by equality after normalisation; other facts as whole words."""
    wanted = extract_facts(fact, generous=True)
    found = extract_facts(answer, generous=True)
    if wanted.numbers or wanted.dates or wanted.times:
        return wanted.numbers <= found.numbers and wanted.dates <= found.dates and wanted.times <= found.times
    needle, haystack = normalized(fact).lower(), normalized(answer).lower()
    if needle.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None
    return needle in haystack


def judge(case: Case, outcome: Outcome, hallucinated: bool) -> Judgement:
    cited = bool(case.document) and case.document in outcome.cited_documents
    missing = [f for f in case.facts if not fact_present(f, outcome.answer)]
    problems = []
    if outcome.status != case.expect:
        problems.append(f"expected {case.expect}, got {outcome.status}")
    right = False
    if case.expect == "answered" and outcome.status == "answered":
        if case.document and not cited:
            problems.append(f"did not cite {case.document}")
        if missing:
            problems.append(f"answer lacks {missing}")
        if hallucinated:
            problems.append("flagged as hallucinated")
        right = not problems
    return Judgement(
        passed=not problems,
        cited_expected=cited,
        facts_present=not missing,
        missing_facts=missing,
        abstained_as_expected=case.expect == "abstained" and outcome.status == "abstained",
        right_answer=right,
        detail="; ".join(problems),
    )
