"""Settings of the ingestion service: env prefix ``LLMOPS_INGESTION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config

REPO_ROOT = Path(__file__).resolve().parents[4]


class IngestionSettings(ServiceSettings):
    model_config = service_config("ingestion")

    service_name: str = "ingestion"
    grpc_port: int = 50052
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "ingestion"
    source_roots: list[str] = Field(default_factory=list)
    # The embedding model's tokenizer (the file Triton's tokenizer model serves), so chunks are sized
    # in the word pieces the model reads; when it is missing, chunks fall back to an estimate.
    tokenizer_path: Path = REPO_ROOT / "infra" / "triton" / "model_repository" / "tokenizer" / "1" / "tokenizer.json"
    chunk_max_tokens: int = Field(default=200, ge=32, le=512)
    chunk_overlap: float = Field(default=0.15, ge=0.0, le=0.5)
