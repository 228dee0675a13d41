"""Settings of the embedding service: env prefix ``LLMOPS_EMBEDDING_`` (see llmops_core.settings)."""

from __future__ import annotations

from pydantic import Field

from llmops_core.settings import ServiceSettings, TritonSettings, service_config


class EmbeddingSettings(ServiceSettings):
    model_config = service_config("embedding")

    service_name: str = "embedding"
    grpc_port: int = 50053
    triton: TritonSettings = Field(default_factory=TritonSettings)
    consumer_group: str = "embedding"
    batch_size: int = Field(default=32, ge=1, le=64)
