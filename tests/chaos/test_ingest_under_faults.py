"""`make chaos`: an ingest on the whole platform survives real faults without loss or duplicates.

While about a thousand chunks flow from files to the index, with three partitions per topic and
two embedding replicas: a poison record lands among the chunks, one embedding replica is killed
with SIGKILL, Triton is stopped for 15 seconds, and PostgreSQL for 30 seconds. Afterwards the
index holds exactly the chunks ingestion recorded, each once and all searchable; the only dead
letter is the poison record, with its reason and consumer group; no transient outage
dead-lettered anything.

It takes several minutes, so it is not part of `make test` (which keeps the short Triton fault
test in tests/integration/test_consumer_faults.py).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from aiokafka import AIOKafkaProducer

from llmops_core.topics import DOCS_CHANGES, DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_stack.client import PlatformClient
from llmops_stack.components import Component
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.field_corpus import build_field_corpus
from llmops_stack.stack import Stack
from tests.integration.kafka_helpers import read_until_idle

CHAOS_STACK = StackSettings.isolated("test-chaos", port_base=29000, with_services=True).model_copy(
    update={"replicas": {"embedding": 2}}
)
COPIES = 4  # copies of corpus/acme and corpus/field/docs: about a thousand chunks


@pytest.fixture(scope="module")
def platform() -> Iterator[Stack]:
    stack = Stack(CHAOS_STACK)
    stack.down()
    shutil.rmtree(CHAOS_STACK.state_dir, ignore_errors=True)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


def component(stack: Stack, name: str) -> Component:
    return next(c for c in stack.components if c.name == name)


def outage(stack: Stack, name: str, seconds: float) -> None:
    """Stops a component for ``seconds`` with the supervisor paused, so nothing restarts it early."""
    supervisor = stack.table.get("supervisor")
    assert supervisor is not None
    os.kill(supervisor.pid, signal.SIGSTOP)
    try:
        part = component(stack, name)
        stack.table.stop(name, part.stop_signal)
        time.sleep(seconds)
        stack.start(part)
    finally:
        os.kill(supervisor.pid, signal.SIGCONT)


def source_folder(tenant: str) -> Path:
    """Copies of the sample and field corpora (chunk ids include the document id: each copy is new work)."""
    if not (REPO_ROOT / "corpus" / "field" / "docs").is_dir():
        build_field_corpus(REPO_ROOT)
    folder = CHAOS_STACK.state_dir / "sources" / tenant
    for copy in range(COPIES):
        shutil.copytree(REPO_ROOT / "corpus" / "acme", folder / f"copy-{copy:02d}" / "acme")
        shutil.copytree(REPO_ROOT / "corpus" / "field" / "docs", folder / f"copy-{copy:02d}" / "field")
    return folder


async def publish_poison(tenant: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=CHAOS_STACK.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            DOCS_CHUNKS, b"\xff\x00 not a protobuf", key=b"copy-00/poison.md", headers=[("tenant-id", tenant.encode())]
        )
    finally:
        await producer.stop()


def rows_in_index(tenant: str) -> tuple[int, int, int]:
    """(rows, distinct chunk ids, searchable rows) of the tenant in retrieval's own table."""
    with psycopg.connect(CHAOS_STACK.postgres_conninfo()) as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT chunk_id), count(*) FILTER (WHERE live) FROM retrieval.chunks"
            " WHERE tenant_id = %s",
            (tenant,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def ours(topic: str, tenant: str) -> list[object]:
    records = asyncio.run(read_until_idle(CHAOS_STACK.kafka_bootstrap, topic, idle_ms=3000))
    return [r for r in records if dict(r.headers).get("tenant-id") == tenant.encode()]


def test_ingest_survives_poison_sigkill_triton_and_postgres_outages(platform: Stack) -> None:
    tenant = f"chaos-{uuid.uuid4().hex[:8]}"
    client = PlatformClient(CHAOS_STACK)
    try:
        report = client.sync(tenant, source_folder(tenant))
        assert report.documents_failed == 0
        assert report.chunks_published >= 900

        def faults() -> None:
            asyncio.run(publish_poison(tenant))
            replica = platform.table.get("embedding-2")
            assert replica is not None
            os.kill(replica.pid, signal.SIGKILL)
            time.sleep(2)
            outage(platform, "triton", 15)
            time.sleep(3)
            outage(platform, "postgres", 30)

        chaos = threading.Thread(target=faults)
        chaos.start()
        chaos.join()
        stats = client.wait_indexed(tenant, timeout=900)
        expected_chunks, expected_documents = client.expected(tenant)
        assert (stats.chunks, stats.documents, stats.pending_documents) == (expected_chunks, expected_documents, 0)
        assert expected_chunks == report.chunks_published
        assert rows_in_index(tenant) == (expected_chunks, expected_chunks, expected_chunks)
    finally:
        client.close()

    dead = ours(f"{DOCS_CHUNKS}.dlq", tenant)
    # One poison record, dead-lettered at least once: a kill between the DLQ publish and the commit repeats it.
    origins = {dict(r.headers)["x-dlq-origin"] for r in dead}  # type: ignore[attr-defined]
    assert len(origins) == 1, [dict(r.headers) for r in dead]  # type: ignore[attr-defined]
    headers = dict(dead[0].headers)  # type: ignore[attr-defined]
    assert headers["x-dlq-group"] == b"embedding"
    assert headers["x-dlq-error"]
    assert ours(f"{DOCS_EMBEDDED}.dlq", tenant) == []
    assert ours(f"{DOCS_CHANGES}.dlq", tenant) == []
