"""Consumer reliability under real faults: Triton cut off mid-batch, poison in the batch, a failed DLQ publish.

Real broker, real Triton. The Triton outage is a real network fault: a TCP proxy between the embedder
and Triton's gRPC port drops every connection and refuses new ones for a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from aiokafka import TopicPartition
from faststream.kafka import KafkaBroker

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops_core.kafka import PermanentError, build_broker, consumer_options, ensure_topics, new_envelope
from llmops_core.kafka.dead_letter import HEADER_ATTEMPTS, HEADER_ERROR, HEADER_GROUP, DeadLetterPolicy
from llmops_core.settings import KafkaSettings, TritonSettings
from llmops_core.topics import DOCS_CHUNKS, DOCS_EMBEDDED
from llmops_embedding.adapters.triton_embedder import TritonEmbedder
from llmops_embedding.entrypoints import subscribers
from llmops_embedding.settings import EmbeddingSettings
from llmops_stack.config import StackSettings
from tests.integration.kafka_helpers import read_until_idle, unique_topic, wait_until

PARTITIONS = 3


class TcpProxy:
    """Forwards a local port to a server; ``cut`` drops every connection and refuses new ones until ``restore``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def cut(self) -> None:
        self.down = True
        for writer in list(self._writers):
            writer.transport.abort()

    def restore(self) -> None:
        self.down = False

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, upstream_writer}
        try:
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
        finally:
            self._writers -= {writer, upstream_writer}
            for end in (writer, upstream_writer):
                end.transport.abort()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()


class SpyEmbedder:
    """The real Triton embedder, noting which texts each call carried and whether it failed."""

    def __init__(self, embedder: TritonEmbedder) -> None:
        self.embedder = embedder
        self.identity = embedder.identity
        self.calls: list[tuple[list[str], bool]] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            vectors = await self.embedder.embed(texts)
        except Exception:
            self.calls.append((list(texts), False))
            raise
        self.calls.append((list(texts), True))
        return vectors


def embedded_texts(embedder: SpyEmbedder, tenant: str) -> list[str]:
    """Texts of this test (the new group also reads older tests' chunks) that Triton embedded."""
    return [text for texts, ok in embedder.calls if ok for text in texts if tenant in text]


def chunk(tenant: str, index: int, partition: int) -> DocumentChunked:
    return DocumentChunked(
        envelope=new_envelope(tenant, "tests"),
        document_id=f"{tenant}-doc-{index}",
        chunk_id=f"{tenant}-{index}",
        chunk_count=1,
        text=f"p{partition} {tenant}: refunds take {index} days",
    )


async def publish(broker: KafkaBroker, topic: str, value: bytes, key: str, partition: int) -> None:
    # An explicit partition, so the batch spans partitions by construction rather than by hash luck.
    await broker.publish(value, topic, key=key.encode(), partition=partition)


def test_triton_outage_mid_batch_loses_nothing_and_dead_letters_only_poison(
    stack: StackSettings, kafka_settings: KafkaSettings
) -> None:
    """A batch over every partition, poison inside, meets Triton down: it is retried whole until Triton is
    back, every chunk is embedded, and only the poison is dead-lettered (after riding the retries).

    The batch is arranged, not hoped for: the second wave is published while no consumer of the group
    runs, so the new consumer's first fetch (one request for every partition, aiokafka resets all
    positions before it fetches) hands out all of it at once. Pausing a running consumer instead let a
    fetch already in flight bring back one partition's records alone."""
    tenant = f"t{uuid.uuid4().hex[:8]}"
    group = f"embedding-faults-{tenant}"
    # The retry deadline is far beyond the outage plus gRPC's reconnect backoff: if it passed, the whole
    # batch would be dead-lettered and the test would fail for a reason that is not the platform's.
    kafka = kafka_settings.model_copy(
        update={"retry_initial_seconds": 0.2, "retry_max_interval_seconds": 1.0, "retry_deadline_seconds": 120.0}
    )
    settings = EmbeddingSettings(kafka=kafka, consumer_group=group, batch_size=8)

    async def scenario() -> None:
        host, port = stack.triton_grpc_url.rsplit(":", 1)
        proxy = TcpProxy(host, int(port))
        triton = TritonSettings(grpc_url=await proxy.start(), timeout_seconds=5)
        embedder = SpyEmbedder(await TritonEmbedder.connect(triton))
        await ensure_topics(kafka, [DOCS_CHUNKS, DOCS_EMBEDDED], partitions=PARTITIONS)
        try:
            # The first wave moves the new group past older tests' chunks (it reads from the earliest) and
            # opens the embedder's connection through the proxy, so the cut drops a live connection.
            first = [chunk(tenant, i, i % PARTITIONS) for i in range(6)]
            await run_group_until_committed(kafka, settings, embedder, first)

            proxy.cut()
            second = [chunk(tenant, i, i % PARTITIONS) for i in range(6, 12)]
            # Decodable (other tests read this DLQ as chunks) but never embeddable: a chunk with no text.
            poison = DocumentChunked(
                envelope=new_envelope(tenant, "tests"), document_id=f"{tenant}-poison", chunk_id=f"{tenant}-poison"
            )
            await publish_all(kafka, [(e, i % PARTITIONS) for i, e in enumerate(second)] + [(poison, 1)])

            broker = build_broker(kafka, client_id="test-faults", logger=None)
            subscribers.register(broker, embedder, settings)
            async with broker:
                await broker.start()
                # Two failed attempts of the batch prove it is being retried; then Triton comes back.
                await wait_until(
                    lambda: len(failed_calls(embedder, tenant)) >= 2, timeout=120, what="two failed Triton calls"
                )
                proxy.restore()
                dead = await wait_for_records(
                    kafka.bootstrap_servers,
                    f"{DOCS_CHUNKS}.dlq",
                    # This group also reads older tests' records (and their poison): only ours count.
                    lambda r: (
                        dict(r.headers).get(HEADER_GROUP) == group.encode()
                        and (r.key or b"").startswith(tenant.encode())
                    ),
                    what="the poison in the DLQ",
                )
            embedded = await wait_for_records(
                kafka.bootstrap_servers,
                DOCS_EMBEDDED,
                lambda r: ChunkEmbedded.FromString(r.value).envelope.tenant_id == tenant,
                what="every chunk embedded",
                done=lambda records: len({r.key for r in records}) >= len(first + second),
            )
        finally:
            await embedder.embedder.close()
            await proxy.close()

        texts = {event.chunk_id: event.text for event in first + second}
        assert {ChunkEmbedded.FromString(r.value).chunk.chunk_id for r in embedded} == set(texts), (
            "every chunk of ours is on docs.embedded, and nothing else of ours"
        )
        assert set(embedded_texts(embedder, tenant)) == set(texts.values()), "Triton embedded every chunk"
        failed = failed_calls(embedder, tenant)
        wave = sorted(e.text for e in second)
        assert {text.split()[0] for text in wave} == {f"p{p}" for p in range(PARTITIONS)}
        assert all(sorted(texts) == wave for texts in failed), "every failed attempt carried the whole batch"
        assert [r.value for r in dead] == [poison.SerializeToString()], "only the poison record is dead-lettered"
        headers = {k: v.decode() for k, v in dead[0].headers}
        assert headers[HEADER_ERROR] == f"chunk '{tenant}-poison' of '{tenant}-poison' has no text or no id"
        assert int(headers[HEADER_ATTEMPTS]) > len(failed) >= 2, "the poison rode every attempt of its batch"

    asyncio.run(scenario())


def failed_calls(embedder: SpyEmbedder, tenant: str) -> list[list[str]]:
    return [[t for t in texts if tenant in t] for texts, ok in embedder.calls if not ok]


async def publish_all(kafka: KafkaSettings, events: list[tuple[DocumentChunked, int]]) -> None:
    broker = build_broker(kafka, client_id="test-faults-producer", logger=None)
    async with broker:
        await broker.connect()
        for event, partition in events:
            await publish(broker, DOCS_CHUNKS, event.SerializeToString(), event.document_id, partition)


async def run_group_until_committed(
    kafka: KafkaSettings, settings: EmbeddingSettings, embedder: SpyEmbedder, events: list[DocumentChunked]
) -> None:
    """Runs the embedding consumer group until ``events`` are embedded and its offsets are committed past them."""
    broker = build_broker(kafka, client_id="test-faults", logger=None)
    subscribers.register(broker, embedder, settings)
    async with broker:
        await broker.connect()
        ends: dict[TopicPartition, int] = {}
        for i, event in enumerate(events):
            partition = i % PARTITIONS
            sent = await broker.publish(
                event.SerializeToString(), DOCS_CHUNKS, key=event.document_id.encode(), partition=partition
            )
            tp = TopicPartition(DOCS_CHUNKS, partition)
            ends[tp] = max(ends.get(tp, 0), sent.offset + 1)
        await broker.start()
        consumer: Any = broker.subscribers[0].consumer  # type: ignore[attr-defined]
        await wait_until(lambda: len(embedded_texts(embedder, tenant_of(events))) >= len(events), what="the first wave")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:
            committed = {tp: await consumer.committed(tp) for tp in ends}
            if all((committed[tp] or 0) >= end for tp, end in ends.items()):
                return
            assert loop.time() < deadline, f"offsets {committed} never reached {ends}"
            await asyncio.sleep(0.1)


def tenant_of(events: list[DocumentChunked]) -> str:
    return events[0].envelope.tenant_id


async def wait_for_records(
    bootstrap: str,
    topic: str,
    mine: Callable[[Any], bool],
    what: str,
    done: Callable[[list[Any]], bool] = bool,
    timeout: float = 120.0,
) -> list[Any]:
    """This test's records of ``topic`` (read from the start) once ``done`` holds for them; a read that comes
    back short (a consumer slow to start counts as idle) is simply read again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = [r for r in await read_until_idle(bootstrap, topic, idle_ms=500) if mine(r)]
        if done(records):
            return records
        assert loop.time() < deadline, f"timed out after {timeout:.0f}s waiting for {what} ({len(records)} so far)"


def test_failed_dead_lettering_rereads_every_partition_of_the_batch(
    kafka_settings: KafkaSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one error that escapes the policy: the batch must come back whole, from every partition in it."""
    topic = unique_topic("rewind")
    dead_letter = DeadLetterPolicy.dead_letter
    dlq_reachable = False

    async def unreachable_once(self: DeadLetterPolicy, *args: Any, **kwargs: Any) -> None:
        nonlocal dlq_reachable
        if not dlq_reachable:
            dlq_reachable = True
            raise ConnectionError("the DLQ topic's leader is unreachable")
        await dead_letter(self, *args, **kwargs)

    monkeypatch.setattr(DeadLetterPolicy, "dead_letter", unreachable_once)

    async def records(msg: Any) -> Any:
        return msg.raw_message

    async def scenario() -> tuple[list[list[tuple[int, bytes]]], int | None, list[Any]]:
        await ensure_topics(kafka_settings, [topic], partitions=PARTITIONS)
        broker = build_broker(kafka_settings, client_id="test-rewind", logger=None)
        batches: list[list[tuple[int, bytes]]] = []
        refused: int | None = None

        @broker.subscriber(
            topic, group_id=topic, batch=True, max_records=6, decoder=records, **consumer_options(kafka_settings)
        )
        async def handle(batch: Sequence[Any]) -> None:
            nonlocal refused
            batches.append([(r.partition, r.value) for r in batch])
            # The first batch that spans partitions is refused (whichever it is: how the broker and the
            # fetcher group records is not this test's to assume), and dead-lettering it fails.
            if refused is None and len({r.partition for r in batch}) >= 2:
                refused = len(batches) - 1
                raise PermanentError("first batch over several partitions refused")

        def reread() -> bool:
            if refused is None:
                return False
            again = {v for b in batches[refused + 1 :] for _, v in b}
            return {v for _, v in batches[refused]} <= again and {v for b in batches for _, v in b} >= sent

        sent = {f"r{i}".encode() for i in range(9)}
        async with broker:
            await broker.connect()
            for i, value in enumerate(sorted(sent)):  # all published first, so a fetch can span partitions
                await publish(broker, topic, value, f"k{i}", i % PARTITIONS)
            await broker.start()
            await wait_until(reread, what="the refused batch read again, and every record")
        dead = await read_until_idle(kafka_settings.bootstrap_servers, f"{topic}.dlq", idle_ms=2000)
        return batches, refused, dead

    batches, refused, dead = asyncio.run(scenario())
    assert refused is not None and len({partition for partition, _ in batches[refused]}) >= 2
    assert dead == [], "nothing reached the DLQ, so nothing may be skipped"
