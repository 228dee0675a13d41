"""Kafka: chunks on docs.chunks are embedded in batches and published on docs.embedded.

Up to ``records_per_poll`` records a batch, embedded by Triton in requests of like-length texts. A
record that cannot be decoded or has no text is reported as poison after the rest of the batch is
published; retries of a failed Triton call, dead-lettering and re-reading are the broker's
reliability policy (llmops_core.kafka).
"""

from __future__ import annotations

import asyncio
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from google.protobuf.message import DecodeError

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import EventPublisher, PermanentError, PoisonRecords, consumer_options
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.domain.embedding import Embedder, embedded_chunk
from llmops_embedding.settings import EmbeddingSettings

Decoded = tuple[Any, DocumentChunked | Exception]


async def decode_batch(msg: StreamMessage[Any]) -> list[Decoded]:
    """Each record with its chunk, or with the reason it can never be embedded."""
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
        max_records=settings.records_per_poll,
        decoder=decode_batch,
        **consumer_options(settings.kafka),
    )
    async def embed_chunks(batch: list[Decoded]) -> None:
        chunks = [chunk for _, chunk in batch if isinstance(chunk, DocumentChunked)]
        if chunks:
            vectors = await embedder.embed([c.text for c in chunks])
            events = [
                embedded_chunk(chunk, vector, embedder.identity) for chunk, vector in zip(chunks, vectors, strict=True)
            ]
            for chunk, event in zip(chunks, events, strict=True):
                event.envelope.trace_id = chunk.envelope.trace_id  # the ingestion call's trace
            # Sent together so the producer batches them; order does not matter downstream (the
            # indexer switches versions by manifest, not by arrival).
            await asyncio.gather(*(publisher.publish(DOCS_EMBEDDED, e.chunk.document_id, e) for e in events))
        poison = [(record, problem) for record, problem in batch if isinstance(problem, Exception)]
        if poison:
            raise PoisonRecords(poison)
