"""Where cached answers live: pgvector in the query schema, or memory (tests and the bench)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from llmops_query.domain.answers import Outcome
from llmops_query.domain.cache import CachedAnswer, CachedCitation, CacheKey, cosine

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def _citations(entry: CachedAnswer) -> str:
    return json.dumps([c.__dict__ for c in entry.citations], ensure_ascii=False)


def _pinned(key: CacheKey, entry: CachedAnswer) -> bool:
    return (
        (not key.prompt_name or key.prompt_name == entry.prompt_name)
        and (not key.prompt_version or key.prompt_version == entry.prompt_version)
        and (not key.route or key.route == entry.route)
    )


class MemoryCacheStore:
    """A list scanned in full: for unit tests and the in-process bench."""

    def __init__(self) -> None:
        self.entries: list[tuple[CachedAnswer, list[float]]] = []

    async def nearest(
        self, key: CacheKey, vector: Sequence[float], limit: int, newer_than: datetime
    ) -> list[tuple[CachedAnswer, float]]:
        found = [
            (entry, cosine(vector, stored))
            for entry, stored in self.entries
            if entry.tenant_id == key.tenant_id and entry.created_at > newer_than and _pinned(key, entry)
        ]
        return sorted(found, key=lambda pair: -pair[1])[:limit]

    async def put(self, entry: CachedAnswer, vector: Sequence[float]) -> None:
        self.entries.append((entry, list(vector)))

    async def drop_document(self, tenant_id: str, document_id: str) -> int:
        before = len(self.entries)
        self.entries = [
            (e, v) for e, v in self.entries if not (e.tenant_id == tenant_id and document_id in e.document_ids)
        ]
        return before - len(self.entries)


class PostgresCacheStore:
    """``answer_cache`` in the service's schema; the pool registers pgvector (llmops_core.postgres)."""

    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.table = sql.Identifier(schema, "answer_cache")

    async def nearest(
        self, key: CacheKey, vector: Sequence[float], limit: int, newer_than: datetime
    ) -> list[tuple[CachedAnswer, float]]:
        query = sql.SQL(
            """SELECT tenant_id, question, answer, outcome, outcome_reason, citations, prompt_name,
                      prompt_version, model, provider, route, created_at, 1 - (embedding <=> %(v)s) AS similarity
                 FROM {}
                WHERE tenant_id = %(tenant)s AND created_at > %(newer)s
                  AND (%(prompt)s = '' OR prompt_name = %(prompt)s)
                  AND (%(version)s = 0 OR prompt_version = %(version)s)
                  AND (%(route)s = '' OR route = %(route)s)
                ORDER BY embedding <=> %(v)s
                LIMIT %(limit)s"""
        ).format(self.table)
        params = {
            "v": np.asarray(vector, dtype=np.float32), "tenant": key.tenant_id, "newer": newer_than,
            "prompt": key.prompt_name, "version": key.prompt_version, "route": key.route, "limit": limit,
        }  # fmt: skip
        async with self.pool.connection() as connection:
            cursor = await connection.execute(query, params)
            rows = await cursor.fetchall()
        return [
            (
                CachedAnswer(
                    row[0],
                    row[1],
                    row[2],
                    Outcome(row[3]),
                    row[4],
                    tuple(CachedCitation(**c) for c in row[5]),
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    row[10],
                    row[11],
                ),
                float(row[12]),
            )
            for row in rows
        ]

    async def put(self, entry: CachedAnswer, vector: Sequence[float]) -> None:
        query = sql.SQL(
            """INSERT INTO {} (tenant_id, question, embedding, answer, outcome, outcome_reason, citations,
                               document_ids, prompt_name, prompt_version, model, provider, route, created_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s)"""
        ).format(self.table)
        async with self.pool.connection() as connection:
            await connection.execute(
                query,
                (
                    entry.tenant_id,
                    entry.question,
                    np.asarray(vector, dtype=np.float32),
                    entry.text,
                    entry.outcome.value,
                    entry.outcome_reason,
                    _citations(entry),
                    list(entry.document_ids),
                    entry.prompt_name,
                    entry.prompt_version,
                    entry.model,
                    entry.provider,
                    entry.route,
                    entry.created_at,
                ),
            )

    async def drop_document(self, tenant_id: str, document_id: str) -> int:
        query = sql.SQL("DELETE FROM {} WHERE tenant_id = %s AND document_ids @> ARRAY[%s]::text[]").format(self.table)
        async with self.pool.connection() as connection:
            cursor = await connection.execute(query, (tenant_id, document_id))
            return cursor.rowcount
