"""`llmops drift`: a tenant's drift signals and open alerts, an operator's reset, answers to review."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmops.evaluation.v1 import evaluation_pb2
from llmops_stack.client import PlatformClient
from llmops_stack.config import StackSettings

app = typer.Typer(help="Drift of answer quality per tenant (the evaluation service).", no_args_is_help=True)
console = Console()
Tenant = Annotated[str, typer.Option(help="the tenant")]


def show_state(state: evaluation_pb2.DriftState) -> None:
    table = Table(title=f"drift of {state.tenant_id}: {'DRIFTING' if state.drifting else 'no open alert'}")
    for column in ("signal", "phase", "watches", "reference", "current", "test", "statistic / threshold", "n"):
        table.add_column(column)
    for s in state.signals:
        table.add_row(
            s.name, s.phase, s.direction, f"{s.reference:.3f}", f"{s.current:.3f}", s.test,
            f"{s.statistic:.2f} / {s.threshold:.2f}", str(s.observations),
        )  # fmt: skip
    console.print(table)
    for alert in state.open_alerts:
        console.print(f"[red]open alert[/] {alert.raised_at} {alert.signal}: {escape(alert.summary)}")
        console.print(f"  suggested: {escape(alert.suggested_action)}")


@app.command("state")
def state(tenant: Tenant = "acme") -> None:
    """Every signal's phase, reference, current value and CUSUM statistic, and the open alerts."""
    client = PlatformClient(StackSettings())
    try:
        found = client.drift(tenant)
    finally:
        client.close()
    if found is None:
        console.print(f"no scored answers for tenant {tenant!r} yet")
        raise typer.Exit(1)
    show_state(found)


@app.command("reset")
def reset(
    tenant: Tenant = "acme",
    relearn: Annotated[bool, typer.Option(help="learn every reference again from the next answers")] = False,
) -> None:
    """Clear the tenant's open alerts (the query service returns to its normal answer mode)."""
    client = PlatformClient(StackSettings())
    try:
        show_state(client.reset_drift(tenant, relearn))
    finally:
        client.close()


@app.command("review")
def review(tenant: Tenant = "acme", limit: Annotated[int, typer.Option(min=1, max=100)] = 20) -> None:
    """Answers with negative feedback, the lowest score first."""
    client = PlatformClient(StackSettings())
    try:
        answers = client.review_answers(tenant, limit)
    finally:
        client.close()
    table = Table(title=f"answers of {tenant} to review")
    for column in ("answer", "rating", "groundedness", "hallucinated", "comment"):
        table.add_column(column)
    for a in answers:
        score = f"{a.groundedness:.2f}" if a.has_score else "unscored"
        table.add_row(a.answer_id, str(a.rating), score, str(a.hallucinated) if a.has_score else "", escape(a.comment))
    console.print(table)


@app.command("gaps")
def gaps(tenant: Tenant = "acme", questions: Annotated[int, typer.Option(min=1, max=2000)] = 500) -> None:
    """Knowledge gaps: the latest questions the corpus could not answer, grouped, largest first."""
    client = PlatformClient(StackSettings())
    try:
        report = client.knowledge_gaps(tenant, questions)
    finally:
        client.close()
    console.print(f"{report.questions} abstained question(s) of {tenant}, {len(report.gaps)} group(s)")
    for gap in report.gaps:
        console.print(f"[bold]{gap.questions}[/] × " + " | ".join(escape(e) for e in gap.examples))
