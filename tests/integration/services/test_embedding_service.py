"""The embedding service against real Triton and Kafka: Embed over gRPC, docs.chunks -> docs.embedded."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import numpy as np
import numpy.typing as npt
import pytest

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.grpc_client import traced_channel
from llmops_core.kafka import EventPublisher, build_broker, ensure_topics, new_envelope
from llmops_core.settings import KafkaSettings, TritonSettings
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.adapters.triton_embedder import TritonEmbedder
from llmops_embedding.bootstrap import build_server
from llmops_embedding.entrypoints import subscribers
from llmops_embedding.settings import EmbeddingSettings
from llmops_stack.config import StackSettings
from llmops_stack.models import reference_embeddings
from tests.integration.kafka_helpers import read_until_idle, wait_until
from tests.integration.test_grpc_server import free_port


def test_embed_api_and_chunk_pipeline(stack: StackSettings, kafka_settings: KafkaSettings) -> None:
    tenant = f"t{uuid.uuid4().hex[:8]}"
    texts = ["Refunds are issued within 30 days.", "退貨需在三十天內申請。"]

    async def scenario() -> list[ChunkEmbedded]:
        embedder = await TritonEmbedder.connect(TritonSettings(grpc_url=stack.triton_grpc_url))
        assert embedder.identity.dimensions == 384
        settings = EmbeddingSettings(grpc_port=free_port(), kafka=kafka_settings, consumer_group=f"embedding-{tenant}")
        await ensure_topics(kafka_settings, [DOCS_CHUNKS, DOCS_EMBEDDED])
        broker = build_broker(kafka_settings, client_id="test-embedding", logger=None)
        subscribers.register(broker, embedder, settings)
        server = build_server(settings, embedder)
        async with broker:
            await broker.start()
            await server.start()
            try:
                async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                    stub = embedding_pb2_grpc.EmbeddingServiceStub(channel)
                    response = await stub.Embed(embedding_pb2.EmbedRequest(texts=texts))
                    vectors = np.array([v.values for v in response.vectors], dtype=np.float32)
                    assert response.dimensions == 384
                    assert response.model == "sentence-transformers/all-MiniLM-L6-v2"
                    assert np.min(np.sum(vectors * reference_embeddings(texts), axis=1)) > 0.999
                    with pytest.raises(grpc.aio.AioRpcError) as bad:
                        await stub.Embed(embedding_pb2.EmbedRequest(texts=["ok", ""]))
                    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                    assert bad.value.details() == "texts[1] is empty; send 1-8192 characters"

                publisher = EventPublisher(broker)
                for index, text in enumerate(texts):
                    chunk = DocumentChunked(
                        envelope=new_envelope(tenant, "tests"),
                        document_id=f"{tenant}-doc",
                        chunk_id=f"{tenant}-{index}",
                        chunk_index=index,
                        chunk_count=len(texts),
                        text=text,
                    )
                    await publisher.publish(DOCS_CHUNKS, chunk.document_id, chunk)
                empty = DocumentChunked(
                    envelope=new_envelope(tenant, "tests"), document_id=f"{tenant}-doc", chunk_id=f"{tenant}-empty"
                )
                await publisher.publish(DOCS_CHUNKS, empty.document_id, empty)
                ours: list[ChunkEmbedded] = []

                async def collect() -> None:
                    records = await read_until_idle(kafka_settings.bootstrap_servers, DOCS_EMBEDDED, idle_ms=1000)
                    ours[:] = [
                        e
                        for e in (ChunkEmbedded.FromString(r.value) for r in records)
                        if e.envelope.tenant_id == tenant
                    ]

                for _ in range(30):
                    await collect()
                    if len(ours) == len(texts):
                        break
                await wait_until(lambda: len(ours) == len(texts), timeout=1, what="both embedded chunks")
                dead = await read_until_idle(kafka_settings.bootstrap_servers, f"{DOCS_CHUNKS}.dlq", idle_ms=1000)
                dead_ours = [r for r in dead if DocumentChunked.FromString(r.value).envelope.tenant_id == tenant]
                assert len(dead_ours) == 1
                assert "has no text or no id" in dict(dead_ours[0].headers)["x-dlq-error"].decode()
                return ours
            finally:
                await server.stop()
                await embedder.close()

    embedded = sorted(asyncio.run(scenario()), key=lambda e: e.chunk.chunk_index)
    reference = reference_embeddings(texts)
    for event, expected in zip(embedded, reference, strict=True):
        assert event.model_version == "embedder/1"
        assert len(event.vector) == 384
        assert float(np.dot(event.vector, expected)) > 0.999
        assert event.envelope.producer == "embedding"


def test_texts_sent_in_like_length_requests_come_back_in_their_order(stack: StackSettings) -> None:
    """The embedder sorts a call's texts by length into requests; each vector still lands on its text."""
    words = ["refunds", "are", "issued", "within", "thirty", "days", "of", "delivery", "to", "the", "card"]
    texts = [" ".join(words[: 1 + (i * 7) % len(words)]) + f" {i}" for i in range(23)]
    texts += ["退貨需在三十天內申請。" * (1 + i % 5) for i in range(6)]

    async def scenario() -> npt.NDArray[np.float32]:
        embedder = await TritonEmbedder.connect(TritonSettings(grpc_url=stack.triton_grpc_url), batch_size=4)
        try:
            return np.array(await embedder.embed(texts), dtype=np.float32)
        finally:
            await embedder.close()

    vectors = asyncio.run(scenario())
    similarities = np.sum(vectors * reference_embeddings(texts), axis=1)
    assert vectors.shape == (len(texts), 384)
    assert np.min(similarities) > 0.999, similarities
