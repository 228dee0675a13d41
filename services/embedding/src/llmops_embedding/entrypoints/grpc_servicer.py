"""gRPC EmbeddingService.Embed for query-time text."""

from __future__ import annotations

import grpc

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops_embedding.domain.embedding import Embedder, validate_texts


class EmbeddingServicer(embedding_pb2_grpc.EmbeddingServiceServicer):
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    async def Embed(  # noqa: N802 (gRPC method name)
        self, request: embedding_pb2.EmbedRequest, context: grpc.aio.ServicerContext
    ) -> embedding_pb2.EmbedResponse:
        vectors = await self.embedder.embed(validate_texts(request.texts))
        identity = self.embedder.identity
        return embedding_pb2.EmbedResponse(
            vectors=[embedding_pb2.Vector(values=v) for v in vectors],
            model=identity.name,
            model_version=identity.version,
            dimensions=identity.dimensions,
        )
