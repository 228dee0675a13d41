"""HTTP for dashboards: Prometheus ``/metrics`` and the same numbers as JSON under ``/api``."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from llmops_telemetry.adapters.prometheus import REGISTRY
from llmops_telemetry.domain.aggregates import Aggregates


def summary(aggregates: Aggregates, tenant: str) -> dict[str, object]:
    t = aggregates.tenants[tenant]
    return {
        "tenant": tenant,
        "answers": t.answers,
        "refusals": t.refusals,
        "abstentions": t.abstentions,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "cost_usd": t.cost_usd,
        "scored": t.scored,
        "hallucination_rate": t.hallucination_rate,
        "drift_alerts": t.drift_alerts,
        "feedback": {str(k): v for k, v in t.feedback.items()},
        "latency_ms": {stage: {"p50": p50, "p95": p95} for stage, (p50, p95) in t.latency_percentiles().items()},
    }


def build_app(aggregates: Aggregates) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def api_summary(request: web.Request) -> web.Response:
        tenant = request.query.get("tenant", "")
        if not tenant:
            return web.json_response({"error": "pass ?tenant=<tenant id>"}, status=400)
        return web.json_response(summary(aggregates, tenant))

    async def api_tenants(request: web.Request) -> web.Response:
        return web.json_response(sorted(aggregates.tenants))

    app = web.Application()
    app.add_routes(
        [web.get("/metrics", metrics), web.get("/api/summary", api_summary), web.get("/api/tenants", api_tenants)]
    )
    return app
