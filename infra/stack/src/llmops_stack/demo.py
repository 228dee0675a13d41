"""The main job of `make run`: ingest the sample corpus twice (one document changes in between),
ask the golden questions over gRPC, then show each answer's hallucination score and the drift state."""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape

from llmops.ingestion.v1 import ingestion_pb2
from llmops.query.v1 import query_pb2
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings

CORPUS = REPO_ROOT / "corpus"
STATUS = {
    query_pb2.ANSWER_STATUS_ANSWERED: "answered",
    query_pb2.ANSWER_STATUS_ABSTAINED: "abstained",
    query_pb2.ANSWER_STATUS_REFUSED: "refused",
}


@dataclass
class GoldenResult:
    question: str
    expect: str
    response: Any
    cited_expected: bool
    status_ok: bool
    stage_ms: dict[str, float] = field(default_factory=dict)


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
    console.print(
        f"[bold]{label}[/]: {report.documents_seen} documents, {report.documents_ingested} ingested,"
        f" {report.documents_skipped} unchanged, {report.documents_rejected} rejected,"
        f" {report.chunks_published} chunks published"
    )
    for result in report.results:
        if result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_INGESTED and "repaired" in result.detail:
            console.print(f"   repaired {result.document_id}: {result.detail}")
        if result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_INGESTED and result.version > 1:
            console.print(f"   {result.document_id} is now version {result.version}")


def ingest_corpus(client: PlatformClient, settings: StackSettings, tenant: str, console: Console) -> None:
    source = prepare_source(settings, tenant)
    print_report(console, "sync 1", client.sync(tenant, source))
    for update in sorted((CORPUS / "updates").rglob("*.*")):
        shutil.copyfile(update, source / update.relative_to(CORPUS / "updates"))
    print_report(console, "sync 2 (after a document changed)", client.sync(tenant, source))
    stats = client.wait_indexed(tenant)
    console.print(f"indexed: {stats.chunks} chunks of {stats.documents} documents in pgvector\n")


def ask_golden(client: PlatformClient, tenant: str, console: Console) -> list[GoldenResult]:
    results = []
    for case in load_golden()["questions"]:
        response = client.ask(tenant, case["question"])
        status = STATUS.get(response.status, "?")
        cited = any(c.document_id == case.get("document") for c in response.citations)
        results.append(
            GoldenResult(
                case["question"], case["expect"], response, cited, status == case["expect"],
                {s.stage: s.milliseconds for s in response.latencies},
            )
        )  # fmt: skip
        mark = "[green]✓[/]" if status == case["expect"] and (cited or case["expect"] != "answered") else "[red]✗[/]"
        console.print(f"{mark} [bold]Q:[/] {escape(case['question'])}")
        console.print(f"  [dim]{status}[/] {escape(response.answer)}")
        for citation in response.citations[:3]:
            console.print(f"  [dim]cites {escape(citation.document_id)} (score {citation.score:.3f})[/]")
    return results


def show_scores(client: PlatformClient, tenant: str, results: list[GoldenResult], console: Console) -> None:
    console.print("\n[bold]Hallucination scores[/] (scored asynchronously by the evaluation service):")
    with console.status("waiting for scores"):
        for result in results:
            score = client.wait_score(tenant, result.response.answer_id)
            if score is None:
                console.print(f"  {result.response.answer_id[:8]}  not scored within the time limit")
                continue
            verdict = "[red]hallucinated[/]" if score.hallucinated else "[green]grounded[/]"
            console.print(f"  {verdict} groundedness {score.groundedness:.2f}  {escape(result.question[:60])}")
    state = client.drift(tenant)
    if state is not None:
        console.print(
            f"\n[bold]Drift monitor[/]: reference window {state.reference_size}, current window"
            f" {state.current_size}, drifting: {state.drifting}"
        )


def run_demo(settings: StackSettings, console: Console) -> list[GoldenResult]:
    tenant = load_golden()["tenant"]
    client = PlatformClient(settings)
    started = time.monotonic()
    try:
        ingest_corpus(client, settings, tenant, console)
        results = ask_golden(client, tenant, console)
        show_scores(client, tenant, results, console)
    finally:
        client.close()
    answered = [r for r in results if r.expect == "answered"]
    console.print(
        f"\n{sum(r.status_ok for r in results)}/{len(results)} golden questions got the expected outcome;"
        f" {sum(r.cited_expected for r in answered)}/{len(answered)} answers cite the expected document."
    )
    stages = sorted({s for r in results for s in r.stage_ms})
    medians = {s: statistics.median(r.stage_ms[s] for r in results if s in r.stage_ms) for s in stages}
    console.print("median latency per stage: " + ", ".join(f"{s} {ms:.0f} ms" for s, ms in medians.items()))
    dashboards = f"http://{settings.host}:{settings.telemetry_http_port}"
    console.print(f"main job took {time.monotonic() - started:.0f}s")
    console.print(f"dashboards: {dashboards}/metrics and {dashboards}/api/summary?tenant={tenant}")
    return results
