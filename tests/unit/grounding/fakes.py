"""A bag-of-words embedder: similar wording, similar vector (stands in for MiniLM in unit tests)."""

from __future__ import annotations

import re
from collections.abc import Sequence

TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


class WordOverlapEmbedder:
    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        tokens = [set(TOKEN.findall(t.lower())) for t in texts]
        vocabulary = sorted(set().union(*tokens))
        return [[float(w in own) + 1e-6 for w in vocabulary] for own in tokens]
