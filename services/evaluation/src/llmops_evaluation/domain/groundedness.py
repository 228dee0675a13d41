"""Groundedness: is each claim of an answer supported by the retrieved context?

A claim is supported when (1) some context sentence is semantically close to it (embedding
cosine at or above a threshold) and (2) every number and name it states occurs in the context.
(2) exists because embeddings score "90 days" and "30 days" alike. The scorer is one
implementation of ``GroundednessScorer``; an NLI model or an LLM judge fits the same protocol.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# Capitalised words not at the start of the claim: names of people, places, products.
NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*\b")
SCORER = "embedding-similarity+entity-check"
SCORER_VERSION = "1"


class Embedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class ClaimScore:
    claim: str
    support: float
    supported: bool
    unsupported_entities: list[str]


@dataclass(frozen=True)
class Groundedness:
    score: float  # share of supported claims, 0-1
    hallucinated: bool
    claims: list[ClaimScore]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(" ".join(text.split())) if len(s.strip()) > 1]


def entities(claim: str) -> list[str]:
    return [*NUMBER.findall(claim), *NAME.findall(claim)]


def missing_entities(claim: str, context: str) -> list[str]:
    haystack = context.lower()
    return [e for e in entities(claim) if e.lower() not in haystack]


async def score_answer(answer: str, contexts: list[str], embedder: Embedder, threshold: float) -> Groundedness:
    claims = split_sentences(answer)
    context_sentences = [s for c in contexts for s in split_sentences(c)]
    if not claims:
        return Groundedness(1.0, False, [])
    if not context_sentences:
        scores = [ClaimScore(c, 0.0, False, entities(c)) for c in claims]
        return Groundedness(0.0, True, scores)
    vectors = np.asarray(await embedder.embed([*claims, *context_sentences]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors[: len(claims)] @ vectors[len(claims) :].T
    joined = " ".join(contexts)
    scores = []
    for index, claim in enumerate(claims):
        support = float(similarity[index].max())
        missing = missing_entities(claim, joined)
        scores.append(ClaimScore(claim, support, support >= threshold and not missing, missing))
    share = sum(s.supported for s in scores) / len(scores)
    return Groundedness(share, share < 1.0, scores)
