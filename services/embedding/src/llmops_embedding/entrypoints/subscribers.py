"""Kafka: chunks on docs.chunks are embedded in batches and published on docs.embedded.

One Triton call per batch (up to ``batch_size`` records). A record that cannot be decoded or has no
text goes to the DLQ on its own; if Triton fails for the batch after retries, the error escapes and
the batch is read again (the dependency is down: dead-lettering every chunk would lose nothing but
help nobody).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from google.protobuf.message import DecodeError
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, PermanentError, consumer_options, dead_letter_record
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.domain.embedding import Embedder, embedded_chunk
from llmops_embedding.settings import EmbeddingSettings

Decoded = tuple[Any, DocumentChunked | Exception]


async def decode_batch(msg: StreamMessage[Any]) -> list[Decoded]:
    decoded: list[Decoded] = []
    for record in msg.raw_message:
        try:
            chunk = DocumentChunked.FromString(record.value or b"")
            if not chunk.text.strip() or not chunk.chunk_id:
                raise PermanentError(f"chunk {chunk.chunk_id!r} of {chunk.document_id!r} has no text or no id")
            decoded.append((record, chunk))
        except (DecodeError, PermanentError) as error:
            decoded.append((record, error))
    return decoded


def register(broker: KafkaBroker, embedder: Embedder, settings: EmbeddingSettings) -> None:
    publisher = EventPublisher(broker)

    @broker.subscriber(
        DOCS_CHUNKS,
        group_id=settings.consumer_group,
        batch=True,
        max_records=settings.batch_size,
        decoder=decode_batch,
        **consumer_options(settings.kafka),
    )
    async def embed_chunks(batch: list[Decoded]) -> None:
        for record, problem in batch:
            if isinstance(problem, Exception):
                await dead_letter_record(broker, record, problem, attempts=1)
        chunks = [chunk for _, chunk in batch if isinstance(chunk, DocumentChunked)]
        if not chunks:
            return
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(settings.kafka.max_attempts),
            wait=wait_exponential(multiplier=settings.kafka.retry_backoff_seconds, max=5),
            reraise=True,
        ):
            with attempt:
                vectors = await embedder.embed([c.text for c in chunks])
        for chunk, vector in zip(chunks, vectors, strict=True):
            event = embedded_chunk(chunk, vector, embedder.identity)
            event.envelope.trace_id = chunk.envelope.trace_id  # the ingestion call's trace
            await publisher.publish(DOCS_EMBEDDED, chunk.document_id, event)
