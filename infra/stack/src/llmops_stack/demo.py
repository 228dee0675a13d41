"""The main job of `make run`: ingest the sample corpus twice (one document changes in between),
ask the golden questions over gRPC and judge each (✓ only for a right, cited, unflagged answer), then
show each answer's hallucination score and the drift state."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape

from llmops.ingestion.v1 import ingestion_pb2
from llmops_evaluation.use_cases import CaseResult
from llmops_stack.client import PlatformClient, report_summary
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.evaluation_cli import summary
from llmops_stack.field_eval import load_cases, run_cases

CORPUS = REPO_ROOT / "corpus"


def load_golden() -> dict[str, Any]:
    loaded = yaml.safe_load((CORPUS / "golden.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def prepare_source(settings: StackSettings, tenant: str) -> Path:
    """A working copy of the corpus that the second sync can change, inside an allowed source root."""
    source = settings.state_dir / "sources" / tenant
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(CORPUS / "acme", source)
    return source


def print_report(console: Console, label: str, report: ingestion_pb2.IngestReport) -> None:
    console.print(f"[bold]{label}[/]: {report_summary(report)}")
    for result in report.results:
        if result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_ADDED and "repaired" in result.detail:
            console.print(f"   repaired {result.document_id}: {result.detail}")
        if result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_MODIFIED:
            console.print(
                f"   {result.document_id} is now version {result.version}: {result.chunks_published} chunks"
                f" re-embedded, {result.chunks_reused} unchanged"
            )


def ingest_corpus(client: PlatformClient, settings: StackSettings, tenant: str, console: Console) -> None:
    source = prepare_source(settings, tenant)
    print_report(console, "sync 1", client.sync(tenant, source))
    for update in sorted((CORPUS / "updates").rglob("*.*")):
        shutil.copyfile(update, source / update.relative_to(CORPUS / "updates"))
    print_report(console, "sync 2 (after a document changed)", client.sync(tenant, source))
    stats = client.wait_indexed(tenant)
    console.print(f"indexed: {stats.chunks} chunks of {stats.documents} documents in pgvector\n")


def ask_golden(settings: StackSettings, tenant: str, console: Console) -> list[CaseResult]:
    """Every golden question through the Ask API, judged like `llmops eval run` and RunSuite judge it."""
    cases = load_cases(CORPUS / "golden.yaml")
    with console.status(f"asking {len(cases)} golden questions and waiting for their scores"):
        results = run_cases(settings, tenant, cases)
    for result in results:
        mark = "[green]✓[/]" if result.judgement.passed else "[red]✗[/]"
        outcome = result.outcome
        console.print(f"{mark} [bold]Q:[/] {escape(result.case.question)}")
        console.print(f"  [dim]{outcome.status}/{outcome.outcome}[/] {escape(outcome.answer)}")
        if outcome.cited_documents:
            console.print(f"  [dim]cites {escape(', '.join(dict.fromkeys(outcome.cited_documents)))}[/]")
        if result.score is not None and outcome.status == "answered":
            verdict = "[red]flagged as hallucinated[/]" if result.score.hallucinated else "[green]grounded[/]"
            console.print(f"  scorer: {verdict}, groundedness {result.score.score:.2f}")
        if result.judgement.detail:
            console.print(f"  [red]{escape(result.judgement.detail)}[/]")
    return results


def show_drift(client: PlatformClient, tenant: str, console: Console) -> None:
    state = client.drift(tenant)
    if state is not None:
        learning = [s.name for s in state.signals if s.phase == "learning"]
        console.print(
            f"\n[bold]Drift monitor[/]: {len(state.signals)} signals, {len(learning)} still learning their reference;"
            f" open alerts: {len(state.open_alerts)} (`llmops drift state --tenant {tenant}` shows each signal)"
        )


def run_demo(settings: StackSettings, console: Console) -> list[CaseResult]:
    tenant = load_golden()["tenant"]
    client = PlatformClient(settings)
    started = time.monotonic()
    try:
        ingest_corpus(client, settings, tenant, console)
        results = ask_golden(settings, tenant, console)
        show_drift(client, tenant, console)
    finally:
        client.close()
    console.print("\n" + summary(results))
    dashboards = f"http://{settings.host}:{settings.telemetry_http_port}"
    console.print(f"main job took {time.monotonic() - started:.0f}s")
    console.print(f"dashboards: {dashboards}/metrics and {dashboards}/api/summary?tenant={tenant}")
    return results
