"""Consumer reliability under real faults: Triton cut off mid-batch, poison in the batch, a failed DLQ publish.

Real broker, real Triton. The Triton outage is a real network fault: a TCP proxy between the embedder
and Triton's gRPC port drops every connection and refuses new ones for a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
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
    tenant = f"t{uuid.uuid4().hex[:8]}"
    group = f"embedding-faults-{tenant}"
    # The outage (4 s, plus gRPC's reconnect backoff) must stay well inside the retry deadline.
    kafka = kafka_settings.model_copy(
        update={"retry_initial_seconds": 0.2, "retry_max_interval_seconds": 1.0, "retry_deadline_seconds": 30.0}
    )

    async def scenario() -> None:
        host, port = stack.triton_grpc_url.rsplit(":", 1)
        proxy = TcpProxy(host, int(port))
        triton = TritonSettings(grpc_url=await proxy.start(), timeout_seconds=5)
        embedder = SpyEmbedder(await TritonEmbedder.connect(triton))
        await ensure_topics(kafka, [DOCS_CHUNKS, DOCS_EMBEDDED], partitions=PARTITIONS)
        settings = EmbeddingSettings(kafka=kafka, consumer_group=group, batch_size=8)
        broker = build_broker(kafka, client_id="test-faults", logger=None)
        subscribers.register(broker, embedder, settings)
        consumer: Any = None
        try:
            async with broker:
                await broker.start()
                consumer = broker.subscribers[0].consumer  # type: ignore[attr-defined]
                partitions = [TopicPartition(DOCS_CHUNKS, p) for p in range(PARTITIONS)]
                await wait_until(lambda: set(consumer.assignment()) >= set(partitions), what="the partitions")

                first = [chunk(tenant, i, i % PARTITIONS) for i in range(6)]
                for i, event in enumerate(first):
                    await publish(broker, DOCS_CHUNKS, event.SerializeToString(), event.document_id, i % PARTITIONS)
                await wait_until(lambda: len(embedded_texts(embedder, tenant)) >= 6, what="the first wave")

                # Triton goes away; the next wave is held back so it arrives as one batch over every partition.
                proxy.cut()
                consumer.pause(*partitions)
                second = [chunk(tenant, i, i % PARTITIONS) for i in range(6, 12)]
                for i, event in enumerate(second):
                    await publish(broker, DOCS_CHUNKS, event.SerializeToString(), event.document_id, i % PARTITIONS)
                # Decodable (other tests read this DLQ as chunks) but never embeddable: a chunk with no text.
                poison = DocumentChunked(
                    envelope=new_envelope(tenant, "tests"), document_id=f"{tenant}-poison", chunk_id=f"{tenant}-poison"
                ).SerializeToString()
                await publish(broker, DOCS_CHUNKS, poison, f"{tenant}-poison", 1)
                consumer.resume(*partitions)
                await wait_until(lambda: any(not ok for _, ok in embedder.calls), what="a failed Triton call")
                await asyncio.sleep(4)
                proxy.restore()

                expected = {event.chunk_id for event in first + second}
                embedded: set[str] = set()

                async def all_embedded() -> bool:
                    records = await read_until_idle(kafka.bootstrap_servers, DOCS_EMBEDDED, idle_ms=500)
                    events = (ChunkEmbedded.FromString(r.value) for r in records)
                    embedded.update(e.chunk.chunk_id for e in events if e.envelope.tenant_id == tenant)
                    return embedded >= expected

                for _ in range(40):
                    if await all_embedded():
                        break
                assert embedded == expected, f"lost: {sorted(expected - embedded)}"
                dead = [
                    r
                    for r in await read_until_idle(kafka.bootstrap_servers, f"{DOCS_CHUNKS}.dlq", idle_ms=1000)
                    # This group also reads older tests' records (and their poison): only ours count.
                    if dict(r.headers).get(HEADER_GROUP) == group.encode()
                    and (r.key or b"").startswith(tenant.encode())
                ]
        finally:
            await embedder.embedder.close()
            await proxy.close()

        failed = [texts for texts, ok in embedder.calls if not ok]
        assert any(len({t.split()[0] for t in texts if tenant in t}) == PARTITIONS for texts in failed), (
            "a failed call carried a batch spanning every partition"
        )
        assert [r.value for r in dead] == [poison], "only the poison record is dead-lettered"
        headers = {k: v.decode() for k, v in dead[0].headers}
        assert headers[HEADER_ERROR] == f"chunk '{tenant}-poison' of '{tenant}-poison' has no text or no id"
        assert int(headers[HEADER_ATTEMPTS]) > 1, "the poison rode in the batch that Triton failed"

    asyncio.run(scenario())


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

    async def scenario() -> tuple[list[list[tuple[int, bytes]]], list[Any]]:
        await ensure_topics(kafka_settings, [topic], partitions=PARTITIONS)
        broker = build_broker(kafka_settings, client_id="test-rewind", logger=None)
        batches: list[list[tuple[int, bytes]]] = []

        @broker.subscriber(
            topic, group_id=topic, batch=True, max_records=6, decoder=records, **consumer_options(kafka_settings)
        )
        async def handle(batch: Sequence[Any]) -> None:
            batches.append([(r.partition, r.value) for r in batch])
            if len(batches) == 1:
                raise PermanentError("first batch refused")  # and dead-lettering it fails: the error escapes

        sent = {f"r{i}".encode() for i in range(9)}
        async with broker:
            await broker.connect()
            for i, value in enumerate(sorted(sent)):  # all published first, so the first fetch spans partitions
                await publish(broker, topic, value, f"k{i}", i % PARTITIONS)
            await broker.start()
            await wait_until(
                lambda: {v for b in batches[1:] for _, v in b} >= sent, what="every record after the fault"
            )
        return batches, await read_until_idle(kafka_settings.bootstrap_servers, f"{topic}.dlq", idle_ms=1000)

    batches, dead = asyncio.run(scenario())
    assert len({partition for partition, _ in batches[0]}) >= 2, "the failed batch spanned partitions"
    assert dead == [], "nothing reached the DLQ, so nothing may be skipped"
