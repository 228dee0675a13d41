"""JSON for the page (series, recent answers, one trace) and the OTLP/HTTP traces receiver.

The key middleware (entrypoints/http.py) has already checked the key and put the tenant it may
read in ``request[TENANT]`` and whether it is the operator's in ``request[OPERATOR]``.
"""

from __future__ import annotations

import re

from aiohttp import web
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from llmops_core.validation import is_tenant_id
from llmops_telemetry.domain.aggregates import Aggregates, unknown_tenant
from llmops_telemetry.domain.series import TenantSeries
from llmops_telemetry.domain.traces import TraceStore, parse_export

OTLP_PATH = "/v1/traces"
PROTOBUF = "application/x-protobuf"
# One OTLP export (a batch of at most 512 spans by default) is far below this.
MAX_EXPORT_BYTES = 8 * 1024 * 1024
MAX_ANSWERS = 1000
TRACE_ID = re.compile(r"[0-9a-f]{32}")
# Set by the key middleware: the tenant the key may read here ("" on paths without one), and
# whether the key is the operator tenant's.
TENANT = web.RequestKey("tenant", str)
OPERATOR = web.RequestKey("operator", bool)


def _bad(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _tenant(request: web.Request) -> str | web.Response:
    tenant = str(request.get(TENANT) or "")
    if not tenant:
        return _bad("pass ?tenant=<tenant id>")
    if not is_tenant_id(tenant):
        return _bad("tenant must be 1-64 characters of a-z, 0-9, '_' or '-'")
    return tenant


def routes(aggregates: Aggregates, traces: TraceStore) -> list[web.RouteDef]:
    async def api_series(request: web.Request) -> web.Response:
        tenant = _tenant(request)
        if isinstance(tenant, web.Response):
            return tenant
        if aggregates.find(tenant) is None:  # never made here: a read must not grow memory
            return _bad(unknown_tenant(tenant), 404)
        series = aggregates.series(tenant) or TenantSeries()  # a throwaway empty one, not kept
        body = {"tenant": tenant, **series.to_json()}
        # Dead letters are the platform's (a dead letter may not name its tenant): the operator's only.
        body["dead_letters"] = aggregates.dead_letters.to_json() if request[OPERATOR] else None
        return web.json_response(body)

    async def api_answers(request: web.Request) -> web.Response:
        tenant = _tenant(request)
        if isinstance(tenant, web.Response):
            return tenant
        try:
            limit = min(MAX_ANSWERS, max(1, int(request.query.get("limit", "100"))))
        except ValueError:
            return _bad("limit must be a number")
        rows = aggregates.newest_answers(tenant)
        if rows is None:
            return _bad(unknown_tenant(tenant), 404)
        return web.json_response(
            {
                "tenant": tenant,
                "answers": [
                    {
                        "answer_id": row.answer_id, "occurred_at": row.occurred_at, "status": row.status,
                        "groundedness": row.groundedness, "hallucinated": row.hallucinated,
                        "trace_id": row.trace_id or None,
                    }
                    for row in rows[:limit]
                ],
            }
        )  # fmt: skip

    async def api_trace(request: web.Request) -> web.Response:
        trace_id = request.query.get("trace_id", "").strip().lower()
        if not TRACE_ID.fullmatch(trace_id):
            return _bad("pass ?trace_id=<32 hex digits>")
        spans = traces.trace(trace_id)
        if not request[OPERATOR]:
            # A tenant sees a trace its own answers name (the answers topic says whose it is), and in
            # it no span that names another tenant.
            tenant = _tenant(request)
            if isinstance(tenant, web.Response):
                return tenant
            owned = {row.trace_id for row in aggregates.newest_answers(tenant) or []}
            spans = [s for s in spans if trace_id in owned and s.tenant in (None, tenant)]
        if not spans:
            return _bad(f"no spans kept for trace {trace_id} that this key may read", 404)
        return web.json_response({"trace_id": trace_id, "spans": [s.to_json() for s in spans]})

    async def otlp_traces(request: web.Request) -> web.Response:
        if request.content_type != PROTOBUF:
            return _bad(f"send OTLP/HTTP protobuf ({PROTOBUF}); JSON is not accepted", 415)
        try:
            spans = parse_export(await request.read())
        except DecodeError:
            return _bad("the body is not an OTLP ExportTraceServiceRequest")
        response = ExportTraceServiceResponse()
        dropped = traces.add(spans)
        if dropped:
            response.partial_success.rejected_spans = dropped
            response.partial_success.error_message = "over the spans kept per trace"
        return web.Response(body=response.SerializeToString(), content_type=PROTOBUF)

    return [
        web.get("/api/series", api_series),
        web.get("/api/answers", api_answers),
        web.get("/api/trace", api_trace),
        web.post(OTLP_PATH, otlp_traces),
    ]
