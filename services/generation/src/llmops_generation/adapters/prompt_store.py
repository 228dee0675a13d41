"""The prompt registry in PostgreSQL (schema ``generation``, migration 0001)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from llmops_core.errors import FailedPrecondition
from llmops_generation.domain.prompts import Activation, ActivationChange, PromptTemplate

LOADER = "generation (first load)"


def _weights(raw: Any) -> tuple[tuple[int, float], ...]:
    return tuple((int(v), float(w)) for v, w in raw)


class PostgresPromptStore:
    def __init__(self, pool: AsyncConnectionPool, schema: str, initial: Mapping[str, int] | None = None) -> None:
        self.pool = pool
        self.schema = schema
        # The version a prompt starts with on its first load (prompts/initial.yaml); else its latest.
        self.initial = dict(initial or {})

    async def _lock(self, connection: AsyncConnection, name: str) -> None:
        # Activations of one name are serialized; the loader takes the lock of the whole registry.
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.schema}.prompts:{name}",))

    async def load(self, templates: Sequence[PromptTemplate]) -> list[PromptTemplate]:
        s = self.schema
        added: list[PromptTemplate] = []
        async with self.pool.connection() as connection, connection.transaction():
            await self._lock(connection, "*")
            for t in templates:
                cursor = await connection.execute(
                    f"SELECT content_sha256 FROM {s}.prompt_versions WHERE name = %s AND version = %s",
                    (t.name, t.version),
                )
                row = await cursor.fetchone()
                if row is not None:
                    if row[0] != t.content_sha256:
                        raise FailedPrecondition(
                            f"prompt {t.name} v{t.version} differs from the version registered before: versions "
                            f"are immutable, so put the new text in v{t.version + 1}.yaml and restore v{t.version}.yaml"
                        )
                    continue
                await connection.execute(
                    f"""INSERT INTO {s}.prompt_versions (name, version, content_sha256, system, user_text, note)
                        VALUES (%s, %s, %s, %s, %s, %s)""",
                    (t.name, t.version, t.content_sha256, t.system, t.user, t.description),
                )
                added.append(t)
            latest: dict[str, int] = {}
            for t in templates:
                latest[t.name] = max(latest.get(t.name, 0), t.version)
            known = {(t.name, t.version) for t in templates}
            starting = {n: v for n, v in self.initial.items() if (n, v) in known}
            for name, version in sorted({**latest, **starting}.items()):
                cursor = await connection.execute(f"SELECT 1 FROM {s}.active_prompts WHERE name = %s", (name,))
                if await cursor.fetchone() is None:
                    await self._set_active(connection, Activation(name, ((version, 1.0),)), LOADER)
        return added

    async def templates(self) -> list[PromptTemplate]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT name, version, system, user_text, note FROM {self.schema}.prompt_versions ORDER BY 1, 2"
            )
            return [PromptTemplate(*row) for row in await cursor.fetchall()]

    async def active(self, name: str) -> Activation | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT weights FROM {self.schema}.active_prompts WHERE name = %s", (name,)
            )
            row = await cursor.fetchone()
        return Activation(name, _weights(row[0])) if row else None

    async def _current(self, connection: AsyncConnection, name: str) -> tuple[str, Activation] | None:
        cursor = await connection.execute(
            f"SELECT activation_id, weights FROM {self.schema}.active_prompts WHERE name = %s", (name,)
        )
        row = await cursor.fetchone()
        return (str(row[0]), Activation(name, _weights(row[1]))) if row else None

    async def _set_active(self, connection: AsyncConnection, activation: Activation, actor: str) -> str:
        s = self.schema
        activation_id = str(uuid.uuid4())
        weights = Jsonb([list(pair) for pair in activation.weights])
        await connection.execute(
            f"INSERT INTO {s}.prompt_activations (activation_id, name, weights, actor) VALUES (%s, %s, %s, %s)",
            (activation_id, activation.name, weights, actor),
        )
        await self._point(connection, activation.name, activation_id, weights)
        return activation_id

    async def _point(self, connection: AsyncConnection, name: str, activation_id: str, weights: Jsonb) -> None:
        await connection.execute(
            f"""INSERT INTO {self.schema}.active_prompts (name, activation_id, weights) VALUES (%s, %s, %s)
                ON CONFLICT (name) DO UPDATE
                SET activation_id = EXCLUDED.activation_id, weights = EXCLUDED.weights, updated_at = now()""",
            (name, activation_id, weights),
        )

    async def activate(self, activation: Activation, actor: str) -> ActivationChange:
        async with self.pool.connection() as connection, connection.transaction():
            await self._lock(connection, activation.name)
            before = await self._current(connection, activation.name)
            activation_id = await self._set_active(connection, activation, actor)
        return ActivationChange(activation_id, activation, before[1] if before else None, actor, rollback=False)

    async def rollback(self, name: str, actor: str) -> ActivationChange:
        s = self.schema
        async with self.pool.connection() as connection, connection.transaction():
            await self._lock(connection, name)
            current = await self._current(connection, name)
            if current is None:
                raise FailedPrecondition(f"prompt {name!r} has no activation to roll back")
            cursor = await connection.execute(
                f"""SELECT activation_id, weights FROM {s}.prompt_activations
                    WHERE name = %s AND rolled_back_at IS NULL AND activation_id <> %s
                      AND seq < (SELECT seq FROM {s}.prompt_activations WHERE activation_id = %s)
                    ORDER BY seq DESC LIMIT 1""",
                (name, current[0], current[0]),
            )
            row = await cursor.fetchone()
            if row is None:
                raise FailedPrecondition(f"prompt {name!r} has no earlier activation to roll back to")
            await connection.execute(
                f"""UPDATE {s}.prompt_activations SET rolled_back_at = now(), rolled_back_by = %s
                    WHERE activation_id = %s""",
                (actor, current[0]),
            )
            await self._point(connection, name, str(row[0]), Jsonb(row[1]))
        restored = Activation(name, _weights(row[1]))
        return ActivationChange(str(row[0]), restored, current[1], actor, rollback=True)
