"""PostgreSQL + pgvector chunk store (schema ``retrieval``, owned by this service only)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChange
from llmops_retrieval.domain.ranking import searchable_text
from llmops_retrieval.domain.search import SearchQuery, StoredChunk
from llmops_retrieval.domain.versions import (
    ChunkAction,
    DocumentState,
    accepts_manifest,
    accepts_tombstone,
    complete,
    on_chunk,
)

COLUMNS = "chunk_id, document_id, document_version, chunk_index, body, title, source_uri, metadata, embedding_model"
# Transaction-local (set_config(..., true) is SET LOCAL), so a pooled connection never keeps them.
HNSW_SETTINGS = (
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', %s, true)"
)
# The two searches as the service runs them; llmops_stack.search_tuning measures these same statements.
# Parameters: vector, tenant, metadata filter (json), embedding model twice, vector, limit.
VECTOR_SEARCH = """SELECT {columns}, 1 - (embedding <=> %s) FROM {table}
    WHERE tenant_id = %s AND live AND metadata @> %s::jsonb AND (%s = '' OR embedding_model = %s)
    ORDER BY embedding <=> %s LIMIT %s"""
# Parameters: to_tsquery expression, tenant, metadata filter (json), limit. The question is parsed by
# {schema}.question_terms, the simple configuration without English stop words (migration 0003).
TEXT_SEARCH = """SELECT {columns} FROM {schema}.chunks, to_tsquery('{schema}.question_terms', %s) AS q
    WHERE tenant_id = %s AND live AND metadata @> %s::jsonb AND search_text @@ q
    ORDER BY ts_rank_cd(search_text, q) DESC LIMIT %s"""


def _stored(row: tuple[object, ...], similarity: float = 0.0) -> StoredChunk:
    chunk_id, document_id, version, index, body, title, uri, metadata, model = row[:9]
    return StoredChunk(
        str(chunk_id), str(document_id), int(str(version)), int(str(index)), str(body), str(title), str(uri),
        dict(metadata) if isinstance(metadata, dict) else {}, str(model), similarity,
    )  # fmt: skip


class PostgresChunkStore:
    def __init__(
        self, pool: AsyncConnectionPool, schema: str, embedding_model: str = "", hnsw_ef_search: int = 40
    ) -> None:
        self.pool = pool
        self.schema = schema
        self.table = f"{schema}.chunks"
        self.documents = f"{schema}.documents"
        self.embedding_model = embedding_model  # empty: every model (tests of the store alone)
        self.hnsw_ef_search = hnsw_ef_search  # pgvector's own default unless settings say otherwise

    async def index_chunk(self, event: ChunkEmbedded) -> bool:
        """Stores a chunk (idempotent by tenant and chunk id); True when it completed its version."""
        chunk, tenant = event.chunk, event.envelope.tenant_id
        async with self.pool.connection() as connection, connection.transaction():
            state = await self._lock(connection, tenant, chunk.document_id)
            cursor = await connection.execute(
                f"SELECT 1 FROM {self.table} WHERE tenant_id = %s AND chunk_id = %s", (tenant, chunk.chunk_id)
            )
            stored = await cursor.fetchone() is not None
            if on_chunk(state, chunk.document_version, chunk.chunk_id, stored) is ChunkAction.DROP:
                return False
            await connection.execute(
                f"""INSERT INTO {self.table} (tenant_id, chunk_id, document_id, document_version, chunk_index,
                        chunk_count, title, source_uri, language, metadata, body, search_text, embedding,
                        embedding_model, embedding_model_version, live)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, to_tsvector('simple', %s), %s, %s, %s, false)
                    ON CONFLICT (tenant_id, chunk_id) DO UPDATE SET embedding = EXCLUDED.embedding,
                        embedding_model = EXCLUDED.embedding_model,
                        embedding_model_version = EXCLUDED.embedding_model_version, indexed_at = now()""",
                (
                    tenant, chunk.chunk_id, chunk.document_id, chunk.document_version, chunk.chunk_index,
                    chunk.chunk_count, chunk.title, chunk.source_uri, chunk.language,
                    json.dumps(dict(chunk.metadata)), chunk.text, searchable_text(f"{chunk.title} {chunk.text}"),
                    np.asarray(event.vector, dtype=np.float32), event.model, event.model_version,
                ),
            )  # fmt: skip
            if chunk.chunk_id in state.pending_chunk_ids:
                return await self._switch_if_complete(connection, tenant, chunk.document_id, state)
            return False

    async def apply_change(self, change: DocumentChange) -> bool:
        """A manifest (switches when complete) or a tombstone; True when the searchable set changed."""
        tenant, document_id, version = change.envelope.tenant_id, change.document_id, change.document_version
        async with self.pool.connection() as connection, connection.transaction():
            state = await self._lock(connection, tenant, document_id)
            if change.WhichOneof("change") == "deleted":
                if not accepts_tombstone(state, version):
                    return False
                await connection.execute(
                    f"DELETE FROM {self.table} WHERE tenant_id = %s AND document_id = %s", (tenant, document_id)
                )
                await connection.execute(
                    f"""UPDATE {self.documents} SET live_version = %s, deleted = true, pending_version = NULL,
                            pending_chunk_ids = '{{}}', pending_chunk_indexes = '{{}}', updated_at = now()
                        WHERE tenant_id = %s AND document_id = %s""",
                    (version, tenant, document_id),
                )
                return True
            if not accepts_manifest(state, version):
                return False
            ids = [c.chunk_id for c in change.manifest.chunks]
            await connection.execute(
                f"""UPDATE {self.documents} SET pending_version = %s, pending_chunk_ids = %s,
                        pending_chunk_indexes = %s, updated_at = now() WHERE tenant_id = %s AND document_id = %s""",
                (version, ids, [c.chunk_index for c in change.manifest.chunks], tenant, document_id),
            )
            pending = replace(state, pending_version=version, pending_chunk_ids=tuple(ids))
            return await self._switch_if_complete(connection, tenant, document_id, pending)

    async def _lock(self, connection: AsyncConnection, tenant: str, document_id: str) -> DocumentState:
        """The document's state, its row locked until the transaction ends (one writer per document)."""
        await connection.execute(
            f"INSERT INTO {self.documents} (tenant_id, document_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (tenant, document_id),
        )
        cursor = await connection.execute(
            f"""SELECT live_version, deleted, pending_version, pending_chunk_ids FROM {self.documents}
                WHERE tenant_id = %s AND document_id = %s FOR UPDATE""",
            (tenant, document_id),
        )
        row = await cursor.fetchone()
        assert row is not None
        live, deleted, pending, ids = row
        return DocumentState(int(live), bool(deleted), None if pending is None else int(pending), tuple(ids))

    async def _switch_if_complete(
        self, connection: AsyncConnection, tenant: str, document_id: str, state: DocumentState
    ) -> bool:
        ids = list(state.pending_chunk_ids)
        cursor = await connection.execute(
            f"SELECT count(*) FROM {self.table} WHERE tenant_id = %s AND chunk_id = ANY(%s)", (tenant, ids)
        )
        row = await cursor.fetchone()
        if not complete(state, int(row[0]) if row else 0):
            return False
        await connection.execute(
            f"DELETE FROM {self.table} WHERE tenant_id = %s AND document_id = %s AND NOT (chunk_id = ANY(%s))",
            (tenant, document_id, ids),
        )
        await connection.execute(
            f"""UPDATE {self.table} AS c SET live = true, chunk_index = m.chunk_index, document_version = %s,
                    chunk_count = %s
                FROM {self.documents} AS d,
                    unnest(d.pending_chunk_ids, d.pending_chunk_indexes) AS m(chunk_id, chunk_index)
                WHERE d.tenant_id = %s AND d.document_id = %s AND c.tenant_id = d.tenant_id
                    AND c.chunk_id = m.chunk_id""",
            (state.pending_version, len(ids), tenant, document_id),
        )
        await connection.execute(
            f"""UPDATE {self.documents} SET live_version = pending_version, deleted = false, pending_version = NULL,
                    pending_chunk_ids = '{{}}', pending_chunk_indexes = '{{}}', updated_at = now()
                WHERE tenant_id = %s AND document_id = %s""",
            (tenant, document_id),
        )
        return True

    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]:
        embedding = np.asarray(vector, dtype=np.float32)
        async with self.pool.connection() as connection, connection.transaction():
            # Filtered HNSW scans keep going until enough rows pass the tenant filter (pgvector 0.8);
            # ef_search is the candidate list of each pass (docs/decisions/0033). One round trip for both.
            await connection.execute(HNSW_SETTINGS, (str(self.hnsw_ef_search),))
            cursor = await connection.execute(
                VECTOR_SEARCH.format(columns=COLUMNS, table=self.table),
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
                TEXT_SEARCH.format(columns=COLUMNS, schema=self.schema),
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

    async def stats(self, tenant_id: str) -> tuple[int, int, int]:
        """(chunks, documents) searchable for the tenant, and documents with a version still pending."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT (SELECT count(*) FROM {self.table} WHERE tenant_id = %s AND live),
                        (SELECT count(DISTINCT document_id) FROM {self.table} WHERE tenant_id = %s AND live),
                        (SELECT count(*) FROM {self.documents} WHERE tenant_id = %s AND pending_version IS NOT NULL)""",
                (tenant_id, tenant_id, tenant_id),
            )
            row = await cursor.fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
