"""HTTP for dashboards: Prometheus ``/metrics``, the same numbers as JSON under ``/api``, the page at
``/`` (no data in it) and the OTLP/HTTP traces receiver ``/v1/traces`` (docs/decisions/0024)."""

from __future__ import annotations

import ipaddress
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from llmops_core.auth.interceptors import KeyVerifier
from llmops_core.errors import DomainError
from llmops_core.validation import is_tenant_id
from llmops_telemetry.adapters.prometheus import REGISTRY
from llmops_telemetry.domain.aggregates import Aggregates, TenantAggregates, unknown_tenant
from llmops_telemetry.domain.traces import TraceStore
from llmops_telemetry.entrypoints import api, page

# Read with ``?tenant=`` (default: the key's own tenant); a tenant's key reads only its own.
TENANT_PATHS = frozenset({"/api/summary", "/api/series", "/api/answers", "/api/trace"})
PUBLIC_PATHS = frozenset({"/", "/favicon.ico"})


def summary(tenant: str, t: TenantAggregates) -> dict[str, object]:
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
        "cache_hits": t.cache_hits,
        "feedback": {str(k): v for k, v in t.feedback.items()},
        "latency_ms": {stage: {"p50": p50, "p95": p95} for stage, (p50, p95) in t.latency_percentiles().items()},
        "by_prompt_and_route": [
            {
                "prompt": prompt,
                "route": route,
                "answers": int(n),
                "cost_usd": cost,
                "input_tokens": int(i),
                "output_tokens": int(o),
            }
            for (prompt, route), (n, cost, i, o) in sorted(t.by_prompt_route.items())
        ],
    }


def _error(status: int, message: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="llmops telemetry"'} if status == 401 else None
    return web.json_response({"error": message}, status=status, headers=headers)


def is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote.split("%")[0]).is_loopback
    except ValueError:
        return False


def key_middleware(keys: KeyVerifier, operator_tenant: str) -> Any:
    """Admin keys only: a tenant's key reads its own summary, series, answers and traces; the operator
    tenant's key reads all tenants (``/metrics``, ``/api/tenants``), which is what Prometheus scrapes
    with. The page needs no key (it holds no data); ``/v1/traces`` takes spans from a loopback
    address without a key, from elsewhere only with an operator admin key."""

    @web.middleware
    async def check(request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        if request.path in PUBLIC_PATHS or (request.path == api.OTLP_PATH and is_loopback(request.remote)):
            response: web.StreamResponse = await handler(request)
            return response
        if not header.startswith("Bearer "):
            return _error(401, "send an admin API key: 'Authorization: Bearer <key>'")
        try:
            principal = await keys.verify(header[7:].strip())
        except DomainError as error:
            return _error(401, str(error))
        if "admin" not in principal.scopes:
            return _error(403, "telemetry needs an API key with the 'admin' scope")
        asked = request.query.get("tenant", principal.tenant_id) if request.path in TENANT_PATHS else None
        operator = principal.tenant_id == operator_tenant
        if not operator and asked != principal.tenant_id:
            return _error(403, f"this key reads tenant {principal.tenant_id!r} only (its own /api/summary)")
        request[api.TENANT] = asked or ""
        request[api.OPERATOR] = operator
        response = await handler(request)
        return response

    return check


def build_app(
    aggregates: Aggregates, keys: KeyVerifier, operator_tenant: str, traces: TraceStore | None = None
) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def api_summary(request: web.Request) -> web.Response:
        tenant = str(request.get(api.TENANT) or "")
        if not tenant:
            return web.json_response({"error": "pass ?tenant=<tenant id>"}, status=400)
        if not is_tenant_id(tenant):
            return web.json_response({"error": "tenant must be 1-64 characters of a-z, 0-9, '_' or '-'"}, status=400)
        numbers = aggregates.find(tenant)
        if numbers is None:  # never made here: a read must not grow memory
            return web.json_response({"error": unknown_tenant(tenant)}, status=404)
        return web.json_response(summary(tenant, numbers))

    async def api_tenants(request: web.Request) -> web.Response:
        return web.json_response(sorted(aggregates.tenants))

    app = web.Application(middlewares=[key_middleware(keys, operator_tenant)], client_max_size=api.MAX_EXPORT_BYTES)
    app.add_routes(
        [web.get("/metrics", metrics), web.get("/api/summary", api_summary), web.get("/api/tenants", api_tenants)]
    )
    app.add_routes(api.routes(aggregates, traces if traces is not None else TraceStore()))
    app.add_routes(page.routes())
    return app
