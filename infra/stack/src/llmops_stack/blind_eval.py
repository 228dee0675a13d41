"""The blind question set through the front door: `python -m llmops_stack.blind_eval LABEL [--split S] [--every N]`.

corpus/blind (written by a helper that read no code and no earlier set: fictional articles in en,
zh-Hant and zh-Hans, 137 questions with answer aliases, unanswerable look-alikes, multi-hop, long and
cross-language questions) is synced into a tenant of its own on the running stack (`make up`), and
every question is asked with that tenant's API key, as a customer would. Each answer is graded:

- answered, answerable, an alias in the answer: **right**; no alias: **wrong shown**;
- answered, unanswerable: **wrong shown** (it should have said it does not know);
- abstained or refused, answerable: **withheld**; unanswerable: **abstained rightly**.

An alias counts when it occurs in the answer after NFKC, case folding and removing whitespace (so
"299 元" matches "299元"). Bare-number aliases can match by chance; the set's README says which.
The table goes to docs/benchmarks.md under LABEL; each graded answer to .llmops/blind/LABEL.jsonl.
``--every N`` asks every N-th question of the split only (a quicker comparison of two settings, both
run on the same questions); the report says so.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from llmops.query.v1 import query_pb2
from llmops_stack.bench import write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings

BLIND = REPO_ROOT / "corpus" / "blind"
TENANT = "blind"
OUTCOMES = ("right", "wrong shown", "withheld", "abstained rightly")


@dataclass(frozen=True)
class Graded:
    id: str
    lang: str
    kind: str
    split: str
    answerable: bool
    status: str
    outcome: str  # how the answer was released: verified, fallback, extractive, abstained, refused
    grade: str  # one of OUTCOMES
    seconds: float
    question: str
    answer: str
    # Why this outcome (which check a draft failed, why the gate abstained), and where the time went.
    reason: str = ""
    latencies_ms: dict[str, float] | None = None
    output_tokens: int = 0
    input_tokens: int = 0


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def grade(case: dict[str, Any], response: query_pb2.AskResponse) -> str:
    answered = response.status == query_pb2.ANSWER_STATUS_ANSWERED
    if not case["answers"]:
        return "wrong shown" if answered else "abstained rightly"
    if not answered:
        return "withheld"
    return "right" if any(_plain(alias) in _plain(response.answer) for alias in case["answers"]) else "wrong shown"


def run(settings: StackSettings, label: str, split: str | None = None, every: int = 1) -> list[Graded]:
    cases = [json.loads(line) for line in (BLIND / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    cases = [case for case in cases if split is None or case["split"] == split][::every]
    client = PlatformClient(settings)
    graded = []
    try:
        client.sync(TENANT, BLIND / "docs")
        client.wait_indexed(TENANT, timeout=600)
        for case in cases:
            started = time.monotonic()
            response = client.ask(TENANT, case["question"])
            graded.append(
                Graded(
                    id=case["id"],
                    lang=case["lang"],
                    kind=case["kind"],
                    split=case["split"],
                    answerable=bool(case["answers"]),
                    status=query_pb2.AnswerStatus.Name(response.status).removeprefix("ANSWER_STATUS_").lower(),
                    outcome=query_pb2.AnswerOutcome.Name(response.outcome).removeprefix("ANSWER_OUTCOME_").lower(),
                    grade=grade(case, response),
                    seconds=time.monotonic() - started,
                    question=case["question"],
                    answer=response.answer,
                    reason=response.outcome_reason or response.reason,
                    latencies_ms={stage.stage: stage.milliseconds for stage in response.latencies},
                    output_tokens=response.usage.output_tokens,
                    input_tokens=response.usage.input_tokens,
                )
            )
            print(f"{case['id']} {graded[-1].grade:18} {graded[-1].outcome:10} {response.answer[:90]!r}", flush=True)
    finally:
        client.close()
    out = settings.state_dir / "blind" / f"{label}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(asdict(g), ensure_ascii=False) + "\n" for g in graded), encoding="utf-8")
    return graded


def _row(name: str, rows: list[Graded]) -> str:
    answerable = [g for g in rows if g.answerable]
    unanswerable = [g for g in rows if not g.answerable]
    counts = Counter(g.grade for g in rows)

    def share(count: int, total: int) -> str:
        return f"{count}/{total} ({count / total:.0%})" if total else "–"

    return (
        f"| {name} | {len(rows)} | {share(counts['right'], len(answerable))} |"
        f" {share(counts['wrong shown'], len(rows))} | {share(counts['withheld'], len(answerable))} |"
        f" {share(counts['abstained rightly'], len(unanswerable))} |"
    )


def report(label: str, graded: list[Graded], every: int = 1, note: str = "", write: bool = True) -> str:
    begin, end = f"<!-- bench:blind-{label}:begin -->", f"<!-- bench:blind-{label}:end -->"
    header = [
        "| part | questions | right (of answerable) | wrong shown (of all) | withheld (of answerable) |"
        " abstained rightly (of unanswerable) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    groups: dict[str, list[Graded]] = defaultdict(list)
    for g in graded:
        for key in (f"split {g.split}", f"lang {g.lang}", f"kind {g.kind}"):
            groups[key].append(g)
    lines = [
        begin,
        f"## Blind question set through Ask: {label}",
        "",
        f"`python -m llmops_stack.blind_eval {label}` on {time.strftime('%Y-%m-%d')} (2 cores; corpus/blind, its"
        " README says how it was written). Right: an answer alias in the answer; wrong shown: an answer without"
        " one, or any answer to an unanswerable question."
        + (f" One question in {every} of the split was asked." if every > 1 else "")
        + (f" {note}" if note else ""),
        "",
        *header,
        _row("**all**", graded),
        *(_row(key, groups[key]) for key in sorted(groups)),
        "",
        "Released answers by how they were released (verified: the model's draft passed the checks; fallback:"
        " a second draft did; extractive: a quoted passage):",
        "",
        "| released as | answers | right | wrong shown |",
        "|---|---:|---:|---:|",
    ]
    released: dict[str, Counter[str]] = defaultdict(Counter)
    for g in graded:
        if g.status == "answered":
            released[g.outcome][g.grade] += 1
    for outcome, counts in sorted(released.items()):
        lines.append(f"| {outcome} | {counts.total()} | {counts['right']} | {counts['wrong shown']} |")
    seconds = sorted(g.seconds for g in graded)
    if seconds:
        lines += ["", f"Ask latency p50 {seconds[len(seconds) // 2]:.1f} s, max {seconds[-1]:.1f} s."]
    lines += ["", end]
    section = "\n".join(lines)
    if write:
        write_report(section, begin=begin, end=end)
    return section


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m llmops_stack.blind_eval")
    parser.add_argument("label", help="names the benchmarks.md section and the graded JSONL")
    parser.add_argument("--split", choices=("tune", "heldout"))
    parser.add_argument("--every", type=int, default=1, help="ask every N-th question of the split only")
    parser.add_argument("--note", default="", help="a sentence for the report, e.g. the routes served")
    args = parser.parse_args(argv)
    print(report(args.label, run(StackSettings(), args.label, args.split, args.every), args.every, args.note))


if __name__ == "__main__":
    main(sys.argv[1:])
