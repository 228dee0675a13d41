"""What the data-service fuzz tests share: the in-memory fakes that refuse what PostgreSQL and pgvector
refuse, the servers and the web site they run against, credentials and the hypothesis strategies for
text, and ``answered``.

The servers are the real ``GrpcServer`` around the real servicers; their stores, publishers and
model are in-memory fakes (the unit tests' own). The fakes refuse what the stores they stand for
refuse before a row is touched (PostgreSQL: NUL in text or jsonb; pgvector: NaN, infinity or
another dimension), so a request the real store would fail on with INTERNAL fails here too. URL
sources are fetched from a small HTTP server in the test (pages, 304, 404, 500) or from a closed
port.

The fixtures are module-scoped and a test module takes them in by name (``servers = support.servers``),
so that each module runs its own servers.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from aiohttp import web
from hypothesis import strategies as st

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.auth.principal import ANY_TENANT, Principal
from llmops_core.grpc_server import GrpcServer, ServiceRegistration
from llmops_embedding.entrypoints.grpc_servicer import EmbeddingServicer
from llmops_embedding.settings import EmbeddingSettings
from llmops_ingestion.bootstrap import KEY_SCOPES as INGESTION_SCOPES
from llmops_ingestion.domain.chunking import ChunkingPolicy, EstimatedTokens
from llmops_ingestion.domain.documents import StoredDocument
from llmops_ingestion.domain.reading import FormatOptions
from llmops_ingestion.domain.sync import SyncContext
from llmops_ingestion.entrypoints.grpc_servicer import IngestionServicer
from llmops_ingestion.settings import IngestionSettings
from llmops_retrieval.bootstrap import KEY_SCOPES as RETRIEVAL_SCOPES
from llmops_retrieval.domain.search import DIMENSIONS, SearchQuery, StoredChunk
from llmops_retrieval.entrypoints.grpc_servicer import RetrievalServicer
from llmops_retrieval.settings import RetrievalSettings
from tests.unit import test_fuzz_grpc as fuzz
from tests.unit.ingestion.fakes import EmailScreener, MemoryRecord, MemoryRepository, RecordingPublisher
from tests.unit.retrieval.test_ranking import FakeEmbedder, FakeStore, chunk
from tests.unit.test_auth import OneKey
from tests.unit.test_embedding_subscriber import FlakyEmbedder
from tests.unit.test_fuzz_grpc import Publisher, Servers, proper

TENANT = "acme"  # the tenant whose documents and chunks the fakes hold
API_KEY = "llmops_good"  # OneKey's key: acme's, with the "ask" scope only
UPDATED = datetime(2025, 1, 1, tzinfo=UTC)
PLAIN = ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT
MARKDOWN = b"# Returns\n\nItems can be returned within 30 days with the receipt. Write to help@example.com."


def utf8(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


# test_fuzz_grpc's strings hold a lone surrogate now and then: protobuf refuses to encode one, so no server
# could receive it, and U+FFFD takes its place. As bytes it stays (invalid UTF-8 is fair content).
text = fuzz.text.map(utf8)
tenant = fuzz.tenant.map(utf8)
page = fuzz.page.map(lambda p: {**p, "page_token": utf8(p["page_token"])})


def postgres(*values: object) -> None:
    """What PostgreSQL refuses before a row is read or written: NUL in text (psycopg checks it) and
    in jsonb (the "\\u0000" that json.dumps writes for it)."""
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        if isinstance(value, (tuple, list)):
            postgres(*value)
        if isinstance(value, dict):
            postgres(*value.keys(), *value.values())


class CheckedRecord(MemoryRecord):
    async def save(self, document: StoredDocument) -> None:
        postgres(*astuple(document))
        await super().save(document)


class Documents(MemoryRepository):
    """The ingestion unit tests' repository, plus the reads the API adds (what the Postgres one does)."""

    @asynccontextmanager
    async def lock(self, tenant_id: str, document_id: str) -> AsyncIterator[MemoryRecord]:
        postgres(tenant_id, document_id)  # the advisory lock's key
        async with super().lock(tenant_id, document_id) as record:
            yield CheckedRecord(self, record.key)

    async def in_source(self, tenant_id: str, source_key: str) -> dict[str, StoredDocument]:
        postgres(tenant_id, source_key)
        return await super().in_source(tenant_id, source_key)

    async def get_with_time(self, tenant_id: str, document_id: str) -> tuple[StoredDocument, datetime] | None:
        postgres(tenant_id, document_id)
        found = self.documents.get((tenant_id, document_id))
        return None if found is None else (found, UPDATED)

    async def page(self, tenant_id: str, offset: int, limit: int) -> list[tuple[StoredDocument, datetime]]:
        postgres(tenant_id)
        assert 0 <= offset < 2**63 and 0 < limit < 2**63, "OFFSET and LIMIT are bigint"
        current = [d for (t, _), d in reversed(self.documents.items()) if t == tenant_id and not d.deleted]
        return [(d, UPDATED) for d in current[offset : offset + limit]]


class Chunks(FakeStore):
    """The retrieval unit tests' store, holding acme's chunks, refusing what PostgreSQL and pgvector refuse."""

    def __init__(self) -> None:
        super().__init__([chunk("a", 0.9), chunk("b", 0.5)], [chunk("b"), chunk("c")])

    async def vector_search(self, query: SearchQuery, vector: list[float]) -> list[StoredChunk]:
        postgres(query.tenant_id, query.metadata_filter)
        if len(vector) != DIMENSIONS:
            raise psycopg.DataError(f"different vector dimensions {DIMENSIONS} and {len(vector)}")
        if not all(math.isfinite(v) for v in vector):
            raise psycopg.DataError("NaN or infinite value not allowed in vector")
        return await super().vector_search(query, vector) if query.tenant_id == TENANT else []

    async def text_search(self, query: SearchQuery, tsquery: str) -> list[StoredChunk]:
        postgres(query.tenant_id, query.metadata_filter, tsquery)
        return await super().text_search(query, tsquery) if query.tenant_id == TENANT else []

    async def get(self, tenant_id: str, chunk_id: str) -> StoredChunk | None:
        postgres(tenant_id, chunk_id)
        held = {c.chunk_id: c for c in [*self.by_vector, *self.by_text]} if tenant_id == TENANT else {}
        return held.get(chunk_id)

    async def stats(self, tenant_id: str) -> tuple[int, int, int]:
        postgres(tenant_id)
        return (3, 1, 0) if tenant_id == TENANT else (0, 0, 0)


def credential(servers: Servers, caller: str) -> tuple[tuple[str, str]]:
    """A service token for any tenant or for acme only, or acme's API key (scope "ask")."""
    if caller == "key":
        return (("authorization", f"Bearer {API_KEY}"),)
    return (("authorization", f"Bearer {servers.tokens.mint('fuzz', caller)}"),)


# Mostly a credential that may act for any tenant, so that the request itself is what decides.
callers = st.sampled_from([ANY_TENANT, ANY_TENANT, ANY_TENANT, TENANT, "key"])


def explained(results: Sequence[Any]) -> None:
    """A document that failed says why in a sentence."""
    for result in results:
        if result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_FAILED:
            assert len(result.detail.split()) >= 3, f"failed without a reason: {result.detail!r}"


def one_key() -> OneKey:
    return OneKey(Principal("key:1", TENANT, frozenset({"ask"})))


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    running = Servers()
    yield running
    running.stop()


async def pages(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name.startswith("gone"):
        return web.Response(status=404)
    if name.startswith("broken"):
        return web.Response(status=500)
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304)
    content_type = "application/pdf" if name.endswith(".pdf") else "text/markdown"
    return web.Response(body=MARKDOWN, content_type=content_type, headers={"ETag": '"v1"'})


@pytest.fixture(scope="module")
def site(servers: Servers) -> Iterator[str]:
    """A web site the URL sources may read: pages, 304 on a repeat, 404 under /gone, 500 under /broken."""
    app = web.Application()
    app.router.add_get("/{name:.*}", pages)
    runner = web.AppRunner(app)

    async def started() -> str:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/"

    yield servers.run(started())
    servers.run(runner.cleanup())


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sources")
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "returns.md").write_bytes(MARKDOWN)
    (docs / "sub" / "fares.txt").write_text("Fares\n\nA day ticket costs 5 euros.")
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4 not really a PDF")
    (docs / "huge.txt").write_bytes(b"a " * 5000)  # over max_file_bytes
    (docs / "white space.md").write_bytes(MARKDOWN)
    (docs / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (docs / "escape.md").symlink_to("/etc/hostname")
    return root


@pytest.fixture(scope="module")
def ingestion(servers: Servers, roots: Path, site: str) -> ingestion_pb2_grpc.IngestionServiceStub:
    documents, publisher = Documents(), RecordingPublisher()
    settings = IngestionSettings(grpc_port=0, source_roots=[str(roots)])
    sync = SyncContext(
        documents, documents, publisher, publisher, ChunkingPolicy(EstimatedTokens()), FormatOptions(), EmailScreener()
    )
    servicer = IngestionServicer(
        sync,
        documents,  # type: ignore[arg-type]
        Publisher(),  # type: ignore[arg-type]
        [str(roots)],
        [site, "http://127.0.0.1:1/"],  # the second refuses connections
        8192,
    )
    registration = ServiceRegistration(
        ingestion_pb2.DESCRIPTOR.services_by_name["IngestionService"],
        ingestion_pb2_grpc.add_IngestionServiceServicer_to_server,
        servicer,
        key_scopes=INGESTION_SCOPES,
    )
    build = lambda: GrpcServer(settings, [registration], one_key())  # type: ignore[arg-type]  # noqa: E731
    stub = ingestion_pb2_grpc.IngestionServiceStub(servers.start("ingestion", build))  # type: ignore[no-untyped-call]
    known = ingestion_pb2.SourceDocument(
        document_id="returns.md", content=MARKDOWN, content_type=ingestion_pb2.CONTENT_TYPE_MARKDOWN
    )
    request = ingestion_pb2.IngestDocumentsRequest(tenant_id=TENANT, documents=[known])
    stub.IngestDocuments(request, metadata=servers.credential())
    return stub


def answered(call: Callable[[], object]) -> None:
    """``proper``, and not the transport's RESOURCE_EXHAUSTED for a status past gRPC's hard metadata limit:
    that one hides an unexpected error whose message repeated a huge request value. (Between the soft and
    the hard limit gRPC drops the status at random, so only the hard one is a verdict here.)"""

    def checked() -> object:
        try:
            return call()
        except grpc.RpcError as error:
            details = error.details() or ""  # type: ignore[attr-defined]
            assert "exceeds hard limit" not in details, f"a server error hidden by the transport: {details}"
            raise

    proper(checked)


@pytest.fixture(scope="module")
def retrieval(servers: Servers) -> retrieval_pb2_grpc.RetrievalServiceStub:
    settings = RetrievalSettings(grpc_port=0)
    registration = ServiceRegistration(
        retrieval_pb2.DESCRIPTOR.services_by_name["RetrievalService"],
        retrieval_pb2_grpc.add_RetrievalServiceServicer_to_server,
        RetrievalServicer(Chunks(), FakeEmbedder()),  # type: ignore[arg-type]
        key_scopes=RETRIEVAL_SCOPES,
    )
    build = lambda: GrpcServer(settings, [registration], one_key())  # type: ignore[arg-type]  # noqa: E731
    return retrieval_pb2_grpc.RetrievalServiceStub(servers.start("retrieval", build))  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def embedding(servers: Servers) -> embedding_pb2_grpc.EmbeddingServiceStub:
    settings = EmbeddingSettings(grpc_port=0)
    registration = ServiceRegistration(
        embedding_pb2.DESCRIPTOR.services_by_name["EmbeddingService"],
        embedding_pb2_grpc.add_EmbeddingServiceServicer_to_server,
        EmbeddingServicer(FlakyEmbedder(failures=0)),
    )
    channel = servers.start("embedding", lambda: GrpcServer(settings, [registration]))
    return embedding_pb2_grpc.EmbeddingServiceStub(channel)  # type: ignore[no-untyped-call]
