"""Is a question about what the tenant's assistant is for? Embedding similarity, no request lists.

The tenant states its purpose in plain words ("customer service for an outdoor-gear retailer:
orders, shipping, returns, ..."). The purpose sentence and each topic it lists are embedded; a
question's purpose similarity is its best cosine against them, because a short question ("Where
is my parcel?") is close to one topic, not to the whole sentence. A question is out of scope only
when it is far from the purpose AND far from the tenant's corpus (the best retrieval cosine, when
the caller has one), so a question about a product the purpose does not name still passes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class Embedder(Protocol):
    """Unit-length sentence vectors; llmops_core.embedding_client.EmbeddingClient is one."""

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


# What a question is about is in its opening words; the rest of a long message is detail (order
# numbers, a story) that dilutes the mean-pooled vector and costs encoder time in proportion. Every
# scope-labelled question in tests/data/guardrails_labelled.jsonl has at most 32 words, so the bars
# were fitted on whole questions of this length.
SCOPE_WORDS = 32
SCOPE_CHARS = 320  # bounds text without spaces (a URL, a pasted blob) as well
# Chinese has no spaces and about one word per character or two: the opening 64 characters.
SCOPE_CJK_CHARS = 64


@dataclass(frozen=True)
class ScopeBars:
    min_purpose_similarity: float
    min_corpus_similarity: float


def purpose_topics(purpose: str) -> list[str]:
    """The purpose sentence, its head ("customer service for an outdoor-gear retailer") and each
    listed topic ("orders", "the products it sells")."""
    head, _, listed = purpose.replace("：", ":").partition(":")
    parts = [purpose.strip(), head.strip()]
    for topic in re.split(r"[,;、，；]|\band\b|\bor\b|和|及|与|與", listed):
        cleaned = topic.strip(" .。")
        if cleaned:
            parts.append(cleaned)
    return list(dict.fromkeys(p for p in parts if p))


def question_head(text: str, max_chars: int = SCOPE_CHARS) -> str:
    """The first ``SCOPE_WORDS`` words of the question (at most ``max_chars`` characters): what
    is embedded for the scope check."""
    return " ".join(text.split()[:SCOPE_WORDS])[:max_chars]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def purpose_similarity(question: Sequence[float], topics: Sequence[Sequence[float]]) -> float:
    return max((cosine(question, topic) for topic in topics), default=0.0)


def out_of_scope(purpose_sim: float, corpus_sim: float | None, bars: ScopeBars) -> bool:
    if purpose_sim >= bars.min_purpose_similarity:
        return False
    return corpus_sim is None or corpus_sim < bars.min_corpus_similarity


def scope_score(purpose_sim: float, corpus_sim: float | None, bars: ScopeBars) -> float:
    """How far below the bars the question sits, as 0-1 (0.5 at the bar), for the finding's score."""
    margin = bars.min_purpose_similarity - purpose_sim
    if corpus_sim is not None:
        margin = min(margin, bars.min_corpus_similarity - corpus_sim)
    return 1.0 / (1.0 + math.exp(-12.0 * margin))
