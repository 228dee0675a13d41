"""The data services (ingestion, retrieval, embedding) against known hostile requests: the fuzz cases that
once found a bug and the limits of every method, the documented limits, hostile and wrong credentials on
every method, and another tenant's documents and chunks.

The servers, fakes and web site are fuzz_grpc_data_support's; test_fuzz_grpc_data fuzzes the same methods
with requests that hypothesis draws. Whatever arrives, the answer is OK or a proper status with a sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_core.auth.principal import ANY_TENANT
from llmops_retrieval.domain.search import DIMENSIONS
from tests.unit import fuzz_grpc_data_support as support
from tests.unit.fuzz_grpc_data_support import MARKDOWN, PLAIN, TENANT, answered, credential, explained
from tests.unit.test_fuzz_grpc import Code, Servers, proper

# The shared module-scoped fixtures, under their names so that pytest finds them for this module's tests.
servers, roots, site = support.servers, support.roots, support.site
ingestion, retrieval, embedding = support.ingestion, support.retrieval, support.embedding


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
