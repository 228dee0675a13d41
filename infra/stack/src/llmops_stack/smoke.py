"""``llmops smoke``: a small real pass through Triton, Kafka and pgvector, printed step by step.

Embeds a few sentences with Triton, publishes them as ChunkEmbedded events through the broker,
consumes them back in a consumer group, upserts them into a pgvector table with an HNSW index,
and answers a nearest-neighbour query.
"""

from __future__ import annotations

import asyncio
import hashlib
import time

import numpy as np
import numpy.typing as npt
import psycopg
import tritonclient.grpc as triton
from faststream.kafka import KafkaBroker
from pgvector.psycopg import register_vector
from rich.console import Console
from rich.markup import escape

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, build_broker, consumer_options, ensure_topics, new_envelope, proto_decoder
from llmops_core.settings import KafkaSettings
from llmops_stack.config import StackSettings

SENTENCES = {
    "returns": "Items can be returned within 30 days of delivery for a full refund.",
    "shipping": "Standard shipping takes three to five business days.",
    "support": "Customer support is open from 9am to 6pm, Monday to Friday.",
    "returns-zh": "商品在收貨後三十天內可以退貨並全額退款。",
}
QUESTION = "How long do I have to send something back?"
TOPIC = "smoke.embedded"


def embed(settings: StackSettings, texts: list[str]) -> npt.NDArray[np.float32]:
    client = triton.InferenceServerClient(settings.triton_grpc_url)
    batch = np.array([[t.encode()] for t in texts], dtype=object)
    text_input = triton.InferInput("text", list(batch.shape), "BYTES")
    text_input.set_data_from_numpy(batch)
    result = client.infer("embedder", [text_input])
    return np.asarray(result.as_numpy("embeddings"))


async def round_trip(settings: StackSettings, events: list[ChunkEmbedded]) -> list[ChunkEmbedded]:
    kafka = KafkaSettings(bootstrap_servers=settings.kafka_bootstrap)
    await ensure_topics(kafka, [TOPIC])
    received: list[ChunkEmbedded] = []
    wanted = {e.envelope.event_id for e in events}
    done = asyncio.Event()
    broker: KafkaBroker = build_broker(kafka, client_id="llmops-smoke", logger=None)

    @broker.subscriber(
        TOPIC, group_id=f"smoke-{time.time_ns()}", decoder=proto_decoder(ChunkEmbedded), **consumer_options(kafka)
    )
    async def collect(event: ChunkEmbedded) -> None:
        if event.envelope.event_id in wanted:
            received.append(event)
        if len(received) == len(events):
            done.set()

    async with broker:
        await broker.start()
        publisher = EventPublisher(broker)
        for event in events:
            await publisher.publish(TOPIC, event.chunk.document_id, event)
        await asyncio.wait_for(done.wait(), timeout=60)
    return received


def run_smoke(settings: StackSettings, console: Console) -> None:
    texts = list(SENTENCES.values())
    started = time.monotonic()
    vectors = embed(settings, texts)
    console.print(
        f"[bold]Triton[/]   embedded {len(texts)} sentences -> {vectors.shape} {vectors.dtype}"
        f" in {1000 * (time.monotonic() - started):.0f} ms"
    )

    events = []
    for (doc_id, text), vector in zip(SENTENCES.items(), vectors, strict=True):
        chunk = DocumentChunked(
            envelope=new_envelope("smoke", "smoke"),
            document_id=doc_id,
            document_version=1,
            chunk_id=hashlib.sha256(f"{doc_id}\x001\x00{text}".encode()).hexdigest(),
            chunk_count=1,
            text=text,
        )
        events.append(
            ChunkEmbedded(
                envelope=new_envelope("smoke", "smoke"), chunk=chunk, vector=vector.tolist(), model="all-MiniLM-L6-v2"
            )
        )
    started = time.monotonic()
    received = asyncio.run(round_trip(settings, events))
    console.print(
        f"[bold]Kafka[/]    published {len(events)} ChunkEmbedded events to {TOPIC!r} and consumed"
        f" {len(received)} back in {1000 * (time.monotonic() - started):.0f} ms"
    )

    with psycopg.connect(settings.postgres_conninfo(), autocommit=True) as connection:
        register_vector(connection)
        connection.execute("CREATE SCHEMA IF NOT EXISTS smoke")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS smoke.chunks (chunk_id text PRIMARY KEY, document_id text NOT NULL,"
            " text text NOT NULL, embedding vector(384) NOT NULL)"
        )
        connection.execute(
            "CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON smoke.chunks USING hnsw (embedding vector_cosine_ops)"
        )
        for event in received:
            connection.execute(
                "INSERT INTO smoke.chunks VALUES (%s, %s, %s, %s) ON CONFLICT (chunk_id) DO UPDATE"
                " SET text = EXCLUDED.text, embedding = EXCLUDED.embedding",
                (event.chunk.chunk_id, event.chunk.document_id, event.chunk.text, np.array(event.vector)),
            )
        (query_vector,) = embed(settings, [QUESTION])
        rows = connection.execute(
            "SELECT document_id, text, 1 - (embedding <=> %s) AS similarity FROM smoke.chunks"
            " ORDER BY embedding <=> %s LIMIT 2",
            (query_vector, query_vector),
        ).fetchall()
        version = connection.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    console.print(
        f"[bold]pgvector[/] upserted {len(received)} chunks (pgvector {version[0] if version else '?'}, HNSW)"
    )
    console.print(f"[bold]query[/]    {QUESTION!r}")
    for document_id, text, similarity in rows:
        console.print(f"           {similarity:.3f}  " + escape(f"[{document_id}] {text}"))
