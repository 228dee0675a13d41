"""`llmops prompts`: the generation service's prompt registry (list, show, diff, activate, rollback)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, TypeVar

import grpc
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmops.common.v1.envelope_pb2 import PageRequest
from llmops.generation.v1 import generation_pb2, generation_pb2_grpc
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.grpc_client import balanced_channel
from llmops_stack.config import StackSettings
from llmops_stack.credentials import service_secret
from llmops_stack.services import target

app = typer.Typer(help="Prompt templates and their A/B activations (the generation service).", no_args_is_help=True)
console = Console()
T = TypeVar("T")
# Prompts belong to the platform; the service token still names a tenant to act for.
PLATFORM_TENANT = "platform"


class PromptRegistryClient:
    """The registry's admin RPCs; generation is internal, so calls carry a service token of the stack."""

    def __init__(self, settings: StackSettings) -> None:
        self.channel = balanced_channel(target(settings, "generation"))
        self.stub = generation_pb2_grpc.GenerationServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.tokens = ServiceTokens(service_secret(settings))

    def auth(self) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {self.tokens.mint('llmops-cli', PLATFORM_TENANT)}")]

    def prompts(self) -> list[generation_pb2.PromptTemplate]:
        prompts: list[generation_pb2.PromptTemplate] = []
        token = ""
        while True:
            request = generation_pb2.ListPromptsRequest(page=PageRequest(page_size=500, page_token=token))
            page = self.stub.ListPrompts(request, timeout=10, metadata=self.auth())
            prompts.extend(page.prompts)
            token = page.next_page_token
            if not token:
                return prompts

    def show(self, name: str, version: int) -> generation_pb2.PromptTemplate:
        request = generation_pb2.GetPromptRequest(name=name, version=version)
        prompt: generation_pb2.PromptTemplate = self.stub.GetPrompt(request, timeout=10, metadata=self.auth())
        return prompt

    def diff(self, name: str, old: int, new: int) -> str:
        request = generation_pb2.DiffPromptsRequest(name=name, from_version=old, to_version=new)
        diff: str = self.stub.DiffPrompts(request, timeout=10, metadata=self.auth()).diff
        return diff

    def activate(self, name: str, weights: list[tuple[int, float]], actor: str) -> generation_pb2.PromptActivation:
        versions = [generation_pb2.WeightedVersion(version=v, weight=w) for v, w in weights]
        request = generation_pb2.ActivatePromptRequest(name=name, versions=versions, actor=actor)
        change: generation_pb2.PromptActivation = self.stub.ActivatePrompt(request, timeout=10, metadata=self.auth())
        return change

    def rollback(self, name: str, actor: str) -> generation_pb2.PromptActivation:
        request = generation_pb2.RollbackPromptRequest(name=name, actor=actor)
        change: generation_pb2.PromptActivation = self.stub.RollbackPrompt(request, timeout=10, metadata=self.auth())
        return change

    def close(self) -> None:
        self.channel.close()


def parse_weight(text: str) -> tuple[int, float]:
    """``N`` or ``N:WEIGHT`` (weight 1 when left out)."""
    version, _, weight = text.partition(":")
    try:
        return int(version), float(weight or 1)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: expected VERSION or VERSION:WEIGHT, e.g. 2 or 2:0.3") from error


def _call(work: Callable[[PromptRegistryClient], T]) -> T:
    client = PromptRegistryClient(StackSettings())
    try:
        return work(client)
    except grpc.RpcError as error:
        console.print(f"[red]{error.code().name}[/]: {escape(error.details() or '')}")  # type: ignore[attr-defined]
        raise typer.Exit(1) from error
    finally:
        client.close()


def _weights(versions: list[generation_pb2.WeightedVersion]) -> str:
    total = sum(v.weight for v in versions) or 1.0
    return ", ".join(f"v{v.version} {v.weight / total:.0%}" for v in versions) or "none"


def _activation(change: generation_pb2.PromptActivation, verb: str) -> None:
    console.print(f"{change.name}: {verb} {_weights(list(change.versions))} (was {_weights(list(change.previous))})")


@app.command("list")
def list_prompts() -> None:
    """Every version of every prompt, with its share of traffic."""
    prompts = _call(lambda c: c.prompts())
    table = Table(title="prompts")
    for column in ("name", "version", "active weight", "note", "sha256"):
        table.add_column(column)
    for p in prompts:
        weight = f"{p.active_weight:g}" if p.active_weight else ""
        table.add_row(p.name, str(p.version), weight, escape(p.description), p.content_sha256[:12])
    console.print(table)


@app.command("show")
def show(name: str, version: Annotated[int, typer.Option(help="the version; 0 means the latest")] = 0) -> None:
    """One version's note, system and user text."""
    prompt = _call(lambda c: c.show(name, version))
    console.print(f"[bold]{prompt.name} v{prompt.version}[/] active weight {prompt.active_weight:g}")
    console.print(f"note: {escape(prompt.description)}")
    console.print(f"[bold]system[/]\n{escape(prompt.system)}\n[bold]user[/]\n{escape(prompt.user)}")


@app.command("diff")
def diff(name: str, old: int, new: int) -> None:
    """Unified diff of version OLD to version NEW."""
    text = _call(lambda c: c.diff(name, old, new))
    console.print(escape(text) if text else f"{name} v{old} and v{new} are the same")


@app.command("activate")
def activate(
    name: str,
    version: Annotated[list[str], typer.Option("--version", help="VERSION or VERSION:WEIGHT; repeat for an A/B split")],
) -> None:
    """Serve the given versions, split by weight: `--version 1:0.7 --version 2:0.3`."""
    weights = [parse_weight(v) for v in version]
    _activation(_call(lambda c: c.activate(name, weights, getpass.getuser())), "now serves")


@app.command("rollback")
def rollback(name: str) -> None:
    """Restore the activation before the current one."""
    _activation(_call(lambda c: c.rollback(name, getpass.getuser())), "rolled back to")
