"""Embedder backed by Triton's `embedder` ensemble over gRPC."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tritonclient.grpc.aio as triton
from tritonclient.utils import InferenceServerException

from llmops_core.errors import Unavailable
from llmops_core.settings import TritonSettings
from llmops_embedding.domain.embedding import ModelIdentity

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_BATCH = 64  # the ensemble's max_batch_size


class TritonEmbedder:
    def __init__(self, settings: TritonSettings, identity: ModelIdentity) -> None:
        self.settings = settings
        self.identity = identity
        self.client = triton.InferenceServerClient(settings.grpc_url)

    @classmethod
    async def connect(cls, settings: TritonSettings) -> TritonEmbedder:
        """Reads the served model's version and output size from Triton itself."""
        client = triton.InferenceServerClient(settings.grpc_url)
        try:
            metadata = await client.get_model_metadata(settings.embedding_model, as_json=True)
        except InferenceServerException as error:
            raise Unavailable(f"Triton at {settings.grpc_url} has no ready model: {error.message()}") from error
        finally:
            await client.close()
        dimensions = int(metadata["outputs"][0]["shape"][-1])
        version = f"{settings.embedding_model}/{max(metadata['versions'], key=int)}"
        return cls(settings, ModelIdentity(MODEL_NAME, version, dimensions))

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), MAX_BATCH):
            batch = np.array([[t.encode()] for t in texts[start : start + MAX_BATCH]], dtype=object)
            text_input = triton.InferInput("text", list(batch.shape), "BYTES")
            text_input.set_data_from_numpy(batch)
            try:
                result = await self.client.infer(
                    self.settings.embedding_model, [text_input], client_timeout=self.settings.timeout_seconds
                )
            except InferenceServerException as error:
                raise Unavailable(f"Triton at {self.settings.grpc_url} could not embed: {error.message()}") from error
            vectors += np.asarray(result.as_numpy("embeddings"), dtype=np.float32).tolist()
        return vectors

    async def close(self) -> None:
        await self.client.close()
