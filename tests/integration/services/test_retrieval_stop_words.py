"""The full-text search parses questions without English stop words (migration 0003), on real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np

from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import PostgresSettings
from llmops_retrieval.adapters.chunk_store import PostgresChunkStore
from llmops_retrieval.bootstrap import MIGRATIONS
from llmops_retrieval.domain.ranking import searchable_text, text_query
from llmops_retrieval.domain.search import search_query

CHUNKS = {
    # Only stop words of the question ("how", "do", "i", "a", "the", "to"), several times over.
    "filler": "How do I do it? Do what you do, and do it how you like to do it, to the end.",
    "refunds": "Refunds are paid to the original card within 30 days.",
}


def test_stop_words_of_a_question_match_nothing_and_content_words_still_do(
    postgres_settings: PostgresSettings,
) -> None:
    schema = f"retrieval_stop_{uuid.uuid4().hex[:8]}"
    question = "How do I get a refund to the card?"

    async def scenario() -> tuple[list[str], list[str]]:
        pool = await open_pool(postgres_settings)
        try:
            await migrate(pool, schema, MIGRATIONS)
            async with pool.connection() as connection:
                for chunk_id, body in CHUNKS.items():
                    await connection.execute(
                        f"""INSERT INTO {schema}.chunks (tenant_id, chunk_id, document_id, document_version,
                                chunk_index, chunk_count, title, source_uri, language, metadata, body, search_text,
                                embedding, embedding_model, embedding_model_version, live)
                            VALUES ('t1', %s, %s, 1, 0, 1, '', '', 'en', '{{}}', %s, to_tsvector('simple', %s),
                                %s, 'm', '1', true)""",
                        (chunk_id, chunk_id, body, searchable_text(body), np.ones(384, dtype=np.float32)),
                    )
            store = PostgresChunkStore(pool, schema)
            tsquery = text_query(question)
            assert tsquery is not None and "'how'" in tsquery  # the terms still carry them; the parser drops them
            found = await store.text_search(search_query("t1", question, 4, [], {}), tsquery)
            only_stop_words = await store.text_search(search_query("t1", "how do I", 4, [], {}), "'how' | 'do'")
            return [c.chunk_id for c in found], [c.chunk_id for c in only_stop_words]
        finally:
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA {schema} CASCADE")
            await pool.close()

    found, only_stop_words = asyncio.run(scenario())
    # With 'simple' the filler chunk matched "how" and "do" five times and ranked first.
    assert found == ["refunds"]
    assert only_stop_words == []
