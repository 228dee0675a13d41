"""Documents in PostgreSQL (schema ``ingestion``, owned by this service only).

``lock`` holds a transaction-scoped advisory lock on (tenant, document) while a version is
published and recorded, so concurrent syncs of one document run one after the other.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from llmops_ingestion.domain.documents import StoredDocument

COLUMNS = (
    "document_id, version, content_hash, title, source_uri, chunk_ids, metadata, deleted, source_key, fingerprint,"
    " updated_at"
)


def _document(row: tuple[object, ...]) -> tuple[StoredDocument, datetime]:
    document_id, version, digest, title, uri, ids, metadata, deleted, source_key, fingerprint, updated_at = row
    assert isinstance(updated_at, datetime) and isinstance(ids, list)
    stored = StoredDocument(
        str(document_id), int(str(version)), str(digest), str(title), str(uri), tuple(str(i) for i in ids),
        dict(metadata) if isinstance(metadata, dict) else {}, bool(deleted), str(source_key), str(fingerprint),
    )  # fmt: skip
    return stored, updated_at


class LockedDocument:
    """One document's row, read and written on the connection that holds its lock."""

    def __init__(self, connection: AsyncConnection, table: str, tenant_id: str, document_id: str) -> None:
        self.connection = connection
        self.table = table
        self.tenant_id = tenant_id
        self.document_id = document_id

    async def current(self) -> StoredDocument | None:
        cursor = await self.connection.execute(
            f"SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND document_id = %s",
            (self.tenant_id, self.document_id),
        )
        row = await cursor.fetchone()
        return _document(row)[0] if row else None

    async def save(self, document: StoredDocument) -> None:
        await self.connection.execute(
            f"""INSERT INTO {self.table} (tenant_id, document_id, version, content_hash, title, source_uri,
                    chunk_count, chunk_ids, metadata, deleted, source_key, fingerprint)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (tenant_id, document_id) DO UPDATE SET version = EXCLUDED.version,
                    content_hash = EXCLUDED.content_hash, title = EXCLUDED.title,
                    source_uri = EXCLUDED.source_uri, chunk_count = EXCLUDED.chunk_count,
                    chunk_ids = EXCLUDED.chunk_ids, metadata = EXCLUDED.metadata, deleted = EXCLUDED.deleted,
                    source_key = EXCLUDED.source_key, fingerprint = EXCLUDED.fingerprint, updated_at = now()""",
            (
                self.tenant_id, document.document_id, document.version, document.content_hash, document.title,
                document.source_uri, document.chunk_count, list(document.chunk_ids), json.dumps(document.metadata),
                document.deleted, document.source_key, document.fingerprint,
            ),
        )  # fmt: skip


class PostgresDocumentRepository:
    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.table = f"{schema}.documents"

    @asynccontextmanager
    async def lock(self, tenant_id: str, document_id: str) -> AsyncIterator[LockedDocument]:
        async with self.pool.connection() as connection, connection.transaction():
            await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{self.table}/{tenant_id}/{document_id}",)
            )
            yield LockedDocument(connection, self.table, tenant_id, document_id)

    async def get_with_time(self, tenant_id: str, document_id: str) -> tuple[StoredDocument, datetime] | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND document_id = %s",
                (tenant_id, document_id),
            )
            row = await cursor.fetchone()
        return _document(row) if row else None

    async def in_source(self, tenant_id: str, source_key: str) -> dict[str, StoredDocument]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND source_key = %s AND NOT deleted",
                (tenant_id, source_key),
            )
            documents = [_document(row)[0] for row in await cursor.fetchall()]
        return {d.document_id: d for d in documents}

    async def page(self, tenant_id: str, offset: int, limit: int) -> list[tuple[StoredDocument, datetime]]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND NOT deleted
                    ORDER BY updated_at DESC, document_id OFFSET %s LIMIT %s""",
                (tenant_id, offset, limit),
            )
            return [_document(row) for row in await cursor.fetchall()]
