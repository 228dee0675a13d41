"""Drift state in PostgreSQL (schema ``evaluation``, migration 0002): one row per tenant, changed
under its row lock, once per event key; alerts kept in an outbox table until published."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from llmops_evaluation.domain.alerts import RaisedAlert, StoredState, Transition


class PostgresDriftStore:
    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.schema = schema

    async def apply(
        self, tenant_id: str, event_key: str, change: Callable[[StoredState], Transition]
    ) -> Transition | None:
        """Runs ``change`` on the tenant's stored state in one transaction, holding the tenant's row
        lock, and stores what it returns; None (and nothing changed) when the event was seen before."""
        s = self.schema
        async with self.pool.connection() as connection, connection.transaction():
            cursor = await connection.execute(
                f"""INSERT INTO {s}.drift_events (tenant_id, event_key) VALUES (%s, %s)
                    ON CONFLICT DO NOTHING RETURNING 1""",
                (tenant_id, event_key),
            )
            if await cursor.fetchone() is None:
                return None
            transition = change(await self._locked_state(connection, tenant_id))
            await self._store(connection, tenant_id, transition)
            return transition

    async def change(self, tenant_id: str, change: Callable[[StoredState], Transition]) -> Transition:
        """The same without an event (an operator's reset)."""
        async with self.pool.connection() as connection, connection.transaction():
            transition = change(await self._locked_state(connection, tenant_id))
            await self._store(connection, tenant_id, transition)
            await connection.execute(
                f"UPDATE {self.schema}.drift_alerts SET cleared_at = now() WHERE tenant_id = %s AND cleared_at IS NULL",
                (tenant_id,),
            )
            return transition

    async def load(self, tenant_id: str) -> StoredState | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT detector, evidence FROM {self.schema}.drift_state WHERE tenant_id = %s", (tenant_id,)
            )
            row = await cursor.fetchone()
        return None if row is None else StoredState(row[0], row[1])

    async def open_alerts(self, tenant_id: str) -> list[RaisedAlert]:
        return await self._alerts("tenant_id = %s AND cleared_at IS NULL", tenant_id)

    async def unpublished(self, tenant_id: str) -> list[RaisedAlert]:
        return await self._alerts("tenant_id = %s AND published_at IS NULL", tenant_id)

    async def mark_published(self, alert_id: str) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"UPDATE {self.schema}.drift_alerts SET published_at = now() WHERE alert_id = %s", (alert_id,)
            )

    async def _locked_state(self, connection: Any, tenant_id: str) -> StoredState:
        await connection.execute(
            f"INSERT INTO {self.schema}.drift_state (tenant_id, detector) VALUES (%s, 'null') ON CONFLICT DO NOTHING",
            (tenant_id,),
        )
        cursor = await connection.execute(
            f"SELECT detector, evidence FROM {self.schema}.drift_state WHERE tenant_id = %s FOR UPDATE", (tenant_id,)
        )
        detector, evidence = await cursor.fetchone()
        return StoredState(detector, evidence)

    async def _store(self, connection: Any, tenant_id: str, transition: Transition) -> None:
        await connection.execute(
            f"""UPDATE {self.schema}.drift_state SET detector = %s, evidence = %s, updated_at = now()
                WHERE tenant_id = %s""",
            (Jsonb(transition.state.detector), Jsonb(transition.state.evidence), tenant_id),
        )
        for alert in transition.alerts:
            await connection.execute(
                f"""INSERT INTO {self.schema}.drift_alerts (alert_id, tenant_id, signal, alert, raised_at)
                    VALUES (%s, %s, %s, %s, %s)""",
                (uuid.UUID(alert.alert_id), tenant_id, alert.signal, Jsonb(alert.to_json()), alert.raised_at),
            )

    async def _alerts(self, where: str, tenant_id: str) -> list[RaisedAlert]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT alert, raised_at FROM {self.schema}.drift_alerts WHERE {where} ORDER BY raised_at, alert_id",
                (tenant_id,),
            )
            rows = await cursor.fetchall()
        return [RaisedAlert.from_json(data, raised_at) for data, raised_at in rows if isinstance(raised_at, datetime)]
