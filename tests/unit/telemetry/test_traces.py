"""OTLP span parsing and the bounded trace store."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from llmops_telemetry.domain.traces import MAX_ATTRIBUTES, MAX_VALUE_CHARS, StoredSpan, TraceStore, parse_export


def export(trace_id: bytes, spans: list[Span], service: str = "query") -> bytes:
    for span in spans:
        span.trace_id = trace_id
    resource = Resource(attributes=[KeyValue(key="service.name", value=AnyValue(string_value=service))])
    request = ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(resource=resource, scope_spans=[ScopeSpans(spans=spans)])]
    )
    return request.SerializeToString()


def stored(trace: int, span: int) -> StoredSpan:
    return StoredSpan(f"{trace:032x}", f"{span:016x}", "", "s", "svc", span, span + 1, "ok", "", {})


def test_parse_keeps_names_parents_status_and_clipped_attributes() -> None:
    attributes = [KeyValue(key=f"k{i}", value=AnyValue(int_value=i)) for i in range(MAX_ATTRIBUTES + 10)]
    attributes[0] = KeyValue(key="long", value=AnyValue(string_value="x" * (MAX_VALUE_CHARS * 2)))
    attributes[1] = KeyValue(key="list", value=AnyValue(array_value=ArrayValue(values=[AnyValue(bool_value=True)])))
    root = Span(span_id=b"\x01" * 8, name="ask", start_time_unix_nano=1_000_000, end_time_unix_nano=5_000_000)
    child = Span(
        span_id=b"\x02" * 8, parent_span_id=b"\x01" * 8, name="retrieval", start_time_unix_nano=2_000_000,
        end_time_unix_nano=3_000_000, status=Status(code=Status.STATUS_CODE_ERROR, message="boom"),
        attributes=attributes,
    )  # fmt: skip
    bad = Span(span_id=b"\x03" * 4, name="invalid id")
    spans = parse_export(export(b"\xab" * 16, [root, child, bad]))
    assert [s.name for s in spans] == ["ask", "retrieval"]
    parent, span = spans
    assert parent.parent_span_id == "" and span.parent_span_id == "01" * 8 and span.trace_id == "ab" * 16
    assert span.service == "query" and span.status == "error" and span.status_message == "boom"
    assert len(span.attributes) == MAX_ATTRIBUTES
    assert len(str(span.attributes["long"])) == MAX_VALUE_CHARS + 1 and span.attributes["list"] == "[True]"
    assert span.to_json()["duration_ms"] == 1.0 and parent.to_json()["parent_span_id"] is None


def test_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        parse_export(b"\xff\xff\xff not protobuf")


def test_the_store_keeps_whole_traces_and_drops_the_least_recently_written() -> None:
    store = TraceStore(max_spans=10, max_spans_per_trace=4)
    assert store.add([stored(1, i) for i in range(6)]) == 2  # over the per-trace limit
    store.add([stored(2, i) for i in range(4)])
    store.add([stored(1, 99)])  # trace 1 is full: dropped, but it is now the most recently written
    store.add([stored(3, 0), stored(3, 1), stored(3, 2)])  # 11 spans: trace 2 (least recent) goes
    assert list(store.traces) == [f"{1:032x}", f"{3:032x}"] and store.span_count == 7
    assert [s.span_id for s in store.trace(f"{1:032x}")] == [f"{i:016x}" for i in range(4)]
    assert store.trace(f"{2:032x}") == []


def test_the_store_never_holds_more_than_max_spans() -> None:
    store = TraceStore(max_spans=100)
    for trace in range(500):
        store.add([stored(trace, i) for i in range(7)])
        assert store.span_count <= 100
    assert store.span_count == sum(len(spans) for spans in store.traces.values())
