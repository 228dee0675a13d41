"""Settings of the retrieval service: env prefix ``LLMOPS_RETRIEVAL_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import PostgresSettings, ServiceSettings, service_config


class RetrievalSettings(ServiceSettings):
    model_config = service_config("retrieval")

    service_name: str = "retrieval"
    grpc_port: int = 50054
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    schema_name: str = "retrieval"
    consumer_group: str = "retrieval-indexer"
    embedding_url: str = "127.0.0.1:50053"
    # Vector search reads only vectors this model made: after a model change, chunks are re-embedded
    # rather than compared across two models' spaces (their cosines mean different things).
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    # HNSW candidate list per scan pass (pgvector's hnsw.ef_search, default 40). Measured at 5,016 chunks
    # (docs/decisions/0033, python -m llmops_stack.search_tuning): no value reached recall 0.99; 200 had the best
    # recall (0.943 at top-k on the tuning half, 0.926 held out, against 0.887 / 0.907 at 40) for +0.3 ms p50.
    hnsw_ef_search: int = Field(default=200, ge=1, le=1000)
