"""PostgreSQL + pgvector chunk store (schema ``retrieval``, owned by this service only)."""

from __future__ import annotations

import json

import numpy as np
from psycopg_pool import AsyncConnectionPool

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops_retrieval.domain.ranking import searchable_text
from llmops_retrieval.domain.search import SearchQuery, StoredChunk

COLUMNS = "chunk_id, document_id, document_version, chunk_index, body, title, source_uri, metadata, embedding_model"


def _stored(row: tuple[object, ...], similarity: float = 0.0) -> StoredChunk:
    chunk_id, document_id, version, index, body, title, uri, metadata, model = row[:9]
    return StoredChunk(
        str(chunk_id), str(document_id), int(str(version)), int(str(index)), str(body), str(title), str(uri),
        dict(metadata) if isinstance(metadata, dict) else {}, str(model), similarity,
    )  # fmt: skip


class PostgresChunkStore:
    def __init__(self, pool: AsyncConnectionPool, schema: str, embedding_model: str = "") -> None:
        self.pool = pool
        self.table = f"{schema}.chunks"
        self.embedding_model = embedding_model  # empty: every model (tests of the store alone)

    async def upsert(self, event: ChunkEmbedded) -> None:
        """Idempotent by (tenant, chunk_id); older versions of the document are removed."""
        chunk, tenant = event.chunk, event.envelope.tenant_id
        async with self.pool.connection() as connection, connection.transaction():
            await connection.execute(
                f"DELETE FROM {self.table} WHERE tenant_id = %s AND document_id = %s AND document_version < %s",
                (tenant, chunk.document_id, chunk.document_version),
            )
            await connection.execute(
                f"""INSERT INTO {self.table} (tenant_id, chunk_id, document_id, document_version, chunk_index,
                        chunk_count, title, source_uri, language, metadata, body, search_text, embedding,
                        embedding_model, embedding_model_version)
                    SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, to_tsvector('simple', %s), %s, %s, %s
                    WHERE NOT EXISTS (SELECT 1 FROM {self.table}
                        WHERE tenant_id = %s AND document_id = %s AND document_version > %s)
                    ON CONFLICT (tenant_id, chunk_id) DO UPDATE SET embedding = EXCLUDED.embedding,
                        embedding_model = EXCLUDED.embedding_model,
                        embedding_model_version = EXCLUDED.embedding_model_version, indexed_at = now()""",
                (
                    tenant, chunk.chunk_id, chunk.document_id, chunk.document_version, chunk.chunk_index,
                    chunk.chunk_count, chunk.title, chunk.source_uri, chunk.language,
                    json.dumps(dict(chunk.metadata)), chunk.text, searchable_text(f"{chunk.title} {chunk.text}"),
                    np.asarray(event.vector, dtype=np.float32), event.model, event.model_version,
                    tenant, chunk.document_id, chunk.document_version,
                ),
            )  # fmt: skip

    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]:
        embedding = np.asarray(vector, dtype=np.float32)
        async with self.pool.connection() as connection, connection.transaction():
            # Filtered HNSW scans keep going until enough rows pass the tenant filter (pgvector 0.8).
            await connection.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor = await connection.execute(
                f"""SELECT {COLUMNS}, 1 - (embedding <=> %s) FROM {self.table}
                    WHERE tenant_id = %s AND metadata @> %s::jsonb AND (%s = '' OR embedding_model = %s)
                    ORDER BY embedding <=> %s LIMIT %s""",
                (
                    embedding,
                    query.tenant_id,
                    json.dumps(query.metadata_filter),
                    self.embedding_model,
                    self.embedding_model,
                    embedding,
                    query.candidates,
                ),
            )
            rows = await cursor.fetchall()
        return [_stored(row, float(str(row[9]))) for row in rows]

    async def text_search(self, query: SearchQuery, tsquery: str) -> list[StoredChunk]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT {COLUMNS} FROM {self.table}, to_tsquery('simple', %s) AS q
                    WHERE tenant_id = %s AND metadata @> %s::jsonb AND search_text @@ q
                    ORDER BY ts_rank_cd(search_text, q) DESC LIMIT %s""",
                (tsquery, query.tenant_id, json.dumps(query.metadata_filter), query.candidates),
            )
            rows = await cursor.fetchall()
        return [_stored(row) for row in rows]

    async def get(self, tenant_id: str, chunk_id: str) -> StoredChunk | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND chunk_id = %s", (tenant_id, chunk_id)
            )
            row = await cursor.fetchone()
        return _stored(row) if row else None

    async def count(self, tenant_id: str) -> int:
        return (await self.stats(tenant_id))[0]

    async def stats(self, tenant_id: str) -> tuple[int, int]:
        """(chunks, documents) indexed for the tenant."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT count(*), count(DISTINCT document_id) FROM {self.table} WHERE tenant_id = %s", (tenant_id,)
            )
            row = await cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
