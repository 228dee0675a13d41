"""Ingestion over gRPC against real PostgreSQL and Kafka: sync semantics, sources, versions, failures."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import pytest

from llmops.common.v1.envelope_pb2 import PageRequest
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.ingestion.v1.events_pb2 import DocumentChange, DocumentChunked
from llmops_core.grpc_client import traced_channel
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import KafkaSettings, PostgresSettings
from llmops_core.topics import DOCS_CHANGES, DOCS_CHUNKS, DOCS_SOURCES_DLQ, INGEST_REPORTS
from llmops_guardrails.bootstrap import build_server as guardrails_server
from llmops_guardrails.settings import GuardrailsSettings
from llmops_ingestion.bootstrap import MIGRATIONS, build_server
from llmops_ingestion.settings import IngestionSettings
from llmops_stack.config import REPO_ROOT
from tests.integration.kafka_helpers import read_until_idle
from tests.integration.test_grpc_server import free_port

OUTCOME = ingestion_pb2.DocumentOutcome
Stub = ingestion_pb2_grpc.IngestionServiceStub


class Pages:
    """What the local HTTP server serves: path -> (body, ETag); every request is logged."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.log: list[tuple[str, int]] = []


@contextmanager
def http_server(pages: Pages) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.pages.get(self.path)
            if page is None:
                status = 404
            elif self.headers.get("If-None-Match") == page[1]:
                status = 304
            else:
                status = 200
            pages.log.append((self.path, status))
            self.send_response(status)
            if status == 200 and page is not None:
                self.send_header("ETag", page[1])
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page[0])))
            self.end_headers()
            if status == 200 and page is not None:
                self.wfile.write(page[0])

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@asynccontextmanager
async def ingestion(
    tenant: str, root: Path, postgres: PostgresSettings, kafka: KafkaSettings, url_prefix: str
) -> AsyncIterator[Stub]:
    pool = await open_pool(postgres)
    schema = f"ingestion_{tenant}"
    await migrate(pool, schema, MIGRATIONS)
    # Documents are screened for personal data by the real guardrails service (its rules; the scope
    # check and the classifier concern questions, not documents).
    guardrails = guardrails_server(
        GuardrailsSettings(grpc_port=free_port(), embedding_url="", classifier_enabled=False)
    )
    await guardrails.start()
    settings = IngestionSettings(
        grpc_port=free_port(), kafka=kafka, schema_name=schema, source_roots=[str(root)],
        allowed_url_prefixes=[url_prefix], guardrails_url=f"127.0.0.1:{guardrails.port}",
    )  # fmt: skip
    await ensure_topics(kafka, [DOCS_CHUNKS, DOCS_CHANGES, INGEST_REPORTS], dead_letter_only=[DOCS_SOURCES_DLQ])
    broker = build_broker(kafka, client_id="test-ingestion", logger=None)
    async with broker:
        await broker.connect()
        server = build_server(settings, pool, broker)
        await server.start()
        try:
            async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                yield ingestion_pb2_grpc.IngestionServiceStub(channel)
        finally:
            await server.stop()
            await guardrails.stop()
            async with pool.connection() as connection:
                await connection.execute(f"DROP SCHEMA {schema} CASCADE")
            await pool.close()


def outcomes(report: ingestion_pb2.IngestReport) -> dict[str, str]:
    return {r.document_id: OUTCOME.Name(r.outcome).removeprefix("DOCUMENT_OUTCOME_").lower() for r in report.results}


async def ours(kafka: KafkaSettings, topic: str, tenant: str) -> list[Any]:
    records = await read_until_idle(kafka.bootstrap_servers, topic, idle_ms=1500)
    return [r for r in records if dict(r.headers).get("tenant-id") == tenant.encode()]


def test_directory_sync_reports_changes_and_publishes_only_differences(
    postgres_settings: PostgresSettings, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    tenant = f"t{uuid.uuid4().hex[:8]}"
    root = REPO_ROOT / ".llmops" / "test-sources" / tenant
    (root / "faq").mkdir(parents=True)
    returns = ["# Returns", "## Window", "Items can be returned within 30 days.", "## Refunds",
               "Refunds go back to the card used to pay."]  # fmt: skip
    (root / "faq" / "returns.md").write_text("\n\n".join(returns))
    (root / "faq" / "shipping.html").write_text("<title>Shipping</title><nav>Menu</nav><p>Ships in 3 days.</p>")
    (root / "faq" / "staff.txt").write_text(
        "Escalations go to Jane Roe, jane.roe@example.com, mobile +1 415 555 0134, card 4111 1111 1111 1111."
    )
    (root / "faq" / "image.png").write_bytes(b"\x89PNG")  # not a document type: ignored
    (root / "faq" / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (root / "faq" / "blank.md").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("outside the source root")
    (root / "faq" / "leak.txt").symlink_to(tmp_path / "secret.txt")

    async def scenario() -> None:
        async with ingestion(tenant, root, postgres_settings, kafka_settings, "http://127.0.0.1") as stub:
            sync = ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory=str(root))
            first = await stub.SyncSource(sync)
            assert outcomes(first) == {
                "faq/returns.md": "added", "faq/shipping.html": "added", "faq/staff.txt": "added",
                "faq/scan.txt": "failed", "faq/blank.md": "failed", "faq/leak.txt": "failed",
            }  # fmt: skip
            reasons = {r.document_id: r.detail for r in first.results}
            assert "symlink" in reasons["faq/leak.txt"]
            assert "empty" in reasons["faq/blank.md"]
            assert reasons["faq/scan.txt"]
            assert (first.documents_added, first.documents_failed, first.chunks_published) == (3, 3, 4)
            staff = next(r for r in first.results if r.document_id == "faq/staff.txt")
            assert "redacted" in staff.detail and "pii.email" in staff.detail

            unchanged = await stub.SyncSource(sync)
            assert set(outcomes(unchanged).values()) == {"unchanged", "failed"}
            assert unchanged.chunks_published == 0

            returns[4] = "Refunds go back to the card used to pay, within 5 business days."
            (root / "faq" / "returns.md").write_text("\n\n".join(returns))
            (root / "faq" / "shipping.html").unlink()
            second = await stub.SyncSource(sync)
            assert {k: v for k, v in outcomes(second).items() if v != "failed"} == {
                "faq/returns.md": "modified", "faq/shipping.html": "deleted", "faq/staff.txt": "unchanged",
            }  # fmt: skip
            modified = next(r for r in second.results if r.document_id == "faq/returns.md")
            assert (modified.version, modified.chunks_published, modified.chunks_reused) == (2, 1, 1)

            listed = await stub.ListDocuments(ingestion_pb2.ListDocumentsRequest(tenant_id=tenant))
            assert sorted(d.document_id for d in listed.documents) == ["faq/returns.md", "faq/staff.txt"]
            with pytest.raises(grpc.aio.AioRpcError) as gone:
                await stub.GetDocument(
                    ingestion_pb2.GetDocumentRequest(tenant_id=tenant, document_id="faq/shipping.html")
                )
            assert gone.value.code() == grpc.StatusCode.NOT_FOUND
            assert "deleted" in (gone.value.details() or "")

            with pytest.raises(grpc.aio.AioRpcError) as outside:
                await stub.SyncSource(ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory="/etc"))
            assert outside.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "outside the allowed source roots" in (outside.value.details() or "")

        chunks = [DocumentChunked.FromString(r.value) for r in await ours(kafka_settings, DOCS_CHUNKS, tenant)]
        assert sorted((c.document_id, c.document_version) for c in chunks) == [
            ("faq/returns.md", 1), ("faq/returns.md", 1), ("faq/returns.md", 2), ("faq/shipping.html", 1),
            ("faq/staff.txt", 1),
        ]  # fmt: skip
        # Personal data in a source file never reaches a topic: the chunk carries placeholders.
        staff_text = next(c.text for c in chunks if c.document_id == "faq/staff.txt")
        for raw in ("jane.roe@example.com", "555 0134", "4111 1111 1111 1111"):
            assert raw not in staff_text
        assert "[EMAIL]" in staff_text and "[CARD]" in staff_text
        assert all("Menu" not in c.text for c in chunks)
        changes = [DocumentChange.FromString(r.value) for r in await ours(kafka_settings, DOCS_CHANGES, tenant)]
        assert sorted((c.document_id, c.document_version, str(c.WhichOneof("change"))) for c in changes) == [
            ("faq/returns.md", 1, "manifest"), ("faq/returns.md", 2, "manifest"),
            ("faq/shipping.html", 1, "manifest"), ("faq/shipping.html", 2, "deleted"), ("faq/staff.txt", 1, "manifest"),
        ]  # fmt: skip
        v2 = next(c for c in changes if c.document_version == 2 and c.WhichOneof("change") == "manifest")
        assert [m.chunk_index for m in v2.manifest.chunks] == [0, 1]
        dead = await ours(kafka_settings, DOCS_SOURCES_DLQ, tenant)
        headers = [dict(r.headers) for r in dead]
        # Each failed file is dead-lettered on each sync that meets it, with its reason.
        assert sorted(r.key.decode() for r in dead) == sorted(["faq/blank.md", "faq/leak.txt", "faq/scan.txt"] * 3)
        assert all(h["x-dlq-error"] and h["x-dlq-group"] == b"ingestion" for h in headers)

    try:
        asyncio.run(scenario())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_url_source_inline_documents_deletes_and_concurrency(
    postgres_settings: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    tenant = f"t{uuid.uuid4().hex[:8]}"
    root = REPO_ROOT / ".llmops" / "test-sources" / tenant
    root.mkdir(parents=True)
    pages = Pages()
    pages.pages = {
        "/fares": (b"<title>Fares</title><p>A single ticket costs 2 dollars.</p>", '"f1"'),
        "/hours": (b"<title>Hours</title><p>The office opens at 9 am.</p>", '"h1"'),
    }

    async def scenario(base: str) -> None:
        async with ingestion(tenant, root, postgres_settings, kafka_settings, base) as stub:

            def request(*paths: str) -> ingestion_pb2.SyncSourceRequest:
                urls = ingestion_pb2.UrlList(name="site", urls=[base + p for p in paths])
                return ingestion_pb2.SyncSourceRequest(tenant_id=tenant, urls=urls)

            first = await stub.SyncSource(request("/fares", "/hours"))
            assert set(outcomes(first).values()) == {"added"}
            pages.log.clear()
            assert set(outcomes(await stub.SyncSource(request("/fares", "/hours"))).values()) == {"unchanged"}
            assert sorted(pages.log) == [("/fares", 304), ("/hours", 304)]  # conditional GETs, no bodies

            pages.pages["/fares"] = (b"<title>Fares</title><p>A single ticket costs 3 dollars.</p>", '"f2"')
            del pages.pages["/hours"]
            pages.pages["/new"] = (b"<title>New</title><p>Night buses run hourly.</p>", '"n1"')
            second = await stub.SyncSource(request("/fares", "/hours", "/new"))
            assert outcomes(second) == {base + "/fares": "modified", base + "/hours": "deleted", base + "/new": "added"}
            third = await stub.SyncSource(request("/fares"))  # /new dropped from the list
            assert outcomes(third) == {base + "/fares": "unchanged", base + "/new": "deleted"}

            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.SyncSource(
                    ingestion_pb2.SyncSourceRequest(
                        tenant_id=tenant, urls=ingestion_pb2.UrlList(name="x", urls=["http://10.0.0.1/admin"])
                    )
                )
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "allowed URL prefixes" in (refused.value.details() or "")

            # Concurrent ingests of one document: one version each, never the same version twice.
            def inline(text: str) -> ingestion_pb2.IngestDocumentsRequest:
                document = ingestion_pb2.SourceDocument(
                    document_id="notice.txt", content=text.encode("big5"),
                    content_type=ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT,
                )  # fmt: skip
                return ingestion_pb2.IngestDocumentsRequest(tenant_id=tenant, documents=[document])

            same = [
                r.results[0]
                for r in await asyncio.gather(
                    *(stub.IngestDocuments(inline("營業時間：週一至週五。")) for _ in range(3))
                )
            ]
            assert sorted(OUTCOME.Name(r.outcome) for r in same) == [
                "DOCUMENT_OUTCOME_ADDED", "DOCUMENT_OUTCOME_UNCHANGED", "DOCUMENT_OUTCOME_UNCHANGED",
            ]  # fmt: skip
            edits = await asyncio.gather(*(stub.IngestDocuments(inline(t)) for t in ("週一至週六。", "週一至週日。")))
            assert sorted(r.results[0].version for r in edits) == [2, 3]

            deleted = await stub.DeleteDocuments(
                ingestion_pb2.DeleteDocumentsRequest(tenant_id=tenant, document_ids=["notice.txt", "nope.txt"])
            )
            assert [OUTCOME.Name(r.outcome) for r in deleted.results] == [
                "DOCUMENT_OUTCOME_DELETED", "DOCUMENT_OUTCOME_FAILED",
            ]  # fmt: skip
            page = await stub.ListDocuments(
                ingestion_pb2.ListDocumentsRequest(tenant_id=tenant, page=PageRequest(page_size=500))
            )
            assert [d.document_id for d in page.documents] == [base + "/fares"]

        changes = [DocumentChange.FromString(r.value) for r in await ours(kafka_settings, DOCS_CHANGES, tenant)]
        notices = [(c.document_version, c.WhichOneof("change")) for c in changes if c.document_id == "notice.txt"]
        assert sorted(notices) == [(1, "manifest"), (2, "manifest"), (3, "manifest"), (4, "deleted")]
        chunks = [DocumentChunked.FromString(r.value) for r in await ours(kafka_settings, DOCS_CHUNKS, tenant)]
        assert {c.language for c in chunks if c.document_id == "notice.txt"} == {"zh-Hant"}

    try:
        with http_server(pages) as base:
            asyncio.run(scenario(base))
    finally:
        shutil.rmtree(root, ignore_errors=True)
