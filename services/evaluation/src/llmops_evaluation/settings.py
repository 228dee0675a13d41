"""Settings of the evaluation service: env prefix ``LLMOPS_EVALUATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class EvaluationSettings(ServiceSettings):
    model_config = service_config("evaluation")

    service_name: str = "evaluation"
    grpc_port: int = 50057
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "evaluation"
    consumer_group: str = "evaluation"
    embedding_url: str = "127.0.0.1:50053"
    query_url: str = "127.0.0.1:50051"
    # Folder of golden-question suites, one <name>.yaml each, for RunSuite.
    suites_dir: str = "corpus"
    suite_score_wait_seconds: float = Field(default=60.0, ge=0)
    # A claim is supported at this support (max of MiniLM cosine and content-term coverage):
    # the same bar as the query service's check, fitted by `llmops eval scorer` (docs/decisions/0015).
    claim_min_support: float = Field(default=0.45, ge=0, le=1)
    drift_reference_size: int = Field(default=30, ge=5)
    drift_current_size: int = Field(default=30, ge=5)
    drift_alpha: float = Field(default=0.01, gt=0, lt=1)
    # Tenants whose drift is watched in memory; beyond this the one scored least recently is dropped.
    drift_max_tenants: int = Field(default=1000, ge=1)
