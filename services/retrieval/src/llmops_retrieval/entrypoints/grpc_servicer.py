"""gRPC RetrievalService: Search (hybrid) and GetChunk."""

from __future__ import annotations

import grpc
from opentelemetry import trace

from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.errors import InvalidArgument, NotFound
from llmops_core.validation import require_tenant
from llmops_retrieval.adapters.chunk_store import PostgresChunkStore
from llmops_retrieval.domain.hybrid import QueryEmbedder, hybrid_search
from llmops_retrieval.domain.search import StoredChunk, search_query


def chunk_proto(chunk: StoredChunk) -> retrieval_pb2.Chunk:
    return retrieval_pb2.Chunk(
        chunk_id=chunk.chunk_id,
        document_id=chunk.document_id,
        document_version=chunk.document_version,
        chunk_index=chunk.chunk_index,
        text=chunk.text,
        title=chunk.title,
        source_uri=chunk.source_uri,
        metadata=chunk.metadata,
        embedding_model=chunk.embedding_model,
    )


class RetrievalServicer(retrieval_pb2_grpc.RetrievalServiceServicer):
    def __init__(self, store: PostgresChunkStore, embedder: QueryEmbedder) -> None:
        self.store = store
        self.embedder = embedder

    async def Search(  # noqa: N802 (gRPC method name)
        self, request: retrieval_pb2.SearchRequest, context: grpc.aio.ServicerContext
    ) -> retrieval_pb2.SearchResponse:
        query = search_query(
            request.tenant_id, request.query, request.top_k, list(request.query_vector), dict(request.metadata_filter)
        )
        trace.get_current_span().set_attribute("gen_ai.request.top_k", query.top_k)
        hits = await hybrid_search(query, self.store, self.embedder)
        return retrieval_pb2.SearchResponse(
            results=[
                retrieval_pb2.ScoredChunk(
                    chunk=chunk_proto(h.chunk),
                    score=h.score,
                    vector_similarity=h.vector_similarity,
                    text_rank=h.text_rank,
                )
                for h in hits
            ]
        )

    async def GetChunk(  # noqa: N802 (gRPC method name)
        self, request: retrieval_pb2.GetChunkRequest, context: grpc.aio.ServicerContext
    ) -> retrieval_pb2.Chunk:
        tenant_id = require_tenant(request.tenant_id)
        if "\x00" in request.chunk_id:  # none was stored (and PostgreSQL text cannot hold it)
            raise InvalidArgument("chunk_id must not contain NUL characters")
        chunk = await self.store.get(tenant_id, request.chunk_id)
        if chunk is None:
            raise NotFound(f"no chunk {request.chunk_id[:200]!r} for tenant {tenant_id!r}")
        return chunk_proto(chunk)

    async def GetIndexStats(  # noqa: N802 (gRPC method name)
        self, request: retrieval_pb2.GetIndexStatsRequest, context: grpc.aio.ServicerContext
    ) -> retrieval_pb2.IndexStats:
        chunks, documents, pending = await self.store.stats(require_tenant(request.tenant_id))
        return retrieval_pb2.IndexStats(chunks=chunks, documents=documents, pending_documents=pending)
