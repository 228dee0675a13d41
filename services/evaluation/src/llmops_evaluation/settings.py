"""Settings of the evaluation service: env prefix ``LLMOPS_EVALUATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, TritonSettings, service_config


class EvaluationSettings(ServiceSettings):
    model_config = service_config("evaluation")

    service_name: str = "evaluation"
    grpc_port: int = 50057
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    triton: TritonSettings = Field(default_factory=TritonSettings)
    schema_name: str = "evaluation"
    consumer_group: str = "evaluation"
