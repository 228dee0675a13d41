"""Settings of the telemetry service: env prefix ``LLMOPS_TELEMETRY_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import ServiceSettings, service_config


class TelemetrySettings(ServiceSettings):
    model_config = service_config("telemetry")

    service_name: str = "telemetry"
    grpc_port: int = 50058
    consumer_group: str = "telemetry"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    recent_answers: int = Field(default=1000, ge=10)
