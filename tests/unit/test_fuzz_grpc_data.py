"""Every gRPC method of the data services (ingestion, retrieval, embedding), fuzzed with malformed and
hostile requests, as test_fuzz_grpc does for the others and with its helpers.

The servers are the real ``GrpcServer`` around the real servicers; their stores, publishers and
model are in-memory fakes (the unit tests' own). The fakes refuse what the stores they stand for
refuse before a row is touched (PostgreSQL: NUL in text or jsonb; pgvector: NaN, infinity or
another dimension), so a request the real store would fail on with INTERNAL fails here too. URL
sources are fetched from a small HTTP server in the test (pages, 304, 404, 500) or from a closed
port. Whatever arrives, the answer is OK or a proper status with a sentence.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import astuple
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from aiohttp import web
from hypothesis import given
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
from tests.unit.test_fuzz_grpc import FUZZ, Code, Publisher, Servers, int32, proper, uint32

TENANT = "acme"  # the tenant whose documents and chunks the fakes hold
API_KEY = "llmops_good"  # OneKey's key: acme's, with the "ask" scope only
UPDATED = datetime(2025, 1, 1, tzinfo=UTC)
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


document_ids = st.one_of(st.sampled_from(["returns.md", "docs/returns.md", "other.md"]), text)
BYTES = [MARKDOWN, b"", b"%PDF-1.4 broken", b"PK\x03\x04broken", b"\xff\xfe\x00a", b"a\x00b", b'{"text": [',
         b'col\n"unterminated', b"<p><script>x</script>", "Caf\xe9".encode("latin-1"), b"\xef\xbb\xbf#"]  # fmt: skip
# Readable content often enough that the other fields are what decides.
encoded = fuzz.text.map(lambda t: t.encode("utf-8", "surrogatepass"))
contents = st.one_of(st.just(MARKDOWN), st.sampled_from(BYTES), encoded, st.binary(max_size=2000))
content_types = st.one_of(st.just(ingestion_pb2.CONTENT_TYPE_MARKDOWN), st.integers(0, 8), int32)
metadata = st.one_of(
    st.dictionaries(text, text, max_size=3),
    st.builds(lambda n: {f"k{i}": "v" for i in range(n)}, st.sampled_from([32, 33, 5000])),
)
source_documents = st.builds(
    ingestion_pb2.SourceDocument, document_id=document_ids, title=text, content=contents,
    content_type=content_types, source_uri=text, metadata=metadata,
)  # fmt: skip
PLAIN = ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT
many = st.builds(
    lambda n: [ingestion_pb2.SourceDocument(document_id=f"doc-{i}", content=b"Day tickets.", content_type=PLAIN)
               for i in range(n)],
    st.sampled_from([1000, 1001]),
)  # fmt: skip


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


@FUZZ
@given(tenant_id=tenant, documents=st.one_of(st.lists(source_documents, max_size=3), many), caller=callers)
def test_ingest_documents(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub, tenant_id: str,
    documents: list[ingestion_pb2.SourceDocument], caller: str,
) -> None:  # fmt: skip
    request = ingestion_pb2.IngestDocumentsRequest(tenant_id=tenant_id, documents=documents)
    metadata = credential(servers, caller)
    answered(lambda: explained(ingestion.IngestDocuments(request, metadata=metadata, timeout=30).results))


def directories(root: Path) -> st.SearchStrategy[str]:
    bases = st.sampled_from([f"{root}/", f"{root}/docs/", "/", "", "~/", "\\\\server\\share\\"])
    names = ["", "docs", "sub", "returns.md", "missing", "..", "../..", "escape.md", "\x00", "a" * 300, "a/" * 3000,
             "x" * 70_000]  # fmt: skip
    return st.one_of(st.builds(str.__add__, bases, st.one_of(st.sampled_from(names), text)), text)


@FUZZ
@given(data=st.data(), tenant_id=tenant, caller=callers)
def test_sync_directory(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub, roots: Path, data: st.DataObject,
    tenant_id: str, caller: str,
) -> None:  # fmt: skip
    request = ingestion_pb2.SyncSourceRequest(tenant_id=tenant_id, directory=data.draw(directories(roots)))
    metadata = credential(servers, caller)
    answered(lambda: explained(ingestion.SyncSource(request, metadata=metadata, timeout=30).results))


def url_lists(site: str) -> st.SearchStrategy[ingestion_pb2.UrlList]:
    prefixes = st.sampled_from([site, site, "http://127.0.0.1:1/", "https://elsewhere.example/", "file:///", ""])
    paths = st.one_of(
        st.sampled_from(["page.md", "gone/page", "broken", "scan.pdf", "", "?q=1", "%zz", "\x00", "a" * 300]), text
    )
    urls = st.one_of(st.builds(str.__add__, prefixes, paths), text, st.sampled_from(["http://[", "http://]/", "a b"]))
    url_list = st.one_of(
        st.lists(urls, max_size=4),
        st.builds(lambda n: [f"{site}page-{i}.md" for i in range(n)], st.sampled_from([0, 1001])),
        st.builds(lambda url: [url, url], urls),
    )
    names = st.one_of(st.sampled_from(["site", "site two", "n" * 101]), text)
    return st.builds(ingestion_pb2.UrlList, name=names, urls=url_list)


@FUZZ
@given(data=st.data(), tenant_id=tenant, caller=callers, named=st.booleans())
def test_sync_urls(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub, site: str, data: st.DataObject,
    tenant_id: str, caller: str, named: bool,
) -> None:  # fmt: skip
    request = ingestion_pb2.SyncSourceRequest(tenant_id=tenant_id)
    if named:  # else no source at all
        request.urls.CopyFrom(data.draw(url_lists(site)))
    metadata = credential(servers, caller)
    answered(lambda: explained(ingestion.SyncSource(request, metadata=metadata, timeout=30).results))


ids = st.one_of(
    st.lists(document_ids, max_size=5),
    st.builds(lambda n: [f"doc-{i}" for i in range(n)], st.sampled_from([1000, 1001])),
    st.builds(lambda n: ["x" * 70_000] * n, st.integers(1, 40)),
)


@FUZZ
@given(tenant_id=tenant, document_ids=ids, caller=callers)
def test_delete_documents(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub, tenant_id: str, document_ids: list[str],
    caller: str,
) -> None:  # fmt: skip
    request = ingestion_pb2.DeleteDocumentsRequest(tenant_id=tenant_id, document_ids=document_ids)
    metadata = credential(servers, caller)
    answered(lambda: explained(ingestion.DeleteDocuments(request, metadata=metadata, timeout=30).results))


@FUZZ
@given(tenant_id=tenant, document_id=document_ids, paging=page, caller=callers)
def test_get_and_list_documents(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub, tenant_id: str, document_id: str,
    paging: dict[str, Any], caller: str,
) -> None:  # fmt: skip
    metadata = credential(servers, caller)
    get = ingestion_pb2.GetDocumentRequest(tenant_id=tenant_id, document_id=document_id)
    answered(lambda: ingestion.GetDocument(get, metadata=metadata, timeout=30))
    listing = ingestion_pb2.ListDocumentsRequest(tenant_id=tenant_id, page=paging)
    answered(lambda: ingestion.ListDocuments(listing, metadata=metadata, timeout=30))


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


floats = st.one_of(st.sampled_from([0.0, -1.0, math.nan, math.inf, -math.inf, 3.4e38, 1e-45]), st.floats(width=32))
vectors = st.one_of(
    st.just([]),
    st.lists(floats, min_size=DIMENSIONS, max_size=DIMENSIONS),
    st.builds(list.__mul__, st.builds(lambda f: [f], floats), st.sampled_from([1, 383, 384, 385, 100_000])),
    st.lists(floats, max_size=8),
)
filters = st.one_of(st.dictionaries(text, text, max_size=3), st.just({"heading_path": "Returns"}))


@FUZZ
@given(tenant_id=tenant, query=text, top_k=uint32, vector=vectors, metadata_filter=filters, caller=callers)
def test_search(
    servers: Servers, retrieval: retrieval_pb2_grpc.RetrievalServiceStub, tenant_id: str, query: str, top_k: int,
    vector: list[float], metadata_filter: dict[str, str], caller: str,
) -> None:  # fmt: skip
    request = retrieval_pb2.SearchRequest(
        tenant_id=tenant_id, query=query, top_k=top_k, query_vector=vector, metadata_filter=metadata_filter
    )
    answered(lambda: retrieval.Search(request, metadata=credential(servers, caller), timeout=30))


@FUZZ
@given(tenant_id=tenant, chunk_id=st.one_of(st.sampled_from(["a", "b", "c", "d"]), text), caller=callers)
def test_get_chunk_and_index_stats(
    servers: Servers, retrieval: retrieval_pb2_grpc.RetrievalServiceStub, tenant_id: str, chunk_id: str, caller: str
) -> None:
    metadata = credential(servers, caller)
    get = retrieval_pb2.GetChunkRequest(tenant_id=tenant_id, chunk_id=chunk_id)
    answered(lambda: retrieval.GetChunk(get, metadata=metadata, timeout=30))
    stats = retrieval_pb2.GetIndexStatsRequest(tenant_id=tenant_id)
    answered(lambda: retrieval.GetIndexStats(stats, metadata=metadata, timeout=30))


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


texts = st.one_of(
    st.lists(text, max_size=4),
    st.builds(list.__mul__, st.builds(lambda t: [t], text), st.sampled_from([0, 256, 257, 10_000])),
    st.builds(lambda n: ["x" * 8192] * n, st.sampled_from([1, 255, 256])),
    st.sampled_from([[""], [" \n\t"], ["ok", ""], ["x" * 8193], ["\x00"], ["\u200b"]]),
)


@FUZZ
@given(texts=texts, caller=callers)
def test_embed(
    servers: Servers, embedding: embedding_pb2_grpc.EmbeddingServiceStub, texts: list[str], caller: str
) -> None:
    request = embedding_pb2.EmbedRequest(texts=texts)
    answered(lambda: embedding.Embed(request, metadata=credential(servers, caller), timeout=30))


def test_known_hostile_requests(
    servers: Servers,
    roots: Path,
    site: str,
    ingestion: ingestion_pb2_grpc.IngestionServiceStub,
    retrieval: retrieval_pb2_grpc.RetrievalServiceStub,
    embedding: embedding_pb2_grpc.EmbeddingServiceStub,
) -> None:
    """The fuzz cases that once found a bug, and the limits of every method, whatever hypothesis draws."""
    metadata = servers.credential()

    def ingest(**fields: Any) -> Callable[[], object]:
        document = ingestion_pb2.SourceDocument(
            **{"document_id": "hostile.md", "content": MARKDOWN, "content_type": 2, **fields}
        )
        request = ingestion_pb2.IngestDocumentsRequest(tenant_id=TENANT, documents=[document])
        return lambda: explained(ingestion.IngestDocuments(request, metadata=metadata, timeout=30).results)

    def sync(directory: str | None = None, name: str = "site", urls: Sequence[str] = ()) -> Callable[[], object]:
        request = ingestion_pb2.SyncSourceRequest(tenant_id=TENANT)
        if directory is not None:
            request.directory = directory
        elif urls:
            request.urls.CopyFrom(ingestion_pb2.UrlList(name=name, urls=urls))
        return lambda: explained(ingestion.SyncSource(request, metadata=metadata, timeout=30).results)

    def delete(*document_ids: str) -> Callable[[], object]:
        request = ingestion_pb2.DeleteDocumentsRequest(tenant_id=TENANT, document_ids=document_ids)
        return lambda: explained(ingestion.DeleteDocuments(request, metadata=metadata, timeout=30).results)

    def get(document_id: str) -> Callable[[], object]:
        request = ingestion_pb2.GetDocumentRequest(tenant_id=TENANT, document_id=document_id)
        return lambda: ingestion.GetDocument(request, metadata=metadata, timeout=30)

    def listing(**paging: Any) -> Callable[[], object]:
        request = ingestion_pb2.ListDocumentsRequest(tenant_id=TENANT, page=paging)
        return lambda: ingestion.ListDocuments(request, metadata=metadata, timeout=30)

    def search(**fields: Any) -> Callable[[], object]:
        request = retrieval_pb2.SearchRequest(**{"tenant_id": TENANT, "query": "refund days", **fields})
        return lambda: retrieval.Search(request, metadata=metadata, timeout=30)

    def get_chunk(chunk_id: str) -> Callable[[], object]:
        request = retrieval_pb2.GetChunkRequest(tenant_id=TENANT, chunk_id=chunk_id)
        return lambda: retrieval.GetChunk(request, metadata=metadata, timeout=30)

    def stats(tenant_id: str) -> Callable[[], object]:
        request = retrieval_pb2.GetIndexStatsRequest(tenant_id=tenant_id)
        return lambda: retrieval.GetIndexStats(request, metadata=metadata, timeout=30)

    def embed(texts: Sequence[str]) -> Callable[[], object]:
        return lambda: embedding.Embed(embedding_pb2.EmbedRequest(texts=texts), metadata=metadata, timeout=30)

    cases = {
        "IngestDocuments, no documents": lambda: ingestion.IngestDocuments(
            ingestion_pb2.IngestDocumentsRequest(tenant_id=TENANT), metadata=metadata, timeout=30
        ),
        "IngestDocuments, NUL in document_id": ingest(document_id="a\x00b"),
        "IngestDocuments, NUL in title": ingest(title="Returns\x00"),
        "IngestDocuments, NUL in source_uri": ingest(source_uri="file:///\x00"),
        "IngestDocuments, NUL in a metadata key": ingest(metadata={"k\x00": "v"}),
        "IngestDocuments, NUL in a metadata value": ingest(metadata={"k": "\x00"}),
        "IngestDocuments, 33 metadata entries": ingest(metadata={f"k{i}": "v" for i in range(33)}),
        "IngestDocuments, unknown content type": ingest(content_type=2**31 - 1),
        "IngestDocuments, id of 201 characters": ingest(document_id="x" * 201),
        "IngestDocuments, content over the message limit": ingest(content=b"a" * (5 * 1024 * 1024)),
        "SyncSource, no source": sync(),
        "SyncSource, NUL in the directory": sync(directory=f"{roots}/\x00"),
        "SyncSource, a name too long for the file system": sync(directory=f"{roots}/" + "a" * 300),
        "SyncSource, a path too long for the file system": sync(directory=f"{roots}/" + "a/" * 3000),
        "SyncSource, a directory out of the roots": sync(directory=f"{roots}/docs/../.."),
        "SyncSource, a file": sync(directory=f"{roots}/docs/returns.md"),
        "SyncSource, NUL in the URL list's name": sync(name="site\x00", urls=[f"{site}page.md"]),
        "SyncSource, a broken IPv6 host": sync(urls=["http://["]),
        "SyncSource, NUL in a URL": sync(urls=[f"{site}page\x00.md"]),
        "SyncSource, pages gone, broken and unreachable": sync(
            urls=[f"{site}gone/a", f"{site}broken", "http://127.0.0.1:1/a", f"{site}page.md"]
        ),
        "SyncSource, 1001 URLs": sync(urls=[f"{site}{i}" for i in range(1001)]),
        "DeleteDocuments, none": delete(),
        "DeleteDocuments, NUL in an id": delete("a\x00b"),
        "DeleteDocuments, 1001 ids": delete(*(f"doc-{i}" for i in range(1001))),
        "DeleteDocuments, a huge id": delete("x" * 70_000),
        "GetDocument, no id": get(""),
        "GetDocument, NUL in the id": get("a\x00b"),
        "GetDocument, a huge id": get("x" * 70_000),
        "ListDocuments, a token of 5000 digits": listing(page_token="9" * 5000),
        "ListDocuments, a superscript digit": listing(page_token="\u00b2"),
        "ListDocuments, the largest page size": listing(page_size=2**32 - 1),
        "Search, empty": search(query=""),
        "Search, top_k too large": search(top_k=2**32 - 1),
        "Search, a NaN vector": search(query_vector=[math.nan] * DIMENSIONS),
        "Search, an infinite vector": search(query_vector=[0.0] * (DIMENSIONS - 1) + [math.inf]),
        "Search, a zero vector": search(query_vector=[0.0] * DIMENSIONS),
        "Search, a vector of 3 dimensions": search(query_vector=[1.0, 2.0, 3.0]),
        "Search, NUL in a filter value": search(metadata_filter={"heading_path": "\x00"}),
        "Search, NUL in a filter key": search(metadata_filter={"\x00": "Returns"}),
        "Search, NUL in the query": search(query="refund\x00days"),
        "GetChunk, no id": get_chunk(""),
        "GetChunk, NUL in the id": get_chunk("a\x00"),
        "GetChunk, a huge id": get_chunk("x" * 70_000),
        "GetIndexStats, no tenant": stats(""),
        "GetIndexStats, a tenant with a newline": stats("acme\n"),
        "Embed, no texts": embed([]),
        "Embed, an empty text": embed([""]),
        "Embed, 257 texts": embed(["refund"] * 257),
        "Embed, 8193 characters": embed(["x" * 8193]),
        "Embed, NUL": embed(["\x00"]),
        "Embed, the most it takes": embed(["x" * 8192] * 256),
    }
    failures = []
    for name, call in cases.items():
        try:
            answered(call)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, "\n".join(failures)


def test_ingestion_keeps_the_documented_limits(
    servers: Servers, ingestion: ingestion_pb2_grpc.IngestionServiceStub
) -> None:
    """SourceDocument's rules in the proto: metadata at most 32 entries (a 33rd is refused, not stored)."""
    metadata = {f"k{i}": "v" for i in range(33)}
    document = ingestion_pb2.SourceDocument(
        document_id="tags.md", content=MARKDOWN, content_type=PLAIN, metadata=metadata
    )
    request = ingestion_pb2.IngestDocumentsRequest(tenant_id=TENANT, documents=[document])
    [result] = ingestion.IngestDocuments(request, metadata=servers.credential()).results
    assert result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_FAILED
    assert result.detail == "metadata has 33 entries; the most is 32"


HOSTILE_METADATA = [
    (),
    (("authorization", ""),),
    (("authorization", "Bearer "),),
    (("authorization", "Basic YWRtaW46YWRtaW4="),),
    (("authorization", "bearer llmops_good"),),
    (("authorization", "Bearer llmops_wrong"),),
    (("authorization", "Bearer svc1.e30.AAAA"),),
    (("authorization", "Bearer svc1.."),),
    (("authorization", "Bearer svc1.%%%.%%%"),),
    (("authorization", "Bearer " + "x" * 6000),),
    (("authorization", "Bearer llmops_good"), ("authorization", "Bearer llmops_wrong")),
]
KEY_MAY_CALL = {"Search", "GetChunk"}  # the "ask" scope's methods among these services


@pytest.fixture(scope="module")
def calls(
    roots: Path,
    ingestion: ingestion_pb2_grpc.IngestionServiceStub,
    retrieval: retrieval_pb2_grpc.RetrievalServiceStub,
    embedding: embedding_pb2_grpc.EmbeddingServiceStub,
) -> dict[str, Callable[[Sequence[tuple[str, str]]], object]]:
    """Every method of the three services with a request for acme that succeeds, by name."""
    document = ingestion_pb2.SourceDocument(
        document_id="returns.md", content=MARKDOWN, content_type=ingestion_pb2.CONTENT_TYPE_MARKDOWN
    )
    return {
        "IngestDocuments": lambda m: ingestion.IngestDocuments(
            ingestion_pb2.IngestDocumentsRequest(tenant_id=TENANT, documents=[document]), metadata=m, timeout=30
        ),
        "SyncSource": lambda m: ingestion.SyncSource(
            ingestion_pb2.SyncSourceRequest(tenant_id=TENANT, directory=str(roots)), metadata=m, timeout=30
        ),
        "DeleteDocuments": lambda m: ingestion.DeleteDocuments(
            ingestion_pb2.DeleteDocumentsRequest(tenant_id=TENANT, document_ids=["nothing.md"]), metadata=m, timeout=30
        ),
        "GetDocument": lambda m: ingestion.GetDocument(
            ingestion_pb2.GetDocumentRequest(tenant_id=TENANT, document_id="returns.md"), metadata=m, timeout=30
        ),
        "ListDocuments": lambda m: ingestion.ListDocuments(
            ingestion_pb2.ListDocumentsRequest(tenant_id=TENANT), metadata=m, timeout=30
        ),
        "Search": lambda m: retrieval.Search(
            retrieval_pb2.SearchRequest(tenant_id=TENANT, query="refund days"), metadata=m, timeout=30
        ),
        "GetChunk": lambda m: retrieval.GetChunk(
            retrieval_pb2.GetChunkRequest(tenant_id=TENANT, chunk_id="a"), metadata=m, timeout=30
        ),
        "GetIndexStats": lambda m: retrieval.GetIndexStats(
            retrieval_pb2.GetIndexStatsRequest(tenant_id=TENANT), metadata=m, timeout=30
        ),
        "Embed": lambda m: embedding.Embed(embedding_pb2.EmbedRequest(texts=["refund days"]), metadata=m, timeout=30),
    }


def refused(call: Callable[[], object]) -> Code:
    with pytest.raises(grpc.RpcError) as error:
        call()
    proper(call)  # the same refusal, with a sentence
    return error.value.code()  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    "method", ["IngestDocuments", "SyncSource", "DeleteDocuments", "GetDocument", "ListDocuments", "Search",
               "GetChunk", "GetIndexStats", "Embed"],
)  # fmt: skip
def test_credentials(
    servers: Servers, calls: dict[str, Callable[[Sequence[tuple[str, str]]], object]], method: str
) -> None:
    call = calls[method]
    call(servers.credential())
    call(credential(servers, TENANT))
    for hostile in HOSTILE_METADATA:
        assert refused(partial(call, hostile)) in {Code.UNAUTHENTICATED, Code.PERMISSION_DENIED}, hostile
    expired = (("authorization", f"Bearer {servers.tokens.mint('fuzz', ANY_TENANT, now=0)}"),)
    assert refused(lambda: call(expired)) == Code.UNAUTHENTICATED
    key = credential(servers, "key")
    if method in KEY_MAY_CALL:
        call(key)
    else:
        assert refused(lambda: call(key)) == Code.PERMISSION_DENIED


def test_another_tenants_documents_and_chunks_are_out_of_reach(
    servers: Servers,
    calls: dict[str, Callable[[Sequence[tuple[str, str]]], object]],
    ingestion: ingestion_pb2_grpc.IngestionServiceStub,
    retrieval: retrieval_pb2_grpc.RetrievalServiceStub,
) -> None:
    calls["IngestDocuments"](servers.credential())  # acme has returns.md (again, if a fuzz case deleted it)
    any_tenant, acme_only = servers.credential(), credential(servers, TENANT)
    get = ingestion_pb2.GetDocumentRequest(tenant_id="globex", document_id="returns.md")
    assert refused(lambda: ingestion.GetDocument(get, metadata=any_tenant)) == Code.NOT_FOUND
    assert refused(lambda: ingestion.GetDocument(get, metadata=acme_only)) == Code.PERMISSION_DENIED
    listing = ingestion.ListDocuments(ingestion_pb2.ListDocumentsRequest(tenant_id="globex"), metadata=any_tenant)
    assert list(listing.documents) == []
    delete = ingestion_pb2.DeleteDocumentsRequest(tenant_id="globex", document_ids=["returns.md"])
    [result] = ingestion.DeleteDocuments(delete, metadata=any_tenant).results
    assert result.outcome == ingestion_pb2.DOCUMENT_OUTCOME_FAILED
    mine = ingestion.GetDocument(ingestion_pb2.GetDocumentRequest(document_id="returns.md"), metadata=acme_only)
    assert mine.document_id == "returns.md", "an empty tenant_id is the credential's own"
    chunk_of_acme = retrieval_pb2.GetChunkRequest(tenant_id="globex", chunk_id="a")
    assert refused(lambda: retrieval.GetChunk(chunk_of_acme, metadata=any_tenant)) == Code.NOT_FOUND
    search = retrieval_pb2.SearchRequest(tenant_id="globex", query="refund days")
    assert list(retrieval.Search(search, metadata=any_tenant).results) == []
    assert refused(lambda: retrieval.Search(search, metadata=credential(servers, "key"))) == Code.PERMISSION_DENIED
