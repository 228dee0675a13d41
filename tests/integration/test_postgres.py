"""PostgreSQL 18 + pgvector from the local stack: extension, HNSW, migrations."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector

from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import PostgresSettings


def test_vector_extension_and_hnsw_index_is_used(postgres_settings: PostgresSettings) -> None:
    schema = f"t_{uuid.uuid4().hex[:8]}"
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(3000, 384)).astype(np.float32)
    with psycopg.connect(postgres_settings.conninfo(), autocommit=True) as connection:
        version = connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        assert version is not None and version[0].startswith("0.8")
        register_vector(connection)
        connection.execute(f"CREATE SCHEMA {schema}")
        connection.execute(f"CREATE TABLE {schema}.chunks (id bigint PRIMARY KEY, embedding vector(384))")
        with connection.cursor().copy(f"COPY {schema}.chunks (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "vector"])
            for i, vector in enumerate(vectors):
                copy.write_row((i, vector))
        connection.execute(f"CREATE INDEX chunks_hnsw ON {schema}.chunks USING hnsw (embedding vector_cosine_ops)")
        connection.execute(f"ANALYZE {schema}.chunks")
        query = vectors[42]
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                f"EXPLAIN SELECT id FROM {schema}.chunks ORDER BY embedding <=> %s LIMIT 5", (query,)
            ).fetchall()
        )
        assert "Index Scan using chunks_hnsw" in plan, plan
        # An approximate index over random vectors may miss even an exact match at the default search
        # width (40); at 400 of 3000 rows the search is all but exhaustive, so the nearest is certain.
        connection.execute("SET hnsw.ef_search = 400")
        nearest = connection.execute(
            f"SELECT id FROM {schema}.chunks ORDER BY embedding <=> %s LIMIT 1", (query,)
        ).fetchone()
        assert nearest == (42,)
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


def test_migrations_apply_once_in_their_schema_and_refuse_edits(
    postgres_settings: PostgresSettings, tmp_path: Path
) -> None:
    schema = f"svc_{uuid.uuid4().hex[:8]}"
    (tmp_path / "0001_chunks.sql").write_text("CREATE TABLE chunks (chunk_id text PRIMARY KEY, embedding vector(3));")
    (tmp_path / "0002_text.sql").write_text("ALTER TABLE chunks ADD COLUMN body text NOT NULL DEFAULT '';")

    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        try:
            assert await migrate(pool, schema, tmp_path) == ["0001_chunks", "0002_text"]
            assert await migrate(pool, schema, tmp_path) == []
            async with pool.connection() as connection:
                await connection.execute(
                    f"INSERT INTO {schema}.chunks VALUES ('c1', %s, 'hello')", (np.array([1, 2, 3], dtype=np.float32),)
                )
                cursor = await connection.execute(f"SELECT embedding FROM {schema}.chunks")
                row = await cursor.fetchone()
                assert row is not None and np.allclose(row[0].to_numpy(), [1, 2, 3])
            (tmp_path / "0002_text.sql").write_text("ALTER TABLE chunks ADD COLUMN other text;")
            with pytest.raises(RuntimeError, match="was edited"):
                await migrate(pool, schema, tmp_path)
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await pool.close()

    asyncio.run(scenario())
