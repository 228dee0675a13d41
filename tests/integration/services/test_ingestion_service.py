"""Ingestion over gRPC against real PostgreSQL and Kafka: inline documents, directory sync, versions."""

from __future__ import annotations

import asyncio
import shutil
import uuid

import grpc
import pytest

from llmops.common.v1.envelope_pb2 import PageRequest
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.grpc_client import traced_channel
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import KafkaSettings, PostgresSettings
from llmops_core.topics import DOCS_CHUNKS, INGEST_REPORTS
from llmops_ingestion.bootstrap import MIGRATIONS, build_server
from llmops_ingestion.settings import IngestionSettings
from llmops_stack.config import REPO_ROOT
from tests.integration.kafka_helpers import read_until_idle
from tests.integration.test_grpc_server import free_port

OUTCOME = ingestion_pb2.DocumentOutcome


def test_ingest_sync_and_versions(postgres_settings: PostgresSettings, kafka_settings: KafkaSettings) -> None:
    tenant = f"t{uuid.uuid4().hex[:8]}"
    root = REPO_ROOT / ".llmops" / "test-sources" / tenant
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "returns.md").write_text("# Returns\n\nItems can be returned within 30 days.")
    (root / "faq" / "shipping.html").write_text("<title>Shipping</title><nav>Menu</nav><p>Ships in 3 days.</p>")
    (root / "faq" / "image.png").write_bytes(b"\x89PNG")

    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        schema = f"ingestion_{tenant}"
        await migrate(pool, schema, MIGRATIONS)
        settings = IngestionSettings(
            grpc_port=free_port(), kafka=kafka_settings, schema_name=schema, source_roots=[str(root)]
        )
        await ensure_topics(kafka_settings, [DOCS_CHUNKS, INGEST_REPORTS])
        broker = build_broker(kafka_settings, client_id="test-ingestion", logger=None)
        async with broker:
            await broker.connect()
            server = build_server(settings, pool, broker)
            await server.start()
            try:
                async with traced_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                    stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
                    first = await stub.SyncSource(
                        ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory=str(root))
                    )
                    assert (first.documents_seen, first.documents_ingested, first.chunks_published) == (2, 2, 2)

                    (root / "faq" / "returns.md").write_text("# Returns\n\nItems can be returned within 60 days.")
                    (root / "faq" / "shipping.html").unlink()
                    second = await stub.SyncSource(
                        ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory=str(root))
                    )
                    outcomes = {r.document_id: (r.outcome, r.version) for r in second.results}
                    assert outcomes == {
                        "faq/returns.md": (OUTCOME.DOCUMENT_OUTCOME_INGESTED, 2),
                        "faq/shipping.html": (OUTCOME.DOCUMENT_OUTCOME_RETIRED, 0),
                    }

                    inline = await stub.IngestDocuments(
                        ingestion_pb2.IngestDocumentsRequest(
                            tenant_id=tenant,
                            documents=[
                                ingestion_pb2.SourceDocument(
                                    document_id="notice.txt",
                                    content="營業時間：週一至週五。".encode("big5"),
                                    content_type=ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT,
                                ),
                                ingestion_pb2.SourceDocument(document_id="empty.txt", content=b""),
                            ],
                        )
                    )
                    assert [r.outcome for r in inline.results] == [
                        OUTCOME.DOCUMENT_OUTCOME_INGESTED,
                        OUTCOME.DOCUMENT_OUTCOME_REJECTED,
                    ]
                    assert inline.results[1].detail == "content is empty"

                    page = await stub.ListDocuments(
                        ingestion_pb2.ListDocumentsRequest(tenant_id=tenant, page=PageRequest(page_size=2))
                    )
                    rest = await stub.ListDocuments(
                        ingestion_pb2.ListDocumentsRequest(
                            tenant_id=tenant, page=PageRequest(page_size=2, page_token=page.next_page_token)
                        )
                    )
                    assert len(page.documents) == 2
                    assert page.next_page_token
                    assert len(rest.documents) == 1
                    assert rest.next_page_token == ""
                    document = await stub.GetDocument(
                        ingestion_pb2.GetDocumentRequest(tenant_id=tenant, document_id="faq/returns.md")
                    )
                    assert (document.version, document.title) == (2, "Returns")

                    with pytest.raises(grpc.aio.AioRpcError) as outside:
                        await stub.SyncSource(ingestion_pb2.SyncSourceRequest(tenant_id=tenant, directory="/etc"))
                    assert outside.value.code() == grpc.StatusCode.INVALID_ARGUMENT
                    assert "outside the allowed source roots" in (outside.value.details() or "")
            finally:
                await server.stop()
                async with pool.connection() as connection:
                    await connection.execute(f"DROP SCHEMA {schema} CASCADE")
                await pool.close()

        records = await read_until_idle(kafka_settings.bootstrap_servers, DOCS_CHUNKS)
        ours = [e for e in (DocumentChunked.FromString(r.value) for r in records) if e.envelope.tenant_id == tenant]
        assert sorted((e.document_id, e.document_version) for e in ours) == [
            ("faq/returns.md", 1), ("faq/returns.md", 2), ("faq/shipping.html", 1), ("notice.txt", 1),
        ]  # fmt: skip
        notice = next(e for e in ours if e.document_id == "notice.txt")
        assert notice.text == "營業時間：週一至週五。"
        assert notice.language == "zh-Hant"
        shipping = next(e for e in ours if e.document_id == "faq/shipping.html")
        assert "Menu" not in shipping.text

    try:
        asyncio.run(scenario())
    finally:
        shutil.rmtree(root, ignore_errors=True)
