"""Documents in PostgreSQL (schema ``ingestion``, owned by this service only)."""

from __future__ import annotations

import json
from datetime import datetime

from psycopg_pool import AsyncConnectionPool

from llmops_ingestion.domain.documents import StoredDocument

COLUMNS = "document_id, version, content_hash, title, source_uri, chunk_count, metadata, retired, updated_at"


def _document(row: tuple[object, ...]) -> tuple[StoredDocument, datetime]:
    document_id, version, digest, title, uri, chunks, metadata, retired, updated_at = row
    assert isinstance(updated_at, datetime)
    stored = StoredDocument(
        str(document_id), int(str(version)), str(digest), str(title), str(uri), int(str(chunks)),
        dict(metadata) if isinstance(metadata, dict) else {}, bool(retired),
    )  # fmt: skip
    return stored, updated_at


class PostgresDocumentRepository:
    def __init__(self, pool: AsyncConnectionPool, schema: str) -> None:
        self.pool = pool
        self.table = f"{schema}.documents"

    async def get(self, tenant_id: str, document_id: str) -> StoredDocument | None:
        found = await self.get_with_time(tenant_id, document_id)
        return found[0] if found else None

    async def get_with_time(self, tenant_id: str, document_id: str) -> tuple[StoredDocument, datetime] | None:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s AND document_id = %s",
                (tenant_id, document_id),
            )
            row = await cursor.fetchone()
        return _document(row) if row else None

    async def save(self, tenant_id: str, document: StoredDocument) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(
                f"""INSERT INTO {self.table} (tenant_id, document_id, version, content_hash, title, source_uri,
                        chunk_count, metadata, retired)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, false)
                    ON CONFLICT (tenant_id, document_id) DO UPDATE SET version = EXCLUDED.version,
                        content_hash = EXCLUDED.content_hash, title = EXCLUDED.title,
                        source_uri = EXCLUDED.source_uri, chunk_count = EXCLUDED.chunk_count,
                        metadata = EXCLUDED.metadata, retired = false, updated_at = now()""",
                (
                    tenant_id, document.document_id, document.version, document.content_hash, document.title,
                    document.source_uri, document.chunk_count, json.dumps(document.metadata),
                ),
            )  # fmt: skip

    async def retire_missing(self, tenant_id: str, source_uri_prefix: str, seen: set[str]) -> list[str]:
        """Marks documents of a source whose file is gone; returns their ids."""
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""UPDATE {self.table} SET retired = true, updated_at = now()
                    WHERE tenant_id = %s AND source_uri LIKE %s AND NOT retired AND NOT (document_id = ANY(%s))
                    RETURNING document_id""",
                (tenant_id, source_uri_prefix.replace("%", r"\%") + "%", list(seen)),
            )
            return sorted(str(row[0]) for row in await cursor.fetchall())

    async def page(self, tenant_id: str, offset: int, limit: int) -> list[tuple[StoredDocument, datetime]]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT {COLUMNS} FROM {self.table} WHERE tenant_id = %s
                    ORDER BY updated_at DESC, document_id OFFSET %s LIMIT %s""",
                (tenant_id, offset, limit),
            )
            return [_document(row) for row in await cursor.fetchall()]
