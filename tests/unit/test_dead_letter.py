"""The consumer reliability policy over FastStream's in-memory broker: retries, deadline, DLQ, replay addressing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.message import StreamMessage

from llmops_core.kafka import PermanentError, PoisonRecords, build_broker, consumer_options
from llmops_core.kafka.dead_letter import (
    HEADER_ATTEMPTS,
    HEADER_ERROR,
    HEADER_ERROR_TYPE,
    HEADER_GROUP,
    HEADER_ORIGIN,
    Backoff,
)
from llmops_core.kafka.delivery import HEADER_REPLAY_GROUP
from llmops_core.settings import KafkaSettings

TOPIC = "orders"
GROUP = "billing"
SETTINGS = KafkaSettings(retry_initial_seconds=0.01, retry_max_interval_seconds=0.05, retry_deadline_seconds=0.4)


async def as_message(msg: StreamMessage[Any]) -> StreamMessage[Any]:
    return msg


def broker_with_dlq(dead: list[StreamMessage[Any]]) -> KafkaBroker:
    broker = build_broker(SETTINGS, client_id="unit", logger=None)

    @broker.subscriber(f"{TOPIC}.dlq", group_id="dlq-reader", decoder=as_message)
    async def collect(msg: StreamMessage[Any]) -> None:
        dead.append(msg)

    return broker


async def test_transient_errors_are_retried_until_the_handler_succeeds() -> None:
    dead: list[StreamMessage[Any]] = []
    broker = broker_with_dlq(dead)
    calls: list[bytes] = []

    @broker.subscriber(TOPIC, group_id=GROUP, **consumer_options(SETTINGS))
    async def handle(body: bytes) -> None:
        calls.append(body)
        if len(calls) < 3:
            raise ConnectionError("Postgres is restarting")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(b"order-1", TOPIC)

    assert calls == [b"order-1"] * 3
    assert dead == []


async def test_past_the_deadline_the_record_is_dead_lettered_with_group_and_reason() -> None:
    dead: list[StreamMessage[Any]] = []
    broker = broker_with_dlq(dead)
    calls = 0

    @broker.subscriber(TOPIC, group_id=GROUP, **consumer_options(SETTINGS))
    async def handle(body: bytes) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("Triton is unreachable")

    async with TestKafkaBroker(broker) as test_broker:
        started = time.monotonic()
        await test_broker.publish(b"order-2", TOPIC, key=b"k", headers={"tenant-id": "acme"})
        elapsed = time.monotonic() - started

    assert calls > 2, "backoff starts small, so several attempts fit in the deadline"
    assert elapsed < SETTINGS.retry_deadline_seconds + 0.3, "dead-lettered within the deadline"
    assert len(dead) == 1
    headers = dead[0].headers
    assert dead[0].body == b"order-2"
    assert headers[HEADER_GROUP] == GROUP
    assert headers[HEADER_ERROR] == "Triton is unreachable"
    assert headers[HEADER_ERROR_TYPE] == "ConnectionError"
    assert headers[HEADER_ATTEMPTS] == str(calls)
    assert headers[HEADER_ORIGIN].startswith(f"{TOPIC}/0/")
    assert headers["tenant-id"] == "acme", "the original headers travel with the dead letter"


async def test_permanent_error_is_dead_lettered_at_once() -> None:
    dead: list[StreamMessage[Any]] = []
    broker = broker_with_dlq(dead)
    calls = 0

    @broker.subscriber(TOPIC, group_id=GROUP, **consumer_options(SETTINGS))
    async def handle(body: bytes) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("order has no lines")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(b"order-3", TOPIC)

    assert calls == 1
    assert [(m.headers[HEADER_ATTEMPTS], m.headers[HEADER_ERROR]) for m in dead] == [("1", "order has no lines")]


async def test_batch_poison_records_alone_go_to_the_dlq() -> None:
    dead: list[StreamMessage[Any]] = []
    broker = broker_with_dlq(dead)
    processed: list[bytes] = []
    calls = 0

    @broker.subscriber(TOPIC, group_id=GROUP, batch=True, decoder=as_message, **consumer_options(SETTINGS))
    async def handle(msg: StreamMessage[Any]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("Triton is unreachable")  # the whole batch is retried
        good = [r for r in msg.raw_message if r.value != b"poison"]
        processed.extend(r.value for r in good)
        raise PoisonRecords([(r, PermanentError("not an order")) for r in msg.raw_message if r.value == b"poison"])

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(b"a", b"poison", b"b", topic=TOPIC)

    assert calls == 2
    assert processed == [b"a", b"b"]
    assert [m.body for m in dead] == [b"poison"]
    assert dead[0].headers[HEADER_ERROR] == "not an order"
    assert dead[0].headers[HEADER_GROUP] == GROUP


async def test_batch_failing_past_the_deadline_dead_letters_every_record() -> None:
    dead: list[StreamMessage[Any]] = []
    broker = broker_with_dlq(dead)

    @broker.subscriber(TOPIC, group_id=GROUP, batch=True, **consumer_options(SETTINGS))
    async def handle(bodies: list[bytes]) -> None:
        raise ConnectionError("Postgres is down")

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish_batch(b"a", b"b", topic=TOPIC)

    assert sorted(m.body for m in dead) == [b"a", b"b"]


@pytest.mark.parametrize("batch", [False, True])
async def test_replays_addressed_to_another_group_are_skipped(batch: bool) -> None:
    broker = build_broker(SETTINGS, client_id="unit", logger=None)
    seen: list[bytes] = []

    @broker.subscriber(TOPIC, group_id=GROUP, batch=batch, decoder=as_message, **consumer_options(SETTINGS))
    async def handle(msg: StreamMessage[Any]) -> None:
        records = msg.raw_message if batch else (msg.raw_message,)
        seen.extend(r.value for r in records)

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(b"for-us", TOPIC, headers={HEADER_REPLAY_GROUP: GROUP})
        await test_broker.publish(b"for-search", TOPIC, headers={HEADER_REPLAY_GROUP: "search"})
        await test_broker.publish(b"fresh", TOPIC)

    assert seen == [b"for-us", b"fresh"]


def test_backoff_grows_with_full_jitter_up_to_the_cap() -> None:
    backoff = Backoff(initial_seconds=0.2, max_interval_seconds=10, deadline_seconds=120)
    retrying = backoff.retrying()
    waits = [retrying.wait(_state(attempt)) for attempt in range(1, 12) for _ in range(50)]
    assert all(0 <= wait <= 10 for wait in waits)
    assert max(waits[:50]) <= 0.2
    assert max(waits[-50:]) > 5, "late waits reach towards the cap"
    assert len(set(waits[-50:])) > 40, "jittered, so consumers do not retry in step"


def test_settings_reject_a_cap_below_the_first_wait() -> None:
    with pytest.raises(ValueError, match="retry_max_interval_seconds"):
        KafkaSettings(retry_initial_seconds=5, retry_max_interval_seconds=1)


def _state(attempt: int) -> Any:
    class State:
        attempt_number = attempt

    return State()
