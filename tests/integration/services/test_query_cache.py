"""The semantic answer cache on a real PostgreSQL (pgvector) and a real broker: nearest question per
tenant, pinned prompt and route, TTL, and docs.changes dropping the entries that cite a document."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from llmops.ingestion.v1.events_pb2 import DocumentChange, DocumentDeleted, ManifestChunk, VersionManifest
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import KafkaSettings, PostgresSettings
from llmops_core.topics import DOCS_CHANGES
from llmops_query.adapters.answer_cache import MIGRATIONS, PostgresCacheStore
from llmops_query.domain.answers import Outcome
from llmops_query.domain.cache import CachedAnswer, CachedCitation, CacheKey, SemanticCache
from llmops_query.entrypoints import subscribers

TOKEN = re.compile(r"\w+")


class HashedWords:
    """384-d bag of hashed words: the column's dimension, stable across calls."""

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        for text in texts:
            vector = [0.0] * 384
            for word in TOKEN.findall(text.lower()):
                vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % 384] += 1.0
            norm = math.sqrt(sum(v * v for v in vector)) or 1.0
            out.append([v / norm for v in vector])
        return out


def entry(tenant: str, question: str, document_id: str, **made: Any) -> CachedAnswer:
    citation = CachedCitation("c1", document_id, "Returns", "file:///r", 0.03, "Items can be returned…", 0.9)
    return CachedAnswer(tenant, question, "Within 30 days.", Outcome.VERIFIED, "checked", (citation,), **made)


def test_cache_on_postgres_and_invalidation_by_docs_changes(
    postgres_settings: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    run = uuid.uuid4().hex[:8]
    schema, acme, beta = f"qcache_{run}", f"acme{run}", f"beta{run}"
    question = "How many days do I have to return an item?"

    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        try:
            await migrate(pool, schema, MIGRATIONS)
            store = PostgresCacheStore(pool, schema)
            cache = SemanticCache(store, HashedWords(), threshold=0.9)
            vector = await cache.vectors.vector(question)
            made = {"prompt_name": "rag-answer", "prompt_version": 3, "model": "small", "route": "small"}
            await store.put(entry(acme, question, "returns.md", **made), vector)
            await store.put(entry(beta, question, "returns.md"), vector)
            old = datetime.now(UTC) - timedelta(days=3)
            await store.put(entry(acme, "How long is the warranty?", "warranty.md", created_at=old), vector)

            hit = await cache.lookup(CacheKey(acme), "how many days do I have to return an item")
            assert hit is not None and hit.entry.tenant_id == acme and hit.similarity > 0.99
            assert hit.entry.citations[0].document_id == "returns.md" and hit.entry.route == "small"
            assert await cache.lookup(CacheKey(acme), "How many days do I have to return 2 items?") is None
            assert await cache.lookup(CacheKey(acme, "rag-answer", 3, "small"), question) is not None
            assert await cache.lookup(CacheKey(acme, "rag-answer", 4), question) is None
            assert await cache.lookup(CacheKey(acme, route="large"), question) is None
            assert await cache.lookup(CacheKey(f"gamma{run}"), question) is None
            # Past the TTL the old warranty entry is never returned, although its vector is identical.
            assert all(e.question == question for e, _ in await store.nearest(
                CacheKey(acme), vector, 5, datetime.now(UTC) - timedelta(days=1)
            ))  # fmt: skip

            await ensure_topics(kafka_settings, [DOCS_CHANGES])
            consumer = build_broker(kafka_settings, client_id="test-query-cache", logger=None)
            subscribers.register_cache(consumer, cache, f"query-cache-{run}", kafka_settings)
            async with consumer:
                await consumer.start()
                producer = build_broker(kafka_settings, client_id="test-docs-changes", logger=None)
                async with producer:
                    await producer.connect()
                    publisher = EventPublisher(producer)
                    change = DocumentChange(envelope=new_envelope(acme, "tests"), document_id="returns.md",
                                            document_version=2)  # fmt: skip
                    change.manifest.CopyFrom(VersionManifest(chunks=[ManifestChunk(chunk_id="c2", chunk_index=0)]))
                    await publisher.publish(DOCS_CHANGES, "returns.md", change)
                    deadline = asyncio.get_running_loop().time() + 60
                    while await cache.lookup(CacheKey(acme), question) is not None:
                        assert asyncio.get_running_loop().time() < deadline, "the entry was not dropped"
                        await asyncio.sleep(0.2)
                    assert await cache.lookup(CacheKey(beta), question) is not None  # beta's own document
                    gone = DocumentChange(envelope=new_envelope(beta, "tests"), document_id="returns.md",
                                          document_version=2)  # fmt: skip
                    gone.deleted.CopyFrom(DocumentDeleted(reason="removed"))
                    await publisher.publish(DOCS_CHANGES, "returns.md", gone)
                    deadline = asyncio.get_running_loop().time() + 60
                    while await cache.lookup(CacheKey(beta), question) is not None:
                        assert asyncio.get_running_loop().time() < deadline, "the tombstone did not drop it"
                        await asyncio.sleep(0.2)
        finally:
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await pool.close()

    asyncio.run(scenario())
