"""Retrieval against real PostgreSQL + pgvector, Triton vectors and Kafka."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import grpc
import pytest

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import (
    DocumentChange,
    DocumentChunked,
    DocumentDeleted,
    ManifestChunk,
    VersionManifest,
)
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.grpc_client import traced_channel
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import KafkaSettings, PostgresSettings, TritonSettings
from llmops_core.topics import DOCS_CHANGES, DOCS_EMBEDDED
from llmops_embedding.adapters.triton_embedder import TritonEmbedder
from llmops_retrieval.adapters.chunk_store import PostgresChunkStore
from llmops_retrieval.bootstrap import MIGRATIONS, build_server
from llmops_retrieval.domain.search import search_query
from llmops_retrieval.entrypoints import subscribers
from llmops_retrieval.settings import RetrievalSettings
from llmops_stack.config import StackSettings
from tests.integration.kafka_helpers import wait_until
from tests.integration.test_grpc_server import free_port

DOCUMENTS = {
    "returns": ["Items can be returned within 30 days of delivery.", "Refunds go to the original payment method."],
    "shipping": ["Standard shipping takes three to five business days.", "Express shipping arrives next day."],
    "returns-zh": ["商品在收貨後三十天內可以退貨。", "退款將退回原付款方式。"],
}


def event(tenant: str, document_id: str, version: int, index: int, text: str, vector: list[float]) -> ChunkEmbedded:
    chunk = DocumentChunked(
        envelope=new_envelope(tenant, "tests"),
        document_id=document_id,
        document_version=version,
        chunk_id=hashlib.sha256(f"{document_id}|{version}|{text}".encode()).hexdigest(),
        chunk_index=index,
        chunk_count=2,
        text=text,
        title=document_id,
        metadata={"lang": "zh" if document_id.endswith("zh") else "en"},
    )
    return ChunkEmbedded(
        envelope=new_envelope(tenant, "tests"), chunk=chunk, vector=vector, model="m", model_version="embedder/1"
    )


def manifest(tenant: str, document_id: str, version: int, chunk_ids: list[str]) -> DocumentChange:
    chunks = [ManifestChunk(chunk_id=c, chunk_index=i) for i, c in enumerate(chunk_ids)]
    return DocumentChange(
        envelope=new_envelope(tenant, "tests"),
        document_id=document_id,
        document_version=version,
        manifest=VersionManifest(chunks=chunks, title=document_id),
    )


def tombstone(tenant: str, document_id: str, version: int) -> DocumentChange:
    return DocumentChange(
        envelope=new_envelope(tenant, "tests"),
        document_id=document_id,
        document_version=version,
        deleted=DocumentDeleted(reason="file removed"),
    )


async def live_bodies(store: PostgresChunkStore, tenant: str, document_id: str) -> list[str]:
    async with store.pool.connection() as connection:
        cursor = await connection.execute(
            f"SELECT body FROM {store.table} WHERE tenant_id = %s AND document_id = %s AND live ORDER BY chunk_index",
            (tenant, document_id),
        )
        return [str(row[0]) for row in await cursor.fetchall()]


def test_indexer_and_hybrid_search(
    stack: StackSettings, postgres_settings: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    tenant = f"t{uuid.uuid4().hex[:8]}"
    schema = f"retrieval_{tenant}"

    async def scenario() -> None:
        embedder = await TritonEmbedder.connect(TritonSettings(grpc_url=stack.triton_grpc_url))
        pool = await open_pool(postgres_settings)
        await migrate(pool, schema, MIGRATIONS)
        store = PostgresChunkStore(pool, schema)
        settings = RetrievalSettings(grpc_port=free_port(), kafka=kafka_settings, consumer_group=f"indexer-{tenant}")
        events = []
        for document_id, texts in DOCUMENTS.items():
            vectors = await embedder.embed(texts)
            pairs = enumerate(zip(texts, vectors, strict=True))
            events += [event(tenant, document_id, 1, i, text, vector) for i, (text, vector) in pairs]

        await ensure_topics(kafka_settings, [DOCS_EMBEDDED, DOCS_CHANGES])
        broker = build_broker(kafka_settings, client_id="test-retrieval", logger=None)
        subscribers.register(broker, store, settings)
        server = build_server(settings, store, embedder)  # type: ignore[arg-type]
        async with broker:
            await broker.start()
            await server.start()
            try:
                publisher = EventPublisher(broker)
                for document_id in DOCUMENTS:  # the manifest may arrive before its chunks
                    ids = [e.chunk.chunk_id for e in events if e.chunk.document_id == document_id]
                    await publisher.publish(DOCS_CHANGES, document_id, manifest(tenant, document_id, 1, ids))
                for e in events + events:  # every event twice: at-least-once delivery
                    await publisher.publish(DOCS_EMBEDDED, e.chunk.document_id, e)
                counts: list[int] = []

                async def indexed() -> None:
                    counts.append(await store.count(tenant))

                for _ in range(300):
                    await indexed()
                    if counts[-1] == len(events):
                        break
                    await asyncio.sleep(0.1)
                await wait_until(lambda: counts[-1] == len(events), timeout=1, what="every chunk indexed once")

                async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                    stub = retrieval_pb2_grpc.RetrievalServiceStub(channel)

                    async def top(query: str, **filters: str) -> list[str]:
                        response = await stub.Search(
                            retrieval_pb2.SearchRequest(tenant_id=tenant, query=query, top_k=3, metadata_filter=filters)
                        )
                        return [r.chunk.document_id for r in response.results]

                    assert (await top("How many days do I have to return something?"))[0] == "returns"
                    assert (await top("when does express delivery arrive"))[0] == "shipping"
                    assert (await top("退貨期限是幾天？"))[0] == "returns-zh"
                    assert set(await top("refund", lang="zh")) == {"returns-zh"}
                    other_tenant = await stub.Search(retrieval_pb2.SearchRequest(tenant_id="nobody", query="refund"))
                    assert list(other_tenant.results) == []
                    with pytest.raises(grpc.aio.AioRpcError) as bad:
                        await stub.Search(retrieval_pb2.SearchRequest(tenant_id=tenant, query="x", top_k=99))
                    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                    with pytest.raises(grpc.aio.AioRpcError) as missing:
                        await stub.GetChunk(retrieval_pb2.GetChunkRequest(tenant_id=tenant, chunk_id="nope"))
                    assert missing.value.code() == grpc.StatusCode.NOT_FOUND

                # Version 2 of "returns" changes its first chunk and reuses the second. Until its new
                # chunk is indexed, version 1 is served whole; then the switch is atomic.
                new_text = "Items can be returned within 60 days of delivery."
                (new_vector,) = await embedder.embed([new_text])
                changed = event(tenant, "returns", 2, 0, new_text, new_vector)
                v2 = manifest(tenant, "returns", 2, [changed.chunk.chunk_id, events[1].chunk.chunk_id])
                assert not await store.apply_change(v2)
                assert await store.stats(tenant) == (len(events), 3, 1)
                assert await live_bodies(store, tenant, "returns") == [DOCUMENTS["returns"][0], DOCUMENTS["returns"][1]]
                assert await store.index_chunk(changed)
                assert await store.stats(tenant) == (len(events), 3, 0)
                assert await live_bodies(store, tenant, "returns") == [new_text, DOCUMENTS["returns"][1]]
                # Late copies of replaced chunks change nothing; neither does a stale manifest.
                assert not await store.index_chunk(events[0])
                assert not await store.apply_change(manifest(tenant, "returns", 1, [events[0].chunk.chunk_id]))
                assert await live_bodies(store, tenant, "returns") == [new_text, DOCUMENTS["returns"][1]]
                # A tombstone takes the document out of search, and late chunks do not bring it back.
                assert await store.apply_change(tombstone(tenant, "shipping", 2))
                assert not await store.index_chunk(events[2])
                assert await store.stats(tenant) == (len(events) - 2, 2, 0)
                (express,) = await embedder.embed(["when does express delivery arrive"])
                query = search_query(tenant, "express delivery", 5, list(express), {})
                assert "shipping" not in {c.document_id for c in await store.vector_search(query, list(express))}
                # The same id ingested again later (version 3) is searchable again.
                shipping_again = event(tenant, "shipping", 3, 0, events[2].chunk.text, list(events[2].vector))
                assert not await store.apply_change(manifest(tenant, "shipping", 3, [shipping_again.chunk.chunk_id]))
                assert not await store.index_chunk(events[2])  # version 1 is older than the tombstone
                assert await store.index_chunk(shipping_again)
                assert (await store.vector_search(query, list(express)))[0].document_id == "shipping"
                # Vectors of another model are never compared with these.
                query = search_query(tenant, "refund", 3, list(new_vector), {})
                assert await PostgresChunkStore(pool, schema, "m").vector_search(query, list(new_vector))
                assert (
                    await PostgresChunkStore(pool, schema, "other-model").vector_search(query, list(new_vector)) == []
                )
            finally:
                await server.stop()
                await embedder.close()
                async with pool.connection() as connection:
                    await connection.execute(f"DROP SCHEMA {schema} CASCADE")
                await pool.close()

    asyncio.run(scenario())
