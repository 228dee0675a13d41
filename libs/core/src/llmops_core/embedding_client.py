"""Embeddings from the embedding service's Embed API: query vectors, claims and context sentences."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops_core.errors import Unavailable
from llmops_core.grpc_client import traced_channel

MAX_TEXTS = 256  # EmbedRequest limit


class EmbeddingClient:
    def __init__(self, target: str, timeout_seconds: float = 30.0) -> None:
        self.target = target
        self.timeout_seconds = timeout_seconds
        self.channel = traced_channel(target)
        self.stub = embedding_pb2_grpc.EmbeddingServiceStub(self.channel)  # type: ignore[no-untyped-call]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), MAX_TEXTS):
            request = embedding_pb2.EmbedRequest(texts=list(texts[start : start + MAX_TEXTS]))
            try:
                response = await self.stub.Embed(request, timeout=self.timeout_seconds)
            except grpc.aio.AioRpcError as error:
                raise Unavailable(
                    f"embedding service at {self.target}: {error.code().name}: {error.details()}"
                ) from error
            vectors += [list(v.values) for v in response.vectors]
        return vectors

    async def close(self) -> None:
        await self.channel.close()
