"""Telemetry keeps numbers only for tenants that events name, for a bounded number of them, and
its Prometheus labels stay bounded however many tenant ids arrive."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from faststream.kafka import TestKafkaBroker
from prometheus_client import generate_latest

from llmops.query.v1 import query_pb2
from llmops.query.v1.events_pb2 import AnswerProduced, FeedbackGiven
from llmops_core.auth.principal import Principal
from llmops_core.errors import Unauthenticated
from llmops_core.kafka import build_broker, new_envelope
from llmops_core.settings import KafkaSettings
from llmops_core.topics import ANSWERS, FEEDBACK
from llmops_telemetry.adapters.prometheus import OTHER, REGISTRY, BoundedLabels
from llmops_telemetry.domain.aggregates import MAX_STAGES, Aggregates, AnswerRow
from llmops_telemetry.entrypoints import subscribers
from llmops_telemetry.entrypoints.http import build_app
from llmops_telemetry.settings import TelemetrySettings


def answer(aggregates: Aggregates, tenant: str, answer_id: str, stages: dict[str, float] | None = None) -> bool:
    return aggregates.answer(tenant, AnswerRow(answer_id, 0.0, "q", "answered", ""), (1, 2), 0.0, stages or {})


def test_reads_never_create_a_tenant() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=5)
    assert aggregates.find("acme") is None
    assert aggregates.newest_answers("acme") is None
    assert not aggregates.tenants


def test_the_least_recently_active_tenant_is_dropped_beyond_the_cap() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=3)
    for tenant in ("a", "b", "c"):
        answer(aggregates, tenant, f"{tenant}-1")
    answer(aggregates, "a", "a-2")  # a is active again: b is now the least recent
    answer(aggregates, "d", "d-1")
    assert list(aggregates.tenants) == ["c", "a", "d"]
    assert aggregates.find("a") is not None and aggregates.find("a").answers == 2  # type: ignore[union-attr]


def test_ids_no_api_accepts_and_odd_values_get_no_state() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=100)
    assert not answer(aggregates, "acme\n", "x")
    assert not answer(aggregates, "", "x")
    assert not aggregates.feedback("acme", 7)
    assert not aggregates.drift_alert("ACME")
    assert not aggregates.tenants
    answer(aggregates, "acme", "a1", {f"stage{i}": 1.0 for i in range(MAX_STAGES * 3)})
    assert len(aggregates.tenants["acme"].latencies_ms) == MAX_STAGES
    assert aggregates.feedback("acme", -1) and dict(aggregates.tenants["acme"].feedback) == {-1: 1, 0: 0, 1: 0}


def test_labels_beyond_the_limit_share_other() -> None:
    labels = BoundedLabels(2, accept=lambda v: v.isalpha())
    assert [labels(v) for v in ("a", "b", "c", "a", "1")] == ["a", "b", OTHER, "a", OTHER]


class Keys:
    """Two admin keys: the operator's and acme's (the PostgreSQL store is tested in integration)."""

    async def verify(self, key: str) -> Principal:
        tenants = {"operator-key": "platform", "acme-key": "acme", "acme-ask-key": "acme"}
        if key not in tenants:
            raise Unauthenticated("the API key is not valid (unknown, wrong or revoked)")
        return Principal(f"key:{key}", tenants[key], frozenset({"ask"} if "ask" in key else {"admin"}))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_http_needs_an_admin_key_and_a_tenant_reads_only_itself() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=5)
    answer(aggregates, "acme", "a1")
    answer(aggregates, "globex", "g1")
    async with TestClient(TestServer(build_app(aggregates, Keys(), "platform"))) as client:
        assert (await client.get("/metrics")).status == 401
        assert (await client.get("/metrics", headers=bearer("wrong"))).status == 401
        assert (await client.get("/metrics", headers=bearer("acme-key"))).status == 403
        assert (await client.get("/metrics", headers=bearer("operator-key"))).status == 200
        own = await client.get("/api/summary", headers=bearer("acme-key"))  # no ?tenant=: the key's own
        assert own.status == 200 and (await own.json())["tenant"] == "acme"
        other = await client.get("/api/summary", params={"tenant": "globex"}, headers=bearer("acme-key"))
        assert other.status == 403
        scope = await client.get("/api/summary", headers=bearer("acme-ask-key"))
        assert scope.status == 403 and "'admin' scope" in (await scope.json())["error"]
        operator = await client.get("/api/summary", params={"tenant": "globex"}, headers=bearer("operator-key"))
        assert operator.status == 200


async def test_summary_of_an_unknown_tenant_is_404_and_creates_nothing() -> None:
    aggregates = Aggregates(recent_answers=10, max_tenants=5)
    answer(aggregates, "acme", "a1")
    headers = bearer("operator-key")
    async with TestClient(TestServer(build_app(aggregates, Keys(), "platform")), headers=headers) as client:
        known = await client.get("/api/summary", params={"tenant": "acme"})
        assert known.status == 200 and (await known.json())["answers"] == 1
        for i in range(20):
            unknown = await client.get("/api/summary", params={"tenant": f"nobody-{i}"})
            assert unknown.status == 404
        assert "no event has named it" in (await unknown.json())["error"]
        malformed = await client.get("/api/summary", params={"tenant": "acme\n"})
        assert malformed.status == 400 and "1-64 characters" in (await malformed.json())["error"]
        assert (await (await client.get("/api/tenants")).json()) == ["acme"]
    assert list(aggregates.tenants) == ["acme"]


async def test_a_flood_of_tenant_ids_keeps_state_and_labels_bounded() -> None:
    kafka = KafkaSettings()
    settings = TelemetrySettings(kafka=kafka, max_tenants=4, metric_tenants=3, consumer_group="telemetry-unit")
    aggregates = Aggregates(settings.recent_answers, settings.max_tenants)
    broker = build_broker(kafka, client_id="unit", logger=None)
    subscribers.register(broker, aggregates, settings)
    async with TestKafkaBroker(broker) as test_broker:
        for i in range(12):
            tenant = f"flood-{i}"
            event = AnswerProduced(
                envelope=new_envelope(tenant, "tests"), answer_id=f"{tenant}-a", status=query_pb2.ANSWER_STATUS_ANSWERED
            )
            await test_broker.publish(event.SerializeToString(), ANSWERS)
            feedback = FeedbackGiven(envelope=new_envelope(tenant, "tests"), answer_id=f"{tenant}-a", rating=9)
            await test_broker.publish(feedback.SerializeToString(), FEEDBACK)
    assert list(aggregates.tenants) == [f"flood-{i}" for i in range(8, 12)]
    exposed = generate_latest(REGISTRY).decode()
    labelled = {line.split('tenant="')[1].split('"')[0] for line in exposed.splitlines() if 'tenant="flood-' in line}
    assert len(labelled) <= 3
    assert f'llmops_answers_total{{status="answered",tenant="{OTHER}"}}' in exposed
    assert 'rating="9"' not in exposed
