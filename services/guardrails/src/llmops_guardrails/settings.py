"""Settings of the guardrails service: env prefix ``LLMOPS_GUARDRAILS_`` (see llmops_core.settings)."""

from __future__ import annotations

from pathlib import Path

from llmops_core.settings import ServiceSettings, service_config


class GuardrailsSettings(ServiceSettings):
    model_config = service_config("guardrails")

    service_name: str = "guardrails"
    grpc_port: int = 50056
    default_policy: str = "default"
    # Per-tenant policies (YAML); None means the file shipped in the package (policies.yaml).
    policies_file: Path | None = None
    # The packaged injection classifier; off leaves the injection check to the rules.
    classifier_enabled: bool = True
    jailguard_model_dir: Path = Path.home() / ".cache" / "llmops" / "jailguard"
    # Embedding service for the scope check; empty turns the scope check off.
    embedding_url: str = "127.0.0.1:50053"
    embedding_timeout_seconds: float = 2.0
    # multilingual-e5-small in process for the scope check of mostly non-Latin (Chinese) questions.
    multilingual_scope_enabled: bool = True
