"""Pure embedding logic: request limits, the Embedder protocol, the ChunkEmbedded event."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.errors import InvalidArgument
from llmops_core.kafka import new_envelope

MAX_TEXTS = 256
MAX_CHARS = 8192


# Roughly one word piece each: a CJK character, a word, a punctuation mark. Only the order matters.
_PIECE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff\uf900-\ufaff]+|[^\w\s]")


def length_buckets(texts: Sequence[str], size: int) -> list[list[int]]:
    """Indexes of ``texts`` in groups of at most ``size``, shortest texts together.

    A model pads a batch to its longest text; grouping texts of like length wastes less of it. The length
    is an estimate of word pieces (characters would rank Chinese text as short as English four times
    longer); ties keep their order.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    ranked = sorted(range(len(texts)), key=lambda i: len(_PIECE.findall(texts[i])))
    return [ranked[start : start + size] for start in range(0, len(ranked), size)]


@dataclass(frozen=True)
class ModelIdentity:
    """Recorded on every vector so a store never mixes vectors of different models."""

    name: str
    version: str
    dimensions: int


class Embedder(Protocol):
    identity: ModelIdentity

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def validate_texts(texts: Sequence[str]) -> list[str]:
    if not texts:
        raise InvalidArgument("texts must contain at least one text to embed")
    if len(texts) > MAX_TEXTS:
        raise InvalidArgument(f"at most {MAX_TEXTS} texts per call, got {len(texts)}")
    for index, text in enumerate(texts):
        if not text.strip():
            raise InvalidArgument(f"texts[{index}] is empty; send 1-{MAX_CHARS} characters")
        if len(text) > MAX_CHARS:
            raise InvalidArgument(f"texts[{index}] has {len(text)} characters; the limit is {MAX_CHARS}")
    return list(texts)


def embedded_chunk(chunk: DocumentChunked, vector: list[float], identity: ModelIdentity) -> ChunkEmbedded:
    return ChunkEmbedded(
        envelope=new_envelope(chunk.envelope.tenant_id, "embedding"),
        chunk=chunk,
        vector=vector,
        model=identity.name,
        model_version=identity.version,
    )
