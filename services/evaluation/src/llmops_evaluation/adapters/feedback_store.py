"""Feedback on answers and abstained questions in PostgreSQL (schema ``evaluation``), for review and
the knowledge-gap report."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool


@dataclass(frozen=True)
class ReviewItem:
    answer_id: str
    rating: int
    comment: str
    groundedness: float | None  # None while the answer is unscored
    hallucinated: bool | None


class PostgresFeedbackStore:
    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.schema = schema

    async def save(self, tenant_id: str, feedback_id: str, answer_id: str, rating: int, comment: str) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"""INSERT INTO {self.schema}.answer_feedback (tenant_id, feedback_id, answer_id, rating, comment)
                    VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                (tenant_id, feedback_id, answer_id, rating, comment),
            )

    async def to_review(self, tenant_id: str, limit: int) -> list[ReviewItem]:
        """Answers with negative feedback, the lowest score first (unscored ones last)."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT f.answer_id, f.rating, f.comment, s.groundedness, s.hallucinated
                    FROM {self.schema}.answer_feedback f
                    LEFT JOIN {self.schema}.answer_scores s USING (tenant_id, answer_id)
                    WHERE f.tenant_id = %s AND f.rating < 0
                    ORDER BY s.groundedness ASC NULLS LAST, f.received_at DESC LIMIT %s""",
                (tenant_id, limit),
            )
            rows = await cursor.fetchall()
        return [
            ReviewItem(
                str(r[0]),
                int(r[1]),
                str(r[2]),
                None if r[3] is None else float(r[3]),
                None if r[4] is None else bool(r[4]),
            )
            for r in rows
        ]

    async def save_abstained(self, tenant_id: str, answer_id: str, question: str, top_similarity: float | None) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"""INSERT INTO {self.schema}.abstained_questions (tenant_id, answer_id, question, top_similarity)
                    VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                (tenant_id, answer_id, question, top_similarity),
            )

    async def abstained(self, tenant_id: str, limit: int) -> list[str]:
        """The latest abstained questions, newest first."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT question FROM {self.schema}.abstained_questions WHERE tenant_id = %s
                    ORDER BY asked_at DESC, answer_id LIMIT %s""",
                (tenant_id, limit),
            )
            return [str(r[0]) for r in await cursor.fetchall()]
