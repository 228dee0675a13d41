"""Settings of the evaluation service: env prefix ``LLMOPS_EVALUATION_`` (see llmops_core.settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config
from llmops_evaluation.domain.tenant_drift import DriftConfig


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
    # Per-tenant drift policies (YAML); None means the file shipped in the package (drift_policies.yaml).
    drift_policies_file: Path | None = None
    # Answers each rate signal learns its reference from (after start or an operator's relearn).
    drift_rate_baseline: int = Field(default=1000, ge=20)
    # Observations of the hallucination rate between false alarms (average run length in control);
    # the other signals get ten times this (docs/decisions/0022).
    drift_hallucination_arl0: float = Field(default=20_000, ge=100)

    def drift_config(self) -> DriftConfig:
        return DriftConfig(
            rate_reference_size=self.drift_rate_baseline,
            hallucination_arl0=self.drift_hallucination_arl0,
            arl0=10 * self.drift_hallucination_arl0,
        )
