"""The last spans the services exported (OTLP), grouped by trace, in memory.

Bounded: at most ``max_spans`` spans in all (the least recently written trace goes first), at most
``max_spans_per_trace`` per trace (later ones are dropped), ``MAX_ATTRIBUTES`` attributes per span
and ``MAX_VALUE_CHARS`` characters per string.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

MAX_ATTRIBUTES = 64
MAX_VALUE_CHARS = 1024
# Attributes naming the tenant a span was made for (services may set either).
TENANT_ATTRIBUTES = ("llmops.tenant.id", "llmops.tenant", "tenant.id", "tenant_id")
STATUS_NAMES = {0: "unset", 1: "ok", 2: "error"}

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class StoredSpan:
    trace_id: str  # 32 hex digits
    span_id: str  # 16 hex digits
    parent_span_id: str  # "" for a root span
    name: str
    service: str
    start_ns: int
    end_ns: int
    status: str
    status_message: str
    attributes: dict[str, Scalar]

    @property
    def tenant(self) -> str | None:
        for key in TENANT_ATTRIBUTES:
            value = self.attributes.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id or None,
            "name": self.name,
            "service": self.service,
            "start_unix_nano": self.start_ns,
            "duration_ms": max(0, self.end_ns - self.start_ns) / 1e6,
            "status": self.status,
            "status_message": self.status_message,
            "attributes": self.attributes,
        }


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _value(value: AnyValue) -> Scalar:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return _clip(value.string_value)
    if kind in ("bool_value", "int_value", "double_value"):
        scalar: bool | int | float = getattr(value, kind)
        return scalar
    if kind == "array_value":
        return _clip(repr([_value(v) for v in value.array_value.values[:MAX_ATTRIBUTES]]))
    if kind == "bytes_value":
        return _clip(value.bytes_value.hex())
    if kind == "kvlist_value":
        return _clip(repr({kv.key: _value(kv.value) for kv in value.kvlist_value.values[:MAX_ATTRIBUTES]}))
    return None


def _attributes(pairs: list[KeyValue]) -> dict[str, Scalar]:
    return {_clip(kv.key): _value(kv.value) for kv in pairs[:MAX_ATTRIBUTES]}


def parse_export(body: bytes) -> list[StoredSpan]:
    """The spans of an OTLP ``ExportTraceServiceRequest``; raises ``google.protobuf.message.DecodeError``."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        resource = _attributes(list(resource_spans.resource.attributes))
        service = str(resource.get("service.name") or "unknown")
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                if len(span.trace_id) != 16 or len(span.span_id) != 8:
                    continue  # invalid ids (OTLP requires 16 and 8 bytes)
                spans.append(
                    StoredSpan(
                        span.trace_id.hex(), span.span_id.hex(), span.parent_span_id.hex(), _clip(span.name),
                        _clip(service), span.start_time_unix_nano, span.end_time_unix_nano,
                        STATUS_NAMES.get(span.status.code, "unset"), _clip(span.status.message),
                        _attributes(list(span.attributes)),
                    )
                )  # fmt: skip
    return spans


class TraceStore:
    def __init__(self, max_spans: int = 20_000, max_spans_per_trace: int = 2_000) -> None:
        self.max_spans = max_spans
        self.max_spans_per_trace = min(max_spans_per_trace, max_spans)
        self.traces: OrderedDict[str, list[StoredSpan]] = OrderedDict()  # least recently written first
        self.span_count = 0

    def add(self, spans: list[StoredSpan]) -> int:
        """Stores the spans; returns how many were dropped (over the per-trace limit)."""
        dropped = 0
        for span in spans:
            kept = self.traces.get(span.trace_id)
            if kept is None:
                kept = self.traces[span.trace_id] = []
            else:
                self.traces.move_to_end(span.trace_id)
            if len(kept) >= self.max_spans_per_trace:
                dropped += 1
                continue
            kept.append(span)
            self.span_count += 1
            while self.span_count > self.max_spans:
                _, evicted = self.traces.popitem(last=False)
                self.span_count -= len(evicted)
        return dropped

    def trace(self, trace_id: str) -> list[StoredSpan]:
        """The trace's spans by start time ([] when none is kept); a read changes no order."""
        return sorted(self.traces.get(trace_id.lower(), []), key=lambda s: (s.start_ns, s.end_ns))
