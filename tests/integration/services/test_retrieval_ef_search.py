"""The HNSW ef_search setting reaches the session that runs the vector search (real PostgreSQL + pgvector)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import PostgresSettings
from llmops_retrieval.bootstrap import MIGRATIONS, chunk_store
from llmops_retrieval.domain.search import search_query
from llmops_retrieval.settings import RetrievalSettings

PROBE = "SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')"


class ProbedConnection:
    """A connection that reads the HNSW settings right after each vector search, in its transaction."""

    def __init__(self, connection: AsyncConnection, seen: list[tuple[str, str]]) -> None:
        self.connection, self.seen = connection, seen

    def transaction(self) -> Any:
        return self.connection.transaction()

    async def execute(self, query: str, params: Any = None) -> Any:
        cursor = await self.connection.execute(query, params)
        if "ORDER BY embedding <=>" in query:
            probe = await (await self.connection.execute(PROBE)).fetchone()
            assert probe is not None
            self.seen.append((str(probe[0]), str(probe[1])))
        return cursor


class ProbedPool:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool, self.seen = pool, list[tuple[str, str]]()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[ProbedConnection]:
        async with self.pool.connection() as connection:
            yield ProbedConnection(connection, self.seen)


def test_ef_search_from_the_environment_is_set_for_the_vector_search_only(
    postgres_settings: PostgresSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 17: neither pgvector's default (40) nor the settings' default, so only the setting can explain it.
    monkeypatch.setenv("LLMOPS_RETRIEVAL_HNSW_EF_SEARCH", "17")
    schema = f"retrieval_ef_{uuid.uuid4().hex[:8]}"
    settings = RetrievalSettings(schema_name=schema)
    assert settings.hnsw_ef_search == 17

    async def scenario() -> None:
        # One connection, so the check after the search reads the very session that ran it.
        pool = await open_pool(postgres_settings.model_copy(update={"pool_min_size": 1, "pool_max_size": 1}))
        try:
            await migrate(pool, schema, MIGRATIONS)
            probed = ProbedPool(pool)
            store = chunk_store(probed, settings)  # type: ignore[arg-type]
            vector = [1.0] + [0.0] * 383
            await store.vector_search(search_query("t1", "anything", 4, vector, {}), vector)
            assert probed.seen == [("17", "relaxed_order")]
            # Transaction-local: the connection goes back to the pool with pgvector's default.
            async with pool.connection() as connection:
                after = await (await connection.execute(PROBE)).fetchone()
            assert after is not None and str(after[0]) == "40"
        finally:
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA {schema} CASCADE")
            await pool.close()

    asyncio.run(scenario())
