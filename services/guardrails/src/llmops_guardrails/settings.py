"""Settings of the guardrails service: env prefix ``LLMOPS_GUARDRAILS_`` (see llmops_core.settings)."""

from __future__ import annotations

from llmops_core.settings import ServiceSettings, service_config


class GuardrailsSettings(ServiceSettings):
    model_config = service_config("guardrails")

    service_name: str = "guardrails"
    grpc_port: int = 50056
    default_policy: str = "default"
