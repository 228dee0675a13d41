"""The docs.chunks batch subscriber under the broker's reliability policy, over FastStream's in-memory broker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.kafka import TestKafkaBroker
from faststream.message import StreamMessage

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import build_broker, new_envelope
from llmops_core.kafka.dead_letter import HEADER_ERROR, HEADER_GROUP
from llmops_core.settings import KafkaSettings
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.domain.embedding import ModelIdentity
from llmops_embedding.entrypoints import subscribers
from llmops_embedding.settings import EmbeddingSettings

KAFKA = KafkaSettings(retry_initial_seconds=0.01, retry_max_interval_seconds=0.05, retry_deadline_seconds=2)


class FlakyEmbedder:
    """Fails its first ``failures`` calls the way the Triton adapter does when the server is down."""

    identity = ModelIdentity("test-model", "test/1", 2)

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        if len(self.calls) <= self.failures:
            raise ConnectionError("Triton is unreachable")
        return [[1.0, 0.0] for _ in texts]


def chunk(index: int, text: str = "") -> bytes:
    return DocumentChunked(
        envelope=new_envelope("acme", "tests"),
        document_id="doc",
        chunk_id=f"doc-{index}",
        chunk_index=index,
        text=text or f"chunk {index}",
    ).SerializeToString()


async def as_message(msg: StreamMessage[Any]) -> StreamMessage[Any]:
    return msg


async def test_triton_failure_retries_the_batch_and_only_poison_is_dead_lettered() -> None:
    embedder = FlakyEmbedder(failures=2)
    settings = EmbeddingSettings(kafka=KAFKA, consumer_group="embedding-unit", batch_size=8)
    broker = build_broker(KAFKA, client_id="unit", logger=None)
    subscribers.register(broker, embedder, settings)
    embedded: list[str] = []
    dead: list[StreamMessage[Any]] = []

    @broker.subscriber(DOCS_EMBEDDED, group_id="reader")
    async def on_embedded(body: bytes) -> None:
        embedded.append(ChunkEmbedded.FromString(body).chunk.chunk_id)

    @broker.subscriber(f"{DOCS_CHUNKS}.dlq", group_id="reader", decoder=as_message)
    async def on_dead(msg: StreamMessage[Any]) -> None:
        dead.append(msg)

    no_text = DocumentChunked(envelope=new_envelope("acme", "tests"), document_id="doc", chunk_id="doc-empty")
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(
            chunk(0), b"\xff not protobuf", chunk(1), no_text.SerializeToString(), chunk(2), topic=DOCS_CHUNKS
        )

    assert embedder.calls == [["chunk 0", "chunk 1", "chunk 2"]] * 3, "the whole batch is retried"
    assert embedded == ["doc-0", "doc-1", "doc-2"]
    assert sorted(m.body for m in dead) == sorted([b"\xff not protobuf", no_text.SerializeToString()])
    assert {m.headers[HEADER_GROUP] for m in dead} == {"embedding-unit"}
    reasons = {m.body: m.headers[HEADER_ERROR] for m in dead}
    assert "has no text or no id" in reasons[no_text.SerializeToString()]
    assert "Error parsing message" in reasons[b"\xff not protobuf"]
