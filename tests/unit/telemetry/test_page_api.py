"""Who reads the series, answers and traces, who may post spans, and the page itself."""

from __future__ import annotations

import gzip
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

from llmops_telemetry.domain.aggregates import Aggregates, AnswerRow
from llmops_telemetry.domain.traces import TraceStore
from llmops_telemetry.entrypoints.http import build_app, is_loopback
from tests.unit.telemetry.test_bounded_state import Keys, bearer

ACME_TRACE, GLOBEX_TRACE = "a1" * 16, "b2" * 16


def spans_of(trace_id: str, tenant: str | None = None) -> bytes:
    attributes = [KeyValue(key="llmops.tenant.id", value=AnyValue(string_value=tenant))] if tenant else []
    span = Span(trace_id=bytes.fromhex(trace_id), span_id=b"\x01" * 8, name="ask", attributes=attributes)
    return ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=[span])])]
    ).SerializeToString()


def setup() -> tuple[Aggregates, TraceStore, web.Application]:
    aggregates = Aggregates(recent_answers=10, max_tenants=5)
    aggregates.answer("acme", AnswerRow("a1", 0.0, "q", "answered", ACME_TRACE), (3, 4), 0.01, {"retrieval": 12.0})
    aggregates.answer("globex", AnswerRow("g1", 0.0, "q", "refused", GLOBEX_TRACE), (1, 0), 0.0, {})
    aggregates.dead_letter("answers.dlq")
    traces = TraceStore()
    return aggregates, traces, build_app(aggregates, Keys(), "platform", traces)


PROTOBUF = {"Content-Type": "application/x-protobuf"}


async def test_series_and_answers_need_a_key_and_a_tenant_reads_only_itself() -> None:
    aggregates, _, app = setup()
    async with TestClient(TestServer(app)) as client:
        for path in ("/api/series", "/api/answers", "/api/trace"):
            assert (await client.get(path)).status == 401
            assert (await client.get(path, headers=bearer("acme-ask-key"))).status == 403
            assert (await client.get(path, params={"tenant": "globex"}, headers=bearer("acme-key"))).status == 403
        own = await client.get("/api/series", headers=bearer("acme-key"))
        body = await own.json()
        assert own.status == 200 and body["tenant"] == "acme" and sum(body["answers"]) == 1
        assert body["dead_letters"] is None  # the platform's: the operator's only
        assert list(body["latency_ms"]) == ["retrieval"]
        operator = await client.get("/api/series", params={"tenant": "globex"}, headers=bearer("operator-key"))
        assert (await operator.json())["dead_letters"]["answers"][-1] == 1
        answers = await (await client.get("/api/answers", headers=bearer("acme-key"))).json()
        assert [(a["answer_id"], a["trace_id"]) for a in answers["answers"]] == [("a1", ACME_TRACE)]
        for i in range(10):  # reads never create a tenant
            unknown = await client.get("/api/series", params={"tenant": f"nobody-{i}"}, headers=bearer("operator-key"))
            assert unknown.status == 404
        assert (
            await client.get("/api/answers", params={"tenant": "x\n"}, headers=bearer("operator-key"))
        ).status == 400
    assert list(aggregates.tenants) == ["acme", "globex"]


async def test_loopback_posts_spans_without_a_key_and_a_tenant_sees_only_its_answers_traces() -> None:
    _, traces, app = setup()
    async with TestClient(TestServer(app)) as client:
        for trace_id, tenant in ((ACME_TRACE, None), (GLOBEX_TRACE, None), ("c3" * 16, "acme")):
            posted = await client.post("/v1/traces", data=spans_of(trace_id, tenant), headers=PROTOBUF)
            assert posted.status == 200 and posted.content_type == "application/x-protobuf"
        assert (await client.post("/v1/traces", data=b"{}", headers={"Content-Type": "application/json"})).status == 415
        assert (await client.post("/v1/traces", data=b"\xff\xff\xff", headers=PROTOBUF)).status == 400
        zipped = await client.post(
            "/v1/traces", data=gzip.compress(spans_of("e5" * 16)), headers={**PROTOBUF, "Content-Encoding": "gzip"}
        )
        assert zipped.status == 200 and traces.span_count == 4
        own = await client.get("/api/trace", params={"trace_id": ACME_TRACE}, headers=bearer("acme-key"))
        assert own.status == 200 and [s["name"] for s in (await own.json())["spans"]] == ["ask"]
        for trace_id in (GLOBEX_TRACE, "c3" * 16, "d4" * 16):  # not named by an acme answer: 404, never 403
            other = await client.get("/api/trace", params={"trace_id": trace_id}, headers=bearer("acme-key"))
            assert other.status == 404
        operator = await client.get("/api/trace", params={"trace_id": GLOBEX_TRACE}, headers=bearer("operator-key"))
        assert operator.status == 200
        bad = await client.get("/api/trace", params={"trace_id": "nothex"}, headers=bearer("operator-key"))
        assert bad.status == 400


async def test_a_span_naming_another_tenant_is_hidden_in_a_tenants_own_trace() -> None:
    _, _, app = setup()
    async with TestClient(TestServer(app)) as client:
        await client.post("/v1/traces", data=spans_of(ACME_TRACE, "globex"), headers=PROTOBUF)
        hidden = await client.get("/api/trace", params={"trace_id": ACME_TRACE}, headers=bearer("acme-key"))
        assert hidden.status == 404


async def test_spans_from_elsewhere_need_the_operators_admin_key() -> None:
    _, traces, app = setup()

    @web.middleware
    async def from_elsewhere(request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request.clone(remote="10.1.2.3"))
        return response

    app.middlewares.insert(0, from_elsewhere)
    async with TestClient(TestServer(app)) as client:
        body = spans_of(ACME_TRACE)
        assert (await client.post("/v1/traces", data=body, headers=PROTOBUF)).status == 401
        tenant = await client.post("/v1/traces", data=body, headers={**PROTOBUF, **bearer("acme-key")})
        assert tenant.status == 403
        assert traces.span_count == 0
        operator = await client.post("/v1/traces", data=body, headers={**PROTOBUF, **bearer("operator-key")})
        assert operator.status == 200 and traces.span_count == 1


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.9.10")
    assert not is_loopback("10.0.0.1") and not is_loopback(None) and not is_loopback("unix") and not is_loopback("")


async def test_the_page_needs_no_key_holds_no_data_and_allows_only_its_own_script() -> None:
    _, _, app = setup()
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/")
        text = await response.text()
        assert response.status == 200 and response.content_type == "text/html"
        assert "acme" not in text and "data-points" in text and "https://" not in text
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'sha256-" in policy and "unsafe" not in policy and "connect-src 'self'" in policy
        assert response.headers["Referrer-Policy"] == "no-referrer"
