"""Every gRPC method of the data services (ingestion, retrieval, embedding), fuzzed with malformed and
hostile requests that hypothesis draws, as test_fuzz_grpc does for the others and with its helpers.

The servers, fakes and web site are fuzz_grpc_data_support's; test_fuzz_grpc_data_hostile holds the
known hostile requests, the documented limits and the credential checks. Whatever arrives, the answer
is OK or a proper status with a sentence.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from llmops_retrieval.domain.search import DIMENSIONS
from tests.unit import fuzz_grpc_data_support as support
from tests.unit import test_fuzz_grpc as fuzz
from tests.unit.fuzz_grpc_data_support import (
    MARKDOWN,
    PLAIN,
    answered,
    callers,
    credential,
    explained,
    page,
    tenant,
    text,
)
from tests.unit.test_fuzz_grpc import FUZZ, Servers, int32, uint32

# The shared module-scoped fixtures, under their names so that pytest finds them for this module's tests.
servers, roots, site = support.servers, support.roots, support.site
ingestion, retrieval, embedding = support.ingestion, support.retrieval, support.embedding

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
many = st.builds(
    lambda n: [ingestion_pb2.SourceDocument(document_id=f"doc-{i}", content=b"Day tickets.", content_type=PLAIN)
               for i in range(n)],
    st.sampled_from([1000, 1001]),
)  # fmt: skip


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
