"""Settings of the query service: env prefix ``LLMOPS_QUERY_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config
from llmops_query.domain.cache import DEFAULT_THRESHOLD, DEFAULT_TTL_SECONDS


class QuerySettings(ServiceSettings):
    model_config = service_config("query")

    service_name: str = "query"
    grpc_port: int = 50051
    # Only for verifying API keys (the platform's key store); the query service keeps no data.
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    guardrails_url: str = "127.0.0.1:50056"
    retrieval_url: str = "127.0.0.1:50054"
    generation_url: str = "127.0.0.1:50055"
    # Named routes of that generation service, small first: the next one is tried when a route
    # fails, times out, cannot take the request or writes a draft that fails the claim check
    # (empty: its default route only). A route that keeps failing is skipped for a while.
    generation_routes: list[str] = Field(default_factory=list)
    # Further generation services, tried after those routes (empty: the next step is an extractive answer).
    fallback_generation_urls: list[str] = Field(default_factory=list)
    # Circuit breaker per route: failures in a row that open it, and how long it stays open.
    route_failures_to_open: int = Field(default=3, ge=1)
    route_open_seconds: float = Field(default=30.0, gt=0)
    embedding_url: str = "127.0.0.1:50053"
    # The model whose vectors retrieval searches: selects the calibrated abstention bars
    # (domain/calibration.json; fitted by `llmops eval calibrate`).
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    default_top_k: int = Field(default=4, ge=1, le=20)
    # A claim (or an extractive sentence) is supported at this support (max of cosine and
    # content-term coverage); calibrated on the scorer's labelled set (docs/decisions/0015).
    claim_min_support: float = Field(default=0.45, ge=0, le=1)
    call_timeout_seconds: float = Field(default=60.0, gt=0)
    # The semantic answer cache (docs/decisions/0026-semantic-cache.md), in this service's schema.
    # Off unless enabled: a hit gives an earlier checked answer (no tokens spent) to a paraphrase.
    answer_cache_enabled: bool = False
    # Search the question as typed while the input guardrail checks it (decision 0028): about one
    # stage less per Ask. Retrieval and embedding then see the unredacted question (they keep none of
    # it); false where only checked, redacted text may leave the query service.
    search_while_checking: bool = True
    schema_name: str = "query"
    # Cosine of MiniLM question vectors; measured by `python -m llmops_stack.cache_bench`.
    answer_cache_threshold: float = Field(default=DEFAULT_THRESHOLD, gt=0, le=1)
    answer_cache_ttl_seconds: float = Field(default=DEFAULT_TTL_SECONDS, gt=0)
    # docs.changes drops the entries that cite a changed or deleted document (one replica each).
    answer_cache_consumer_group: str = "query-answer-cache"
