"""Settings of the query service: env prefix ``LLMOPS_QUERY_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import ServiceSettings, service_config


class QuerySettings(ServiceSettings):
    model_config = service_config("query")

    service_name: str = "query"
    grpc_port: int = 50051
    guardrails_url: str = "127.0.0.1:50056"
    retrieval_url: str = "127.0.0.1:50054"
    generation_url: str = "127.0.0.1:50055"
    default_top_k: int = Field(default=4, ge=1, le=20)
    # Below this cosine similarity of the best passage the bot says it does not know instead of
    # letting the model improvise (measured on the golden set: see docs/decisions).
    abstain_below_similarity: float = Field(default=0.45, ge=0, le=1)
    call_timeout_seconds: float = Field(default=60.0, gt=0)
