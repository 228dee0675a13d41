"""`llmops eval …`: run a suite through the front door, measure the scorer, calibrate abstention."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from llmops_evaluation.use_cases import CaseResult, suite_totals
from llmops_stack.config import StackSettings

app = typer.Typer(
    help="Answer quality: suites, the hallucination scorer, abstention calibration.", no_args_is_help=True
)
console = Console()


def print_results(results: list[CaseResult], out: Console = console) -> None:
    """One line per case (✓ only for a case that passed the judge), then the totals."""
    for result in results:
        mark = "[green]✓[/]" if result.judgement.passed else "[red]✗[/]"
        outcome = result.outcome
        out.print(f"{mark} [bold]Q:[/] {escape(result.case.question)}")
        out.print(f"  [dim]{outcome.status}/{outcome.outcome}[/] {escape(outcome.answer[:300])}")
        if result.judgement.detail:
            out.print(f"  [red]{escape(result.judgement.detail)}[/]")
    out.print(summary(results))


def summary(results: list[CaseResult]) -> str:
    t = suite_totals(results)
    return (
        f"{t.passed}/{t.cases} cases passed; right answers {t.right_answers}/{t.expected_answered}"
        f" ({t.right_answers / max(1, t.expected_answered):.0%}); abstention precision"
        f" {t.abstained_correctly}/{t.abstained}, recall {t.abstained_correctly}/{t.expected_abstained};"
        f" {t.hallucination_flags} flagged as hallucinated; median latency {t.median_latency_ms:.0f} ms;"
        f" {t.tokens} tokens"
    )


@app.command("run")
def run(
    suite: Annotated[Path, typer.Option(exists=True, help="YAML or JSONL: question, expect, document, facts")],
    tenant: Annotated[str, typer.Option()] = "acme",
    split: Annotated[str | None, typer.Option(help="only cases whose `split` is this, e.g. heldout")] = None,
) -> None:
    """Ask every case through the Ask API and judge it: facts present, document cited, not flagged."""
    from llmops_stack.field_eval import load_cases, run_cases

    cases = load_cases(suite, split)
    if not cases:
        console.print(f"[red]no cases in {suite}{f' with split {split!r}' if split else ''}[/]")
        raise typer.Exit(2)
    print_results(run_cases(StackSettings(), tenant, cases))


@app.command("scorer")
def scorer() -> None:
    """AUROC and confusion matrix of the hallucination scorer on tests/data/scorer_labelled.jsonl."""
    from llmops_stack.scorer_eval import run as evaluate

    with console.status("scoring the labelled set (tune part picks the support bar)"):
        report = evaluate()
    console.print(f"support bar chosen on tune: {report.min_support}")
    for part in (report.tune, report.heldout):
        c = part.confusion
        console.print(
            f"[bold]{part.split}[/] ({part.items} items): AUROC {part.auroc:.3f}; flagged {c.true_flags} of"
            f" {c.true_flags + c.missed} hallucinated, {c.false_flags} of {c.false_flags + c.true_passes} right"
            f" answers ({c.false_flag_rate:.0%}); missed by kind {part.missed_by_kind};"
            f" false flags by kind {part.false_flags_by_kind}"
        )


@app.command("calibrate")
def calibrate(
    tenant: Annotated[str, typer.Option()] = "field",
    save: Annotated[bool, typer.Option(help="write the bars to the query service's calibration.json")] = False,
    ingest: Annotated[bool, typer.Option(help="sync the field corpus first")] = True,
) -> None:
    """Fit the abstention bars on the field questions' train part; report train and held-out rates."""
    from llmops_query.domain.support import save_policy
    from llmops_stack.field_eval import by_language, ingest_field
    from llmops_stack.field_eval import calibrate as fit_bars

    settings = StackSettings()
    if ingest:
        console.print(f"field corpus indexed: {ingest_field(settings, tenant)} chunks")
    policy, labelled = fit_bars(settings, tenant)
    console.print(f"bars: similarity ≥ {policy.min_similarity} or coverage ≥ {policy.min_coverage}")
    for split in ("train", "heldout"):
        for lang, rate in by_language([i for i in labelled if i.case.labels.get("split") == split], policy).items():
            console.print(
                f"  {split:<8} {lang}: answered {rate.answered_when_answerable:.0%} of {rate.answerable} answerable,"
                f" abstained on {rate.abstained_when_unanswerable:.0%} of {rate.unanswerable} unanswerable"
            )
    if save:
        save_policy(policy)
        console.print("saved to the query service's calibration.json (restart query to use it)")


@app.command("guardrails")
def guardrails(
    calibrate: Annotated[
        bool, typer.Option(help="fit the classifier and scope bars on the train split and save calibration.json")
    ] = False,
    bench: Annotated[bool, typer.Option(help="measure CheckInput latency and write docs/benchmarks.md")] = True,
) -> None:
    """Detection and false-positive rates of every guardrail check on tests/data/guardrails_labelled.jsonl."""
    from llmops_guardrails.domain.calibration import CALIBRATION
    from llmops_stack.bench import write_report
    from llmops_stack.guardrails_eval import GUARDRAILS_BEGIN, GUARDRAILS_END, render
    from llmops_stack.guardrails_eval import run as evaluate

    with console.status("scoring the labelled set in process (classifier, embeddings, rules, PII)"):
        reports, calibration, latency = evaluate(calibrate_bars=calibrate, bench=bench)
    if calibrate:
        calibration.save(CALIBRATION, command="llmops eval guardrails --calibrate")
        console.print(f"saved to {CALIBRATION.name}: {calibration}")
    for r in reports:
        per_type = {k: f"{r.pii_found[k]}/{n}" for k, n in sorted(r.pii_total.items())}
        console.print(
            f"[bold]{r.split}[/]: injection caught {r.injection_caught}/{r.counts['injection']}"
            f" ({r.injection_rate:.0%}); out of scope caught {r.out_of_scope_caught}/{r.counts['out_of_scope']}"
            f" ({r.out_of_scope_rate:.0%}); benign blocked {r.benign_blocked}/{r.counts['benign']}"
            f" ({r.benign_false_positive_rate:.0%}) {dict(r.benign_blocked_by)}; PII recall {r.pii_recall:.0%}"
            f" {per_type}; not-PII redacted {r.not_pii_redacted}/{r.counts['not_pii']}"
            f" ({r.not_pii_false_positive_rate:.0%})"
        )
        for miss in r.misses:
            console.print(f"  [dim]{escape(miss)}[/]")
    if latency is not None:
        console.print(
            f"CheckInput, 200 words, every check on: p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms;"
            f" each part alone (median): {latency.parts}"
        )
        write_report(render(reports, calibration, latency), begin=GUARDRAILS_BEGIN, end=GUARDRAILS_END)
        console.print("written to docs/benchmarks.md")
