"""`make bench-quality`: answer quality on documents we did not write for ourselves, in one run.

Starts the local stack (or uses the running one), syncs the field corpus, and measures through the
front door what a user feels: right answers (facts present, document cited, not flagged), abstention
precision and recall, per language, on the held-out questions and on the golden set; then the
abstention gate's rates and the hallucination scorer's AUROC. Writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import time
from collections import defaultdict

from rich.console import Console

from llmops_evaluation.use_cases import CaseResult, suite_totals
from llmops_grounding.text import is_cjk_text
from llmops_query.domain.support import load_policy
from llmops_stack.bench import REPORT, write_report
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.demo import ingest_corpus
from llmops_stack.field_eval import (
    EMBEDDING_MODEL,
    FIELD_TENANT,
    QUESTIONS,
    by_language,
    collect_signals,
    ingest_field,
    load_cases,
    run_cases,
)
from llmops_stack.scorer_eval import run as evaluate_scorer
from llmops_stack.stack import Stack

BEGIN, END = "<!-- bench:quality:begin -->", "<!-- bench:quality:end -->"


def language(result: CaseResult) -> str:
    labelled = result.case.labels.get("lang")
    if labelled:
        return "zh" if labelled.startswith("zh") else "en"
    return "zh" if is_cjk_text(result.case.question) else "en"


def suite_rows(label: str, results: list[CaseResult]) -> list[str]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        groups[language(result)].append(result)
    rows = []
    for lang, group in [("all", results), *sorted(groups.items())]:
        t = suite_totals(group)
        rows.append(
            f"| {label} | {lang} | {t.right_answers}/{t.expected_answered}"
            f" ({t.right_answers / max(1, t.expected_answered):.0%}) | {t.abstained_correctly}/{t.abstained} |"
            f" {t.abstained_correctly}/{t.expected_abstained} | {t.answerable_not_answered} |"
            f" {', '.join(f'{k} {v}' for k, v in t.outcomes_of_answerable.items())} | {t.median_latency_ms:.0f} |"
        )
    return rows


def measure(settings: StackSettings) -> str:
    import asyncio

    chunks = ingest_field(settings)
    client = PlatformClient(settings)
    try:
        ingest_corpus(client, settings, "acme", Console(quiet=True))
    finally:
        client.close()
    heldout = run_cases(settings, FIELD_TENANT, load_cases(QUESTIONS, "heldout"))
    golden = run_cases(settings, "acme", load_cases(REPO_ROOT / "corpus" / "golden.yaml"))
    policy = load_policy(EMBEDDING_MODEL)
    labelled = asyncio.run(collect_signals(settings, FIELD_TENANT, load_cases(QUESTIONS)))
    scorer = evaluate_scorer()
    lines = [
        BEGIN,
        "## Answer quality (`make bench-quality`)",
        "",
        f"Measured on {time.strftime('%Y-%m-%d')} with SmolLM2-135M and MiniLM; field corpus {chunks} chunks. A right"
        " answer has its facts (normalised), cites its document and is not flagged by the scorer. Abstention"
        " precision = correct abstentions / all abstentions; recall = correct abstentions / questions that"
        " should abstain. 'Answerable not answered' counts answerable questions that got no answer (abstained or"
        " refused).",
        "",
        "| questions | lang | right answers | abstention precision | abstention recall | answerable not answered"
        " | outcomes of answerable | median latency (ms) |",
        "|---|---|---|---|---|---|---|---:|",
        *suite_rows("field held-out", heldout),
        *suite_rows("golden (acme)", golden),
        "",
        f"Abstention gate (`calibration.json`: similarity ≥ {policy.min_similarity} or coverage ≥"
        f" {policy.min_coverage}; {policy.fitted_on}):",
        "",
        "| split | lang | answered when answerable | abstained when unanswerable |",
        "|---|---|---|---|",
    ]
    for split in ("train", "heldout"):
        for lang, rate in by_language([i for i in labelled if i.case.labels.get("split") == split], policy).items():
            lines.append(
                f"| {split} | {lang} | {rate.answered_when_answerable:.0%} of {rate.answerable} |"
                f" {rate.abstained_when_unanswerable:.0%} of {rate.unanswerable} |"
            )
    lines += [
        "",
        f"Hallucination scorer on tests/data/scorer_labelled.jsonl (support bar {scorer.min_support} chosen on tune):",
        "",
        "| part | items | AUROC | hallucinated flagged | right answers flagged |",
        "|---|---:|---:|---|---|",
    ]
    for part in (scorer.tune, scorer.heldout):
        c = part.confusion
        lines.append(
            f"| {part.split} | {part.items} | {part.auroc:.3f} | {c.true_flags}/{c.true_flags + c.missed} |"
            f" {c.false_flags}/{c.false_flags + c.true_passes} ({c.false_flag_rate:.0%}) |"
        )
    return "\n".join([*lines, "", END])


def main() -> None:
    settings = StackSettings()
    stack = Stack(settings)
    stack.up()
    section = measure(settings)
    print(section)
    write_report(section, REPORT, BEGIN, END)
    print(f"\nwritten to {REPORT.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
