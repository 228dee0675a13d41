"""`llmops keys`: create, list and revoke tenants' API keys in the platform's key store."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmops_core.auth.keys import KeyRecord, KeyStore
from llmops_core.errors import DomainError
from llmops_core.postgres import open_pool
from llmops_core.settings import PostgresSettings
from llmops_stack.config import StackSettings

app = typer.Typer(help="API keys of tenants (stored hashed in PostgreSQL, schema auth).", no_args_is_help=True)
console = Console()
T = TypeVar("T")
Postgres = Annotated[str | None, typer.Option(help="PostgreSQL conninfo of the deployment; default: the local stack")]


def _postgres() -> PostgresSettings:
    """LLMOPS_POSTGRES_* of a deployment when set; otherwise the local stack's database."""
    if any(name.startswith("LLMOPS_POSTGRES_") for name in os.environ):
        return PostgresSettings()
    stack = StackSettings()
    return PostgresSettings(host=stack.host, port=stack.postgres_port, database=stack.postgres_database)


def _with_store(work: Callable[[KeyStore], Awaitable[T]]) -> T:
    async def run() -> T:
        store = KeyStore(await open_pool(_postgres()))
        try:
            await store.migrate()
            return await work(store)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except DomainError as error:
        console.print(f"[red]{escape(str(error))}[/]")
        raise typer.Exit(1) from error


@app.command("create")
def create(
    tenant: Annotated[str, typer.Option(help="the tenant the key acts for")],
    scopes: Annotated[str, typer.Option(help="comma-separated: ask, feedback, ingest, admin")] = "ask,feedback",
    name: Annotated[str, typer.Option(help="what the key is for, e.g. the app's name")] = "",
) -> None:
    """Create a key; it is printed once and only its hash is stored."""
    key, record = _with_store(lambda store: store.create(tenant, scopes.split(","), name))
    console.print(f"key {record.key_id} for tenant {record.tenant_id} ({', '.join(record.scopes)}):")
    print(key)
    console.print("[dim]send it as gRPC metadata 'authorization: Bearer <key>'; it is not shown again[/]")


@app.command("list")
def list_keys(tenant: Annotated[str | None, typer.Option(help="only this tenant's keys")] = None) -> None:
    """Keys with their tenant, scopes and state (never the secret)."""
    records: list[KeyRecord] = _with_store(lambda store: store.list(tenant))
    table = Table("key id", "tenant", "scopes", "name", "created", "revoked")
    for r in records:
        revoked = f"{r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else ""
        table.add_row(
            r.key_id, r.tenant_id, ",".join(r.scopes), escape(r.name), f"{r.created_at:%Y-%m-%d %H:%M}", revoked
        )
    console.print(table)


@app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke a key; services stop accepting it within LLMOPS_AUTH_KEY_CACHE_SECONDS."""
    record = _with_store(lambda store: store.revoke(key_id))
    console.print(f"revoked {record.key_id} of tenant {record.tenant_id}")
