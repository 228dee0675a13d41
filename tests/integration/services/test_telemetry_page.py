"""The telemetry page end to end, in process: aggregates fed through the subscribers' domain calls,
a real OTLP/HTTP protobuf export of SDK spans posted to ``/v1/traces``, the JSON APIs, and (when a
Chromium is installed) the page rendered headless: every chart has data and the trace waterfall has
spans. tests/e2e renders the same page of a running platform and writes docs/telemetry-page.png."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from llmops_core.auth.principal import Principal
from llmops_core.errors import Unauthenticated
from llmops_telemetry.domain.aggregates import Aggregates, AnswerRow
from llmops_telemetry.domain.traces import TraceStore
from llmops_telemetry.entrypoints.http import build_app
from tests.chromium import chromium, chromium_binary

STAGES = ("guardrails", "retrieval", "generation")


class Keys:
    async def verify(self, key: str) -> Principal:
        tenants = {"operator-key": "platform", "acme-key": "acme"}
        if key not in tenants:
            raise Unauthenticated("the API key is not valid (unknown, wrong or revoked)")
        return Principal(f"key:{key}", tenants[key], frozenset({"admin"}))


def record_ask(exporter: InMemorySpanExporter, providers: dict[str, TracerProvider], i: int) -> str:
    """One ask's spans across the services, as their SDKs would make them; returns the trace id."""
    with providers["query"].get_tracer("query").start_as_current_span("ask") as root:
        root.set_attribute("llmops.tenant.id", "acme")
        for stage in STAGES:
            with providers[stage].get_tracer(stage).start_as_current_span(f"{stage}.call") as span:
                span.set_attribute("llmops.stage", stage)
                time.sleep(0.001 * (i % 3 + 1))
        with providers["query"].get_tracer("query").start_as_current_span("answers publish"):
            pass
        with providers["evaluation"].get_tracer("evaluation").start_as_current_span("evaluation.score"):
            pass
    return format(root.get_span_context().trace_id, "032x")


def feed(aggregates: Aggregates, trace_ids: list[str]) -> None:
    now = time.time()
    for i, trace_id in enumerate(trace_ids):
        at = now - (len(trace_ids) - i) * 90  # spread over the last hour or so
        status = ("answered", "answered", "abstained", "refused")[i % 4]
        stages = {stage: 10.0 * (n + 1) + i for n, stage in enumerate(STAGES)}
        row = AnswerRow(f"answer-{i}", at, "question?", status, trace_id)
        assert aggregates.answer("acme", row, (100 + i, 40), 0.002, stages)
        assert aggregates.scored("acme", row.answer_id, 0.6 + 0.01 * i, i % 5 == 0, at + 5)
    aggregates.drift_alert("acme", now - 600)
    aggregates.dead_letter("answers.dlq", now - 300)
    aggregates.dead_letter("docs.sources.dlq", now - 60)


async def test_the_page_shows_series_answers_and_a_trace_waterfall() -> None:
    exporter = InMemorySpanExporter()
    providers = {}
    for service in ("query", "evaluation", *STAGES):
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        providers[service] = provider
    trace_ids = [record_ask(exporter, providers, i) for i in range(40)]
    aggregates, traces = Aggregates(recent_answers=100, max_tenants=10), TraceStore()
    feed(aggregates, trace_ids)
    app = build_app(aggregates, Keys(), "platform", traces)

    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        finished: list[ReadableSpan] = list(exporter.get_finished_spans())
        export = encode_spans(finished).SerializeToString()  # what the OTLP/HTTP exporter sends
        posted = await client.post("/v1/traces", data=export, headers={"Content-Type": "application/x-protobuf"})
        assert posted.status == 200 and traces.span_count == len(finished) == 40 * 6

        headers = {"Authorization": "Bearer acme-key"}
        answers = (await (await client.get("/api/answers", headers=headers)).json())["answers"]
        assert len(answers) == 40 and answers[0]["trace_id"] == trace_ids[-1]
        spans = await (await client.get("/api/trace", params={"trace_id": trace_ids[-1]}, headers=headers)).json()
        names = [s["name"] for s in spans["spans"]]
        assert names[0] == "ask" and {"retrieval.call", "generation.call", "evaluation.score"} <= set(names)
        services = {s["service"] for s in spans["spans"]}
        assert services == {"query", "evaluation", *STAGES}
        root = spans["spans"][0]["span_id"]
        assert all(s["parent_span_id"] == root for s in spans["spans"][1:])
        series = await (await client.get("/api/series", headers=headers)).json()
        assert sum(series["answers"]) == 40 and set(series["latency_ms"]) == set(STAGES)

        binary = chromium_binary()
        url = f"http://127.0.0.1:{client.port}/#key=operator-key&tenant=acme"
        dom = await chromium(binary, "--dump-dom", url)
        charts = dict(re.findall(r'<svg id="([\w-]+)" class="chart"[^>]*data-points="(\d+)"', dom))
        expected = {"chart-answers", "chart-quality", "chart-tokens", "chart-cost", "chart-drift", "chart-dlq"}
        assert expected | {f"chart-latency-{s}" for s in STAGES} <= set(charts), dom[-3000:]
        assert all(int(n) > 0 for n in charts.values()), charts
        waterfall = re.search(r'<svg id="waterfall"[^>]*data-points="(\d+)"', dom)
        assert waterfall is not None and int(waterfall.group(1)) == 6, dom[-3000:]
        assert "operator-key" not in dom  # the key is kept in sessionStorage, not in the page

        with tempfile.TemporaryDirectory() as folder:  # docs/telemetry-page.png comes from the e2e run
            shot = Path(folder) / "page.png"
            await chromium(binary, f"--screenshot={shot}", "--window-size=1400,1800", "--hide-scrollbars", url)
            assert shot.stat().st_size > 10_000
