"""API keys: ``llmops_<key id>_<secret>``, stored hashed in PostgreSQL (schema ``auth``).

The schema belongs to the platform's identity store, not to one service: every service that accepts
keys from outside (query, ingestion, retrieval, evaluation, telemetry) verifies them here, and
`llmops keys` manages them. A verified key is cached for ``key_cache_seconds``, so a revocation
takes effect within that time without a database round trip per call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from psycopg_pool import AsyncConnectionPool

from llmops_core.auth.principal import SCOPES, Principal
from llmops_core.errors import InvalidArgument, NotFound, Unauthenticated
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import PostgresSettings
from llmops_core.validation import require_tenant

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA = "auth"
# Shared with the local stack's CLI, which mints its own keys with a synchronous connection.
INSERT_KEY = (
    f"INSERT INTO {SCHEMA}.api_keys (key_id, tenant_id, name, scopes, secret_sha256) VALUES (%s, %s, %s, %s, %s)"
)
MAX_CACHED = 10_000  # bounded: a flood of valid keys cannot grow it without limit
KEY = re.compile(r"llmops_([0-9a-f]{16})_([A-Za-z0-9_-]{43})\Z")


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    tenant_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_key_parts() -> tuple[str, str]:
    """(key id, secret): 64 random bits of id, 256 of secret."""
    return secrets.token_hex(8), secrets.token_urlsafe(32)


def format_key(key_id: str, secret: str) -> str:
    return f"llmops_{key_id}_{secret}"


def check_scopes(scopes: list[str]) -> tuple[str, ...]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise InvalidArgument(f"scopes must be some of {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}")
    return tuple(s for s in SCOPES if s in scopes)


class KeyStore:
    def __init__(self, pool: AsyncConnectionPool, cache_seconds: float = 30.0) -> None:
        self.pool = pool
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def close(self) -> None:
        await self.pool.close()

    async def migrate(self) -> None:
        await migrate(self.pool, SCHEMA, MIGRATIONS)

    async def create(self, tenant_id: str, scopes: list[str], name: str = "") -> tuple[str, KeyRecord]:
        """A new key; the returned string is shown once and never stored."""
        tenant = require_tenant(tenant_id)
        key_id, secret = new_key_parts()
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                INSERT_KEY + " RETURNING created_at",
                (key_id, tenant, name, list(check_scopes(scopes)), digest(secret)),
            )
            row = await cursor.fetchone()
        assert row is not None
        return format_key(key_id, secret), KeyRecord(key_id, tenant, name, check_scopes(scopes), row[0], None)

    async def revoke(self, key_id: str) -> KeyRecord:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""UPDATE {SCHEMA}.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = %s
                    RETURNING key_id, tenant_id, name, scopes, created_at, revoked_at""",
                (key_id,),
            )
            row = await cursor.fetchone()
        if row is None:
            raise NotFound(f"no API key {key_id!r}")
        self._cache = {k: v for k, v in self._cache.items() if v[1].subject != f"key:{key_id}"}
        return KeyRecord(row[0], row[1], row[2], tuple(row[3]), row[4], row[5])

    async def list(self, tenant_id: str | None = None) -> list[KeyRecord]:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"""SELECT key_id, tenant_id, name, scopes, created_at, revoked_at FROM {SCHEMA}.api_keys
                    WHERE %s::text IS NULL OR tenant_id = %s ORDER BY tenant_id, created_at""",
                (tenant_id, tenant_id),
            )
            rows = await cursor.fetchall()
        return [KeyRecord(r[0], r[1], r[2], tuple(r[3]), r[4], r[5]) for r in rows]

    async def verify(self, key: str) -> Principal:
        match = KEY.match(key)
        if match is None:
            raise Unauthenticated("the API key is malformed (expected llmops_<id>_<secret>)")
        key_id, secret = match.groups()
        # Cached by the whole key's digest, so a right id with a wrong secret never hits the cache.
        cache_key = digest(key).hex()
        cached = self._cache.get(cache_key)
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        principal = await self._lookup(key_id, secret)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[cache_key] = (time.monotonic(), principal)
        return principal

    async def _lookup(self, key_id: str, secret: str) -> Principal:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT tenant_id, scopes, secret_sha256, revoked_at FROM {SCHEMA}.api_keys WHERE key_id = %s",
                (key_id,),
            )
            row = await cursor.fetchone()
        # The same answer for unknown, wrong and revoked keys: a caller learns nothing about which ids exist.
        if row is None or not hmac.compare_digest(bytes(row[2]), digest(secret)) or row[3] is not None:
            raise Unauthenticated("the API key is not valid (unknown, wrong or revoked)")
        return Principal(f"key:{key_id}", str(row[0]), frozenset(row[1]))


async def open_key_store(postgres: PostgresSettings, cache_seconds: float) -> KeyStore:
    """A key store on a small pool of its own (services with no other use for PostgreSQL), migrated."""
    store = KeyStore(
        await open_pool(postgres.model_copy(update={"pool_min_size": 1, "pool_max_size": 4})), cache_seconds
    )
    await store.migrate()
    return store
