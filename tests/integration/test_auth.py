"""API keys against the real key store and real services: no key, wrong scope, another tenant, revoked."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from llmops.guardrails.v1 import guardrails_pb2, guardrails_pb2_grpc
from llmops.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from llmops_core.auth.keys import KeyStore
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.kafka import build_broker, ensure_topics
from llmops_core.postgres import migrate, open_pool
from llmops_core.settings import AuthSettings, KafkaSettings, PostgresSettings
from llmops_core.topics import DOCS_CHANGES, DOCS_CHUNKS, DOCS_SOURCES_DLQ, INGEST_REPORTS
from llmops_guardrails.bootstrap import build_server as guardrails_server
from llmops_guardrails.settings import GuardrailsSettings
from llmops_ingestion.bootstrap import MIGRATIONS, build_server
from llmops_ingestion.settings import IngestionSettings
from tests.integration.test_grpc_server import free_port

Code = grpc.StatusCode


def bearer(credential: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {credential}"),)


async def status_of(call: object) -> tuple[grpc.StatusCode, str]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details() or ""
    return Code.OK, ""


def test_keys_bind_callers_to_their_tenant_and_scopes(
    postgres_settings: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    a, b = f"a{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        schema = f"ingestion_{a}"
        await migrate(pool, schema, MIGRATIONS)
        keys = KeyStore(pool)
        await keys.migrate()
        a_ask, _ = await keys.create(a, ["ask"], "app of a")
        a_ingest, _ = await keys.create(a, ["ingest"])
        b_admin, b_record = await keys.create(b, ["admin"])
        guardrails = guardrails_server(
            GuardrailsSettings(grpc_port=free_port(), embedding_url="", classifier_enabled=False)
        )
        settings = IngestionSettings(
            grpc_port=free_port(),
            kafka=kafka_settings,
            schema_name=schema,
            guardrails_url=f"127.0.0.1:{guardrails.port}",
        )
        settings.auth.key_cache_seconds = 0  # a revocation counts at once in this test
        await ensure_topics(
            kafka_settings, [DOCS_CHUNKS, DOCS_CHANGES, INGEST_REPORTS], dead_letter_only=[DOCS_SOURCES_DLQ]
        )
        broker = build_broker(kafka_settings, client_id="test-auth", logger=None)
        async with broker:
            await broker.connect()
            server = build_server(settings, pool, broker)
            await server.start()
            await guardrails.start()
            try:
                # A plain channel: no service token is added, so only what the test sends is sent.
                async with grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}") as channel:
                    stub = ingestion_pb2_grpc.IngestionServiceStub(channel)  # type: ignore[no-untyped-call]

                    def listing(tenant: str, key: str | None) -> object:
                        request = ingestion_pb2.ListDocumentsRequest(tenant_id=tenant)
                        return stub.ListDocuments(request, metadata=bearer(key) if key else None)

                    code, details = await status_of(listing(a, None))
                    assert (code, details) == (
                        Code.UNAUTHENTICATED,
                        "this call needs an API key: send metadata 'authorization: Bearer <key>'",
                    )
                    assert (await status_of(listing(a, "llmops_0000000000000000_" + "x" * 43)))[
                        0
                    ] == Code.UNAUTHENTICATED
                    assert (await status_of(listing(a, "not-a-key")))[0] == Code.UNAUTHENTICATED
                    code, details = await status_of(listing(a, a_ask))
                    assert code == Code.PERMISSION_DENIED and "'ingest' scope" in details
                    assert (await status_of(listing(a, a_ingest)))[0] == Code.OK

                    document = ingestion_pb2.SourceDocument(
                        document_id="secret.txt", content=b"B's merger closes on 3 March.",
                        content_type=ingestion_pb2.CONTENT_TYPE_PLAIN_TEXT,
                    )  # fmt: skip
                    # The tenant comes from the key: B ingests without naming itself.
                    ingested = await stub.IngestDocuments(
                        ingestion_pb2.IngestDocumentsRequest(documents=[document]), metadata=bearer(b_admin)
                    )
                    assert ingested.results[0].outcome == ingestion_pb2.DOCUMENT_OUTCOME_ADDED
                    get_b = ingestion_pb2.GetDocumentRequest(tenant_id=b, document_id="secret.txt")
                    code, details = await status_of(stub.GetDocument(get_b, metadata=bearer(a_ingest)))
                    assert code == Code.PERMISSION_DENIED and f"not {b!r}" in details
                    get_own = ingestion_pb2.GetDocumentRequest(document_id="secret.txt")
                    assert (await status_of(stub.GetDocument(get_own, metadata=bearer(a_ingest))))[0] == Code.NOT_FOUND
                    delete_b = ingestion_pb2.DeleteDocumentsRequest(tenant_id=b, document_ids=["secret.txt"])
                    code, _ = await status_of(stub.DeleteDocuments(delete_b, metadata=bearer(a_ingest)))
                    assert code == Code.PERMISSION_DENIED
                    assert (await status_of(stub.GetDocument(get_b, metadata=bearer(b_admin))))[0] == Code.OK

                    await keys.revoke(b_record.key_id)
                    code, details = await status_of(stub.GetDocument(get_b, metadata=bearer(b_admin)))
                    assert (code, details) == (
                        Code.UNAUTHENTICATED,
                        "the API key is not valid (unknown, wrong or revoked)",
                    )

                    # Services' tokens pass; one signed with another secret does not.
                    ours = ServiceTokens(AuthSettings().service_secret.get_secret_value()).mint("tests", b)
                    assert (await status_of(stub.GetDocument(get_b, metadata=bearer(ours))))[0] == Code.OK
                    theirs = ServiceTokens("another-deployment-secret-" + "9" * 20).mint("tests", b)
                    assert (await status_of(stub.GetDocument(get_b, metadata=bearer(theirs))))[
                        0
                    ] == Code.UNAUTHENTICATED

                async with grpc.aio.insecure_channel(f"127.0.0.1:{guardrails.port}") as channel:
                    check = guardrails_pb2_grpc.GuardrailsServiceStub(channel)  # type: ignore[no-untyped-call]
                    request = guardrails_pb2.CheckInputRequest(tenant_id=a, text="Where is my order?")
                    code, details = await status_of(check.CheckInput(request, metadata=bearer(a_ask)))
                    assert code == Code.PERMISSION_DENIED and "internal to the platform" in details
            finally:
                await guardrails.stop()
                await server.stop()
                async with pool.connection() as connection:
                    await connection.execute(f"DROP SCHEMA {schema} CASCADE")
                    await connection.execute("DELETE FROM auth.api_keys WHERE tenant_id = ANY(%s)", ([a, b],))
                await pool.close()

    asyncio.run(scenario())


def test_a_key_store_refuses_unknown_scopes_and_tenants(postgres_settings: PostgresSettings) -> None:
    async def scenario() -> None:
        pool = await open_pool(postgres_settings)
        keys = KeyStore(pool)
        await keys.migrate()
        try:
            from llmops_core.errors import InvalidArgument, NotFound

            with pytest.raises(InvalidArgument, match="scopes must be some of"):
                await keys.create("acme", ["root"])
            with pytest.raises(InvalidArgument, match="tenant_id"):
                await keys.create("Acme Corp", ["ask"])
            with pytest.raises(NotFound):
                await keys.revoke("0000000000000000")
        finally:
            await pool.close()

    asyncio.run(scenario())
