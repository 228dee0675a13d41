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
    # Every document's chunks are screened there for personal data before anything is published.
    guardrails_url: str = "127.0.0.1:50056"
    # SyncSource fetches only URLs that start with one of these (empty: no URL sources), so a
    # caller cannot make the service read internal addresses it was not meant to.
    allowed_url_prefixes: list[str] = Field(default_factory=list)
    # The embedding model's tokenizer (the file Triton's tokenizer model serves), so chunks are sized
    # in the word pieces the model reads; when it is missing, chunks fall back to an estimate.
    tokenizer_path: Path = REPO_ROOT / "infra" / "triton" / "model_repository" / "tokenizer" / "1" / "tokenizer.json"
    chunk_max_tokens: int = Field(default=200, ge=32, le=512)
    chunk_overlap: float = Field(default=0.15, ge=0.0, le=0.5)
    # JSON and JSONL records: the fields whose text is indexed (every one present, in this order;
    # dotted paths reach into nested objects), as in reading.FormatOptions, whose defaults these repeat.
    json_text_fields: list[str] = Field(default_factory=lambda: ["text", "content", "body"], min_length=1)
    # The field (or dotted path) whose value titles a JSON record and heads its section.
    json_title_field: str = "title"
    # Files larger than this are skipped by the directory and HTTP sources, with a reason, before
    # they are read into memory (a 2 GB log dropped in a docs folder must not stop a sync).
    max_file_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
