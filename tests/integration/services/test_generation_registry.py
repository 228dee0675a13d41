"""The prompt registry on the real Postgres of the test stack: load, activate, roll back, diff."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest

from llmops_core.errors import FailedPrecondition
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import PostgresSettings
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.adapters.prompt_store import PostgresPromptStore
from llmops_generation.bootstrap import MIGRATIONS
from llmops_generation.domain.prompts import Activation
from llmops_generation.prompt_registry import PromptRegistry
from tests.unit.generation.fakes import RecordingPublisher


def test_load_activate_rollback_diff(postgres_settings: PostgresSettings) -> None:
    schema = f"gen_{uuid.uuid4().hex[:8]}"  # its own schema: runs beside other tests and leaves theirs alone

    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        try:
            await migrate(pool, schema, MIGRATIONS)
            store = PostgresPromptStore(pool, schema)
            publisher = RecordingPublisher()
            registry = PromptRegistry(store, publisher, active_ttl_seconds=0)
            files = load_prompt_files()
            await registry.load(files)
            assert await store.load(files) == []  # a second replica (or restart) adds nothing
            assert await store.active("rag-answer") == Activation("rag-answer", ((3, 1.0),))
            assert [(t.version, t.content_sha256) for t in await store.templates()] == [
                (t.version, t.content_sha256) for t in files
            ]
            with pytest.raises(FailedPrecondition, match="rag-answer v1 differs"):
                await store.load([replace(files[0], user="Q: {question} C: {context}")])

            first = await registry.activate("rag-answer", [(1, 0.7), (2, 0.3)], "alice")
            second = await registry.activate("rag-answer", [(1, 1.0)], "bob")
            assert second.previous == first.current
            back = await registry.rollback("rag-answer", "carol")
            assert (back.current, back.activation_id, back.rollback) == (first.current, first.activation_id, True)
            again = await registry.rollback("rag-answer", "carol")  # walks back to the loader's activation
            assert again.current == Activation("rag-answer", ((3, 1.0),))
            with pytest.raises(FailedPrecondition, match="no earlier activation"):
                await registry.rollback("rag-answer", "carol")
            assert [c.actor for c in publisher.changes] == ["alice", "bob", "carol", "carol"]

            async with pool.connection() as connection:
                cursor = await connection.execute(
                    f"SELECT actor, rolled_back_by FROM {schema}.prompt_activations ORDER BY seq"
                )
                history = await cursor.fetchall()
            assert history == [
                ("generation (first load)", None), ("alice", "carol"), ("bob", "carol"),
            ]  # fmt: skip
            assert "+Answer in the language of the question" in await registry.diff("rag-answer", 1, 2)
        finally:
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await pool.close()

    asyncio.run(scenario())
