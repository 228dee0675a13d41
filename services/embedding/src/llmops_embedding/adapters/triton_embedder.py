"""Embedder backed by Triton's `embedder` ensemble over gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import tritonclient.grpc.aio as triton
from tritonclient.utils import InferenceServerException

from llmops_core.errors import Unavailable
from llmops_core.settings import TritonSettings
from llmops_embedding.domain.embedding import ModelIdentity, length_buckets

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_BATCH = 64  # the ensemble's max_batch_size
# Requests of one call in flight at once: Triton tokenizes the next while the encoder runs the last.
IN_FLIGHT = 2


class TritonEmbedder:
    def __init__(self, settings: TritonSettings, identity: ModelIdentity, batch_size: int = 32) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1-{MAX_BATCH}, the ensemble's max_batch_size")
        self.settings = settings
        self.identity = identity
        self.batch_size = batch_size
        self.client = triton.InferenceServerClient(settings.grpc_url)

    @classmethod
    async def connect(cls, settings: TritonSettings, batch_size: int = 32) -> TritonEmbedder:
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
        return cls(settings, ModelIdentity(MODEL_NAME, version, dimensions), batch_size)

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors in the order of ``texts``, sent as requests of like-length texts (less padding)."""
        vectors: list[list[float]] = [[] for _ in texts]
        slots = asyncio.Semaphore(IN_FLIGHT)

        async def embed_bucket(indexes: list[int]) -> None:
            async with slots:
                embedded = await self._infer([texts[i] for i in indexes])
            for index, vector in zip(indexes, embedded, strict=True):
                vectors[index] = vector

        await asyncio.gather(*(embed_bucket(b) for b in length_buckets(texts, self.batch_size)))
        return vectors

    async def _infer(self, texts: list[str]) -> list[list[float]]:
        batch = np.array([[t.encode()] for t in texts], dtype=object)
        text_input = triton.InferInput("text", list(batch.shape), "BYTES")
        text_input.set_data_from_numpy(batch)
        try:
            result = await self.client.infer(
                self.settings.embedding_model, [text_input], client_timeout=self.settings.timeout_seconds
            )
        except InferenceServerException as error:
            raise Unavailable(f"Triton at {self.settings.grpc_url} could not embed: {error.message()}") from error
        embedded: list[list[float]] = np.asarray(result.as_numpy("embeddings"), dtype=np.float32).tolist()
        return embedded

    async def close(self) -> None:
        await self.client.close()
