"""Settings of the ingestion service: env prefix ``LLMOPS_INGESTION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class IngestionSettings(ServiceSettings):
    model_config = service_config("ingestion")

    service_name: str = "ingestion"
    grpc_port: int = 50052
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "ingestion"
    source_roots: list[str] = Field(default_factory=list)
