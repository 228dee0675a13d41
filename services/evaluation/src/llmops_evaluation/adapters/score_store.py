"""Answer scores in PostgreSQL (schema ``evaluation``), upserted by answer id."""

from __future__ import annotations

import json
from dataclasses import asdict

from psycopg_pool import AsyncConnectionPool

from llmops_evaluation.domain.groundedness import SCORER, SCORER_VERSION, ClaimScore, Groundedness


class PostgresScoreStore:
    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.table = f"{schema}.answer_scores"

    async def save(self, tenant_id: str, answer_id: str, result: Groundedness, trace_id: str) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"""INSERT INTO {self.table} (tenant_id, answer_id, groundedness, hallucinated, claims, scorer,
                        scorer_version, trace_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (tenant_id, answer_id) DO UPDATE SET groundedness = EXCLUDED.groundedness,
                        hallucinated = EXCLUDED.hallucinated, claims = EXCLUDED.claims, scored_at = now()""",
                (
                    tenant_id, answer_id, result.score, result.hallucinated,
                    json.dumps([asdict(c) for c in result.claims]), SCORER, SCORER_VERSION, trace_id,
                ),
            )  # fmt: skip

    async def get(self, tenant_id: str, answer_id: str) -> Groundedness | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT groundedness, hallucinated, claims FROM {self.table} WHERE tenant_id = %s AND answer_id = %s",
                (tenant_id, answer_id),
            )
            row = await cursor.fetchone()
        if row is None:
            return None
        claims = [ClaimScore(**c) for c in row[2]] if isinstance(row[2], list) else []
        return Groundedness(float(row[0]), bool(row[1]), claims)
