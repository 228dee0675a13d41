"""The steady mix of tests/chaos/test_chaos_under_load.py and the readers that check what the platform kept.

Two kinds of client run in threads, each with its own channels and a fixed number of requests at most:
an ingest client sends batches of new documents (unique text, so every chunk is new work) and re-sends a
batch until ingestion records all of it, as an app must (a batch cut short by a crash may have published
chunks without recording the documents; sending it again converges, because chunk ids are content ids);
an Ask client asks golden questions once each (an Ask is not idempotent: a failed one is only counted).
Every request is logged with its start, end and gRPC status.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import grpc
import psycopg
from aiokafka import AIOKafkaProducer
from google.protobuf.message import DecodeError, Message

from llmops.ingestion.v1 import ingestion_pb2
from llmops.query.v1 import query_pb2
from llmops_core.kafka.dead_letter import HEADER_GROUP, HEADER_ORIGIN
from llmops_stack.client import PlatformClient
from llmops_stack.config import StackSettings
from tests.integration.kafka_helpers import read_until_idle

DOCUMENTS_PER_BATCH = 2
OK = "OK"
DOCUMENT_FAILED = "DOCUMENT_FAILED"  # the call returned, but ingestion did not record every document
RETRY_PAUSE_SECONDS = 1.0
RETRY_DEADLINE_SECONDS = 300.0  # one batch; past it the batch is abandoned (and the test says so)
TOPICS = ("Returns", "Shipping", "Warranty", "Repairs", "Vouchers", "Stores", "Sizing", "Payments")


@dataclass(frozen=True)
class Request:
    kind: str  # "ingest" or "ask"
    started: float  # time.monotonic()
    ended: float
    outcome: str  # OK, DOCUMENT_FAILED or a gRPC status name
    answer_id: str = ""
    attempt: int = 1  # ingest: 2 and more are re-sends of a batch that failed


@dataclass
class LoadLog:
    """What the clients sent and were told, shared by the client threads."""

    requests: list[Request] = field(default_factory=list)
    documents: dict[str, int] = field(default_factory=dict)  # document id -> chunks, as ingestion reported
    answers: dict[str, str] = field(default_factory=dict)  # answer id -> AnswerStatus name
    abandoned_batches: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def record_documents(self, results: list[ingestion_pb2.DocumentResult]) -> None:
        with self._lock:
            self.documents.update({r.document_id: r.chunk_count for r in results})

    def record_answer(self, answer_id: str, status: str) -> None:
        with self._lock:
            self.answers[answer_id] = status

    def abandon_batch(self) -> None:
        with self._lock:
            self.abandoned_batches += 1

    def first_ok_after(self, kind: str, moment: float) -> float | None:
        """Seconds from ``moment`` to the end of the first request of ``kind`` that started then or later and
        succeeded."""
        ends = [r.ended for r in self.requests if r.kind == kind and r.started >= moment and r.outcome == OK]
        return min(ends) - moment if ends else None


def note(batch: int, index: int) -> str:
    """A short support note of its own: unique words, so no chunk of it equals any other chunk."""
    topic = TOPICS[(batch + index) % len(TOPICS)]
    code = f"CH{batch:04d}{index}"
    return (
        f"# {topic} note {code}\n\n"
        f"## What changed\n\nPolicy {code} for {topic.lower()} was revised in batch {batch}. Customers who"
        f" ask about {topic.lower()} under reference {code} get an answer within {2 + batch % 5} business days,"
        " and staff record the outcome in the case history so that the next agent sees it.\n\n"
        f"## Who is affected\n\nOrders placed after revision {code} follow the new rule; earlier orders keep"
        f" the terms printed on their receipt. Store {index + 1} keeps a printed copy of note {code} at the"
        " service desk for customers who prefer paper.\n"
    )


def drive_ingest(
    settings: StackSettings, tenant: str, log: LoadLog, stop: threading.Event, batches: int, pause: float
) -> None:
    """Up to ``batches`` batches of new documents, ``pause`` seconds apart, until ``stop`` is set."""
    client = PlatformClient(settings)
    try:
        for batch in range(batches):
            if stop.is_set():
                return
            documents = [
                ingestion_pb2.SourceDocument(
                    document_id=f"chaos-{batch:04d}-{index}.md",
                    content=note(batch, index).encode(),
                    content_type=ingestion_pb2.CONTENT_TYPE_MARKDOWN,
                )
                for index in range(DOCUMENTS_PER_BATCH)
            ]
            _send_until_recorded(client, tenant, documents, log)
            stop.wait(pause)
    finally:
        client.close()


def _send_until_recorded(
    client: PlatformClient, tenant: str, documents: list[ingestion_pb2.SourceDocument], log: LoadLog
) -> None:
    request = ingestion_pb2.IngestDocumentsRequest(tenant_id=tenant, documents=documents)
    deadline = time.monotonic() + RETRY_DEADLINE_SECONDS
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        started = time.monotonic()
        try:
            reply = client.ingestion.IngestDocuments(request, timeout=60, metadata=client.auth(tenant))
        except grpc.RpcError as error:
            outcome = error.code().name  # type: ignore[attr-defined]
        else:
            recorded = all(r.outcome != ingestion_pb2.DOCUMENT_OUTCOME_FAILED for r in reply.results)
            outcome = OK if recorded else DOCUMENT_FAILED
            if recorded:
                log.record_documents(list(reply.results))
        log.add(Request("ingest", started, time.monotonic(), outcome, attempt=attempt))
        if outcome == OK:
            return
        time.sleep(RETRY_PAUSE_SECONDS)
    log.abandon_batch()


def drive_asks(
    settings: StackSettings, tenant: str, questions: list[str], log: LoadLog, stop: threading.Event, asks: int
) -> None:
    """Up to ``asks`` Asks, cycling through ``questions``, until ``stop`` is set; a failed Ask is not repeated."""
    client = PlatformClient(settings)
    try:
        for index in range(asks):
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                # wait_for_ready: a query service being restarted is waited for, not reported as down.
                response = client.query.Ask(
                    query_pb2.AskRequest(tenant_id=tenant, question=questions[index % len(questions)]),
                    timeout=90,
                    metadata=client.auth(tenant),
                    wait_for_ready=True,
                )
            except grpc.RpcError as error:
                log.add(Request("ask", started, time.monotonic(), error.code().name))  # type: ignore[attr-defined]
                time.sleep(0.5)  # a service that refuses at once must not be hammered in a tight loop
                continue
            log.add(Request("ask", started, time.monotonic(), OK, answer_id=response.answer_id))
            log.record_answer(response.answer_id, query_pb2.AnswerStatus.Name(response.status))
    finally:
        client.close()


async def publish_raw(settings: StackSettings, topic: str, key: bytes, value: bytes, tenant: str) -> None:
    """One record as any producer could send it: here, bytes that are not the topic's protobuf (poison)."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=[("tenant-id", tenant.encode())])
    finally:
        await producer.stop()


def read_topics(settings: StackSettings, topics: list[str], idle_ms: int = 4000) -> list[Any]:
    """Every record of ``topics`` from the beginning, without a consumer group (offsets of nobody move)."""
    return [r for topic in topics for r in asyncio.run(read_until_idle(settings.kafka_bootstrap, topic, idle_ms))]


def decoded(records: list[Any], message_type: type[Message]) -> list[Any]:
    """The records that parse as ``message_type`` (a planted poison record does not)."""
    events = []
    for record in records:
        try:
            events.append(message_type.FromString(record.value))
        except DecodeError:
            continue
    return events


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    key: str
    group: str


def dead_letters(records: list[Any]) -> Counter[DeadLetter]:
    """Dead letters per topic, key and group, each original record once: a consumer killed between its DLQ
    publish and its offset commit dead-letters the same record again (at-least-once, by design)."""
    distinct = {
        (DeadLetter(r.topic, (r.key or b"").decode(errors="replace"), headers.get(HEADER_GROUP, b"").decode()), origin)
        for r in records
        for headers in [dict(r.headers)]
        for origin in [headers.get(HEADER_ORIGIN, b"")]
    }
    return Counter(letter for letter, _ in distinct)


def recorded_chunk_ids(settings: StackSettings, tenant: str) -> list[str]:
    """Chunk ids of the tenant's current document versions, from ingestion's own table."""
    with psycopg.connect(settings.postgres_conninfo()) as connection:
        rows = connection.execute(
            "SELECT unnest(chunk_ids) FROM ingestion.documents WHERE tenant_id = %s AND NOT deleted", (tenant,)
        ).fetchall()
    return [str(row[0]) for row in rows]


def indexed_chunks(settings: StackSettings, tenant: str) -> tuple[list[str], int]:
    """(chunk id of every row, live rows) of the tenant in retrieval's own table."""
    with psycopg.connect(settings.postgres_conninfo()) as connection:
        rows = connection.execute(
            "SELECT chunk_id, live FROM retrieval.chunks WHERE tenant_id = %s", (tenant,)
        ).fetchall()
    return [str(row[0]) for row in rows], sum(bool(row[1]) for row in rows)


def stored_scores(settings: StackSettings, tenant: str) -> Counter[str]:
    """Rows per answer id in evaluation's score table."""
    with psycopg.connect(settings.postgres_conninfo()) as connection:
        rows = connection.execute(
            "SELECT answer_id, count(*) FROM evaluation.answer_scores WHERE tenant_id = %s GROUP BY answer_id",
            (tenant,),
        ).fetchall()
    return Counter({str(row[0]): int(row[1]) for row in rows})
