"""Postgres access for services that own tables: a psycopg 3 pool with pgvector, and migrations.

Each service owns one schema; its migrations are ``NNNN_name.sql`` files in a folder of its
package, applied in order, once, under an advisory lock so replicas starting together agree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pgvector.psycopg import register_vector_async
from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from llmops_core.settings import PostgresSettings

MIGRATION_FILE = re.compile(r"\A(\d{4})_[a-z0-9_]+\.sql\Z")


async def _configure(connection: AsyncConnection) -> None:
    await register_vector_async(connection)


async def ensure_vector_extension(settings: PostgresSettings) -> None:
    """The extension must exist before a pooled connection can register the vector type."""
    async with await AsyncConnection.connect(settings.conninfo(), autocommit=True) as connection:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")


async def open_pool(settings: PostgresSettings) -> AsyncConnectionPool:
    await ensure_vector_extension(settings)
    pool = AsyncConnectionPool(
        settings.conninfo(),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        configure=_configure,
        # A connection broken by a database restart is replaced before use, not handed to a query;
        # a round trip per checkout is the price of recovering from outages without an error.
        check=AsyncConnectionPool.check_connection,
        open=False,
    )
    await pool.open(wait=True)
    return pool


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql_text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql_text.encode()).hexdigest()


def load_migrations(folder: Path) -> list[Migration]:
    migrations = []
    for path in sorted(folder.iterdir()):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            if path.suffix == ".sql":
                raise ValueError(f"migration file {path.name} must be named NNNN_lower_snake.sql")
            continue
        migrations.append(Migration(int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration numbers in {folder}")
    return migrations


async def migrate(pool: AsyncConnectionPool, schema: str, folder: Path) -> list[str]:
    """Applies pending migrations of ``folder`` inside ``schema``; returns the names applied.

    An applied migration whose file changed since is an error: migrations are append-only.
    """
    applied: list[str] = []
    lock_key = int.from_bytes(hashlib.sha256(schema.encode()).digest()[:4], "big")
    async with pool.connection() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
        await connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        await connection.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(schema))
        )
        cursor = await connection.execute(
            sql.SQL("SELECT version, checksum FROM {}.schema_migrations").format(sql.Identifier(schema))
        )
        done = {version: checksum for version, checksum in await cursor.fetchall()}
        for migration in load_migrations(folder):
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise RuntimeError(f"applied migration {migration.name} in schema {schema} was edited")
                continue
            await connection.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(sql.Identifier(schema)))
            await connection.execute(migration.sql_text.encode())
            await connection.execute(
                sql.SQL("INSERT INTO {}.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)").format(
                    sql.Identifier(schema)
                ),
                (migration.version, migration.name, migration.checksum),
            )
            applied.append(migration.name)
    return applied
