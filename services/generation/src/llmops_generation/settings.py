"""Settings of the generation service: env prefix ``LLMOPS_GENERATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class GenerationSettings(ServiceSettings):
    model_config = service_config("generation")

    service_name: str = "generation"
    grpc_port: int = 50055
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "generation"
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: SecretStr = SecretStr("local")
    llm_model: str = "smollm2-135m-instruct"
