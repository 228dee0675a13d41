"""Settings of the telemetry service: env prefix ``LLMOPS_TELEMETRY_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class TelemetrySettings(ServiceSettings):
    model_config = service_config("telemetry")

    service_name: str = "telemetry"
    grpc_port: int = 50058
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "telemetry"
    consumer_group: str = "telemetry"
    metrics_port: int = 9464
