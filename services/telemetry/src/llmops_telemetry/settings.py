"""Settings of the telemetry service: env prefix ``LLMOPS_TELEMETRY_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class TelemetrySettings(ServiceSettings):
    model_config = service_config("telemetry")

    service_name: str = "telemetry"
    grpc_port: int = 50058
    # Only for verifying API keys (the platform's key store); aggregates stay in memory.
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    consumer_group: str = "telemetry"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    # Admin keys of this tenant read every tenant's numbers (/metrics, /api/tenants): the platform
    # operator's, e.g. the key Prometheus scrapes with. Other tenants' admin keys read their own summary.
    operator_tenant: str = "platform"
    recent_answers: int = Field(default=1000, ge=10)
    # Tenants whose numbers are kept in memory; beyond this the least recently active is dropped.
    max_tenants: int = Field(default=1000, ge=1)
    # Tenants with per-minute series of the last 3 hours (at most ~1 MB each), the most recently active.
    series_tenants: int = Field(default=100, ge=1)
    # Spans kept from services' OTLP exports (/v1/traces), whole traces, the least recently written dropped.
    max_spans: int = Field(default=20_000, ge=100)
    # Tenants with a Prometheus label of their own (each costs a series per metric); later ones
    # share the label "(other)".
    metric_tenants: int = Field(default=100, ge=1)
