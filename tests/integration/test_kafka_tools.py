"""Operator and analyst tools on the real broker: DLQ replay and `llmops events`."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from llmops.ingestion.v1.events_pb2 import DocumentChunked
from llmops.ingestion.v1.ingestion_pb2 import IngestReport
from llmops_core.kafka import EventPublisher, build_broker, consumer_options, ensure_topics, new_envelope, proto_decoder
from llmops_core.kafka.dead_letter import HEADER_ERROR, HEADER_GROUP
from llmops_core.kafka.delivery import HEADER_REPLAY_GROUP
from llmops_core.kafka.replay import HEADER_REPLAYED_FROM, replay_dead_letters
from llmops_core.settings import KafkaSettings
from llmops_core.topics import INGEST_REPORTS
from tests.integration.kafka_helpers import read_all, unique_topic, wait_until

LLMOPS = str(Path(sys.executable).with_name("llmops"))


def test_dead_letters_are_replayed_once_to_the_group_that_failed(kafka_settings: KafkaSettings) -> None:
    async def scenario() -> None:
        topic = unique_topic("replay")
        await ensure_topics(kafka_settings, [topic], partitions=2)
        down = {"indexer": True, "auditor": True}
        processed: dict[str, list[str]] = {"indexer": [], "auditor": []}
        broker = build_broker(kafka_settings, client_id="test-replay", logger=None)

        def handler(name: str) -> Callable[[DocumentChunked], Awaitable[None]]:
            async def handle(event: DocumentChunked) -> None:
                if down[name]:
                    raise ConnectionError(f"{name}'s store is unreachable")
                processed[name].append(event.chunk_id)

            return handle

        for name in processed:
            broker.subscriber(
                topic,
                group_id=f"{topic}.{name}",
                decoder=proto_decoder(DocumentChunked),
                **consumer_options(kafka_settings),
            )(handler(name))

        async with broker:
            await broker.start()
            sent = [
                DocumentChunked(envelope=new_envelope("acme", "tests"), document_id=f"d{i}", chunk_id=f"c{i}")
                for i in range(3)
            ]
            for event in sent:
                await EventPublisher(broker).publish(topic, event.document_id, event)
            dead = await read_all(kafka_settings.bootstrap_servers, f"{topic}.dlq", expected=6)
            assert (
                sorted(dict(r.headers)[HEADER_GROUP].decode() for r in dead)
                == [f"{topic}.auditor"] * 3 + [f"{topic}.indexer"] * 3
            )
            assert processed == {"indexer": [], "auditor": []}

            down["indexer"] = False
            # The CLI in a subprocess, awaited, so this loop keeps the consumers' heartbeats going meanwhile.
            cli = await asyncio.create_subprocess_exec(
                LLMOPS, "dlq", "replay", topic, "--group", f"{topic}.indexer",
                "--bootstrap", kafka_settings.bootstrap_servers, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            stdout, _ = await asyncio.wait_for(cli.communicate(), timeout=60)
            assert cli.returncode == 0
            assert "replayed 3 dead letter(s)" in stdout.decode()
            await wait_until(lambda: len(processed["indexer"]) == 3, what="the indexer's replayed events")

            down["auditor"] = False
            every_group = await replay_dead_letters(kafka_settings, topic, idle_ms=1500)
            await wait_until(lambda: len(processed["auditor"]) == 3, what="the auditor's replayed events")
            again = await replay_dead_letters(kafka_settings, topic, idle_ms=1500)
            await asyncio.sleep(1)  # a replay wrongly addressed would be consumed by now

        assert sorted(processed["indexer"]) == sorted(processed["auditor"]) == ["c0", "c1", "c2"]
        assert every_group.by_group == {f"{topic}.auditor": 3, f"{topic}.indexer": 0}
        assert again.replayed == 0
        replayed = [dict(r.headers) for r in await read_all(kafka_settings.bootstrap_servers, topic, expected=9)]
        marked = [headers for headers in replayed if HEADER_REPLAYED_FROM in headers]
        assert len(marked) == 6
        assert (
            sorted(h[HEADER_REPLAY_GROUP].decode() for h in marked)
            == [f"{topic}.auditor"] * 3 + [f"{topic}.indexer"] * 3
        )
        assert all(HEADER_ERROR not in headers for headers in marked)

    asyncio.run(scenario())


def test_events_command_prints_json_lines(kafka_settings: KafkaSettings) -> None:
    run_id = str(uuid.uuid4())

    async def publish() -> None:
        await ensure_topics(kafka_settings, [INGEST_REPORTS])
        broker = build_broker(kafka_settings, client_id="test-events", logger=None)
        async with broker:
            await broker.connect()
            report = IngestReport(envelope=new_envelope("acme", "tests"), run_id=run_id, documents_seen=7)
            await EventPublisher(broker).publish(INGEST_REPORTS, "acme", report)

    asyncio.run(publish())
    result = subprocess.run(
        [LLMOPS, "events", INGEST_REPORTS, "--bootstrap", kafka_settings.bootstrap_servers],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    ours = [line for line in lines if line["event"].get("run_id") == run_id]
    assert len(ours) == 1
    assert ours[0]["event"]["documents_seen"] == 7
    assert ours[0]["headers"]["event-type"] == "llmops.ingestion.v1.IngestReport"
    assert ours[0]["key"] == "acme"


def test_events_command_refuses_unknown_topics(kafka_settings: KafkaSettings) -> None:
    result = subprocess.run(
        [LLMOPS, "events", "no.such.topic", "--bootstrap", kafka_settings.bootstrap_servers],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not a platform topic" in result.stdout
