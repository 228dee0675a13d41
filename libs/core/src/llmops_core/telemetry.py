"""OpenTelemetry traces and metrics in one call, with W3C propagation.

Context crosses gRPC through the instrumentation interceptors (metadata) and Kafka through the
FastStream telemetry middleware (record headers), both using the global W3C propagator set here.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry import metrics, propagate, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from llmops_core.settings import TelemetrySettings


@dataclass(frozen=True)
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def setup_telemetry(
    service_name: str,
    settings: TelemetrySettings,
    span_processors: list[SpanProcessor] | None = None,
    metric_readers: list[MetricReader] | None = None,
) -> Telemetry:
    """Installs global tracer and meter providers for this process.

    OTLP exporters are added when ``settings.exporter_endpoint`` is set; extra processors and
    readers (the telemetry service's own collection path, tests' in-memory exporters) are added
    as given.
    """
    resource = Resource.create({"service.name": service_name, "service.namespace": "llmops"})
    tracer_provider = TracerProvider(resource=resource)
    readers = list(metric_readers or [])
    if settings.exporter_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.exporter_endpoint)))
        readers.append(
            PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=settings.exporter_endpoint),
                export_interval_millis=settings.metric_export_interval_ms,
            )
        )
    if settings.traces_http_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter

        exporter = HttpSpanExporter(endpoint=settings.traces_http_endpoint, timeout=5)
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    for processor in span_processors or []:
        tracer_provider.add_span_processor(processor)
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    propagate.set_global_textmap(CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()]))
    return Telemetry(tracer_provider, meter_provider)
