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

    async def save(
        self, tenant_id: str, answer_id: str, result: Groundedness, trace_id: str, cited_documents: list[str]
    ) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"""INSERT INTO {self.table} (tenant_id, answer_id, groundedness, hallucinated, claims, scorer,
                        scorer_version, trace_id, cited_documents) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (tenant_id, answer_id) DO UPDATE SET groundedness = EXCLUDED.groundedness,
                        hallucinated = EXCLUDED.hallucinated, claims = EXCLUDED.claims,
                        cited_documents = EXCLUDED.cited_documents, scored_at = now()""",
                (
                    tenant_id, answer_id, result.score, result.hallucinated,
                    json.dumps([asdict(c) for c in result.claims]), SCORER, SCORER_VERSION, trace_id,
                    cited_documents,
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

    async def mark_for_review(self, tenant_id: str, alert_id: str, answer_ids: list[str]) -> list[str]:
        """The documents the given answers cited, recorded for review under the alert."""
        async with self.pool.connection() as connection, connection.transaction():
            cursor = await connection.execute(
                f"""SELECT document_id, array_agg(DISTINCT answer_id ORDER BY answer_id)
                    FROM {self.table}, unnest(cited_documents) AS document_id
                    WHERE tenant_id = %s AND answer_id = ANY(%s) GROUP BY document_id ORDER BY document_id""",
                (tenant_id, answer_ids),
            )
            rows = await cursor.fetchall()
            schema = self.table.split(".")[0]
            for document_id, answers in rows:
                await connection.execute(
                    f"""INSERT INTO {schema}.documents_to_review (tenant_id, document_id, alert_id, answer_ids)
                        VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                    (tenant_id, document_id, alert_id, answers),
                )
        return [str(r[0]) for r in rows]
