"""Sentence-respecting chunks sized in the embedding model's tokens, with content-derived ids.

Sentences end at . ! ? followed by space, or at the Chinese 。！？； (no space follows those).
A chunk packs whole sentences up to a token budget and starts with the last sentences of the
chunk before it (about 15% of the budget), so a fact that straddles a boundary is whole in one of
the two. A sentence longer than the budget is cut at token boundaries on its own.

The budget is counted in the embedding model's own word pieces because that is what the model
truncates: 600 characters of Chinese are ~600 MiniLM word pieces, of which it reads 256.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from llmops_ingestion.domain.extraction import Section

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")
TRADITIONAL_ONLY = set("這們說時國會貨後來對還過們與為麼實點體號問題開關電際經發現學產業務長")
SIMPLIFIED_ONLY = set("这们说时国会货后来对还过们与为么实点体号问题开关电际经发现学产业务长")
CJK = re.compile(r"[\u3400-\u9fff]")
CJK_OR_PUNCTUATION = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
WIDE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Fallback estimate when the model's tokenizer file is missing: a BERT-style vocabulary gives each
# CJK character its own piece and averages about four Latin characters per piece.
LATIN_CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    language: str
    heading_path: str = ""


class TokenCounter(Protocol):
    """Counts a text in some unit and cuts it into pieces of at most ``limit`` of those units."""

    def count(self, text: str) -> int: ...

    def split(self, text: str, limit: int) -> list[str]: ...


class CharacterCount:
    """Plain characters: the original budget, kept for callers that size chunks by ``max_chars``."""

    def count(self, text: str) -> int:
        return len(text)

    def split(self, text: str, limit: int) -> list[str]:
        return [text[i : i + limit] for i in range(0, len(text), limit)]


class EstimatedTokens:
    """Word pieces estimated from characters, for when the tokenizer file is not there."""

    @staticmethod
    def _cost(character: str) -> float:
        if character.isspace():
            return 0.0
        return 1.0 if WIDE.match(character) else 1.0 / LATIN_CHARS_PER_TOKEN

    def count(self, text: str) -> int:
        return math.ceil(sum(self._cost(c) for c in text))

    def split(self, text: str, limit: int) -> list[str]:
        pieces, start, used = [], 0, 0.0
        for position, character in enumerate(text):
            cost = self._cost(character)
            if used + cost > limit and position > start:
                # Prefer to cut at the last space in the piece so a Latin word stays whole.
                space = text.rfind(" ", start, position)
                cut = space + 1 if space > start else position
                pieces.append(text[start:cut])
                start = cut
                used = sum(self._cost(c) for c in text[start:position])
            used += cost
        pieces.append(text[start:])
        return [p for p in (piece.strip() for piece in pieces) if p]


class WordPieceTokens:
    """The embedding model's own tokenizer (HF ``tokenizer.json``), special tokens not counted."""

    def __init__(self, tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer  # imported here: the character budgets do not need it

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def split(self, text: str, limit: int) -> list[str]:
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        starts = [offsets[i][0] for i in range(0, len(offsets), limit)]
        pieces = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
        return [p for p in (piece.strip() for piece in pieces) if p]


@dataclass(frozen=True)
class ChunkingPolicy:
    counter: TokenCounter
    max_tokens: int = 200  # leaves room under MiniLM's 256-piece window for [CLS]/[SEP] and drift
    overlap: float = 0.15  # share of the budget repeated from the previous chunk, in whole sentences


def sentences(text: str) -> list[str]:
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        found += [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]
    return found


def detect_language(text: str) -> str:
    """'en', 'zh-Hant' or 'zh-Hans' from character statistics (good enough to route and filter)."""
    cjk = len(CJK.findall(text))
    if cjk < max(4, len(text) * 0.1):
        return "en"
    traditional = sum(ch in TRADITIONAL_ONLY for ch in text)
    simplified = sum(ch in SIMPLIFIED_ONLY for ch in text)
    return "zh-Hant" if traditional >= simplified else "zh-Hans"


def _join(parts: Sequence[str]) -> str:
    joined = ""
    for part in parts:
        # Chinese sentences are written without a space between them.
        space = "" if joined and CJK_OR_PUNCTUATION.match(joined[-1]) and CJK.match(part[0]) else " "
        joined = f"{joined}{space}{part}" if joined else part
    return joined


def _pack(text: str, policy: ChunkingPolicy) -> list[str]:
    # Counted on the joined text, not summed per sentence: with a character budget the joining
    # spaces count too, and word pieces can merge across a join.
    count = policy.counter.count
    units = [piece for sentence in sentences(text) for piece in _fit(sentence, policy)]
    pieces: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and count(_join([*current, unit])) > policy.max_tokens:
            pieces.append(_join(current))
            current = _overlap(current, unit, policy)
        current.append(unit)
    if current:
        pieces.append(_join(current))
    return pieces


def _fit(sentence: str, policy: ChunkingPolicy) -> list[str]:
    """A run-on "sentence" (tables, lists without stops) cut into pieces that fit the budget."""
    if policy.counter.count(sentence) <= policy.max_tokens:
        return [sentence]
    return policy.counter.split(sentence, policy.max_tokens)


def _overlap(previous: list[str], following: str, policy: ChunkingPolicy) -> list[str]:
    """The last whole sentences of a chunk within the overlap budget that leave room for the next."""
    budget, count = int(policy.max_tokens * policy.overlap), policy.counter.count
    tail: list[str] = []
    for sentence in reversed(previous):
        candidate = [sentence, *tail]
        if count(_join(candidate)) > budget or count(_join([*candidate, following])) > policy.max_tokens:
            break
        tail = candidate
    return tail


def chunk_sections(sections: Sequence[Section], policy: ChunkingPolicy) -> list[Chunk]:
    """Chunks never cross a heading, so each one has a single heading path."""
    chunks: list[Chunk] = []
    for section in sections:
        for piece in _pack(section.text, policy):
            chunks.append(Chunk(len(chunks), piece, detect_language(piece), section.heading))
    return chunks


def chunk_text(text: str, max_chars: int = 600) -> list[Chunk]:
    """Character-budget chunks without overlap (the original behaviour, for plain-text callers)."""
    return chunk_sections([Section((), text)], ChunkingPolicy(CharacterCount(), max_chars, overlap=0.0))


def chunk_ids(document_id: str, title: str, chunks: Sequence[tuple[str, dict[str, str]]]) -> list[str]:
    """Content ids: the same chunk in the next version keeps its id, so it is not embedded again.

    The title and metadata are part of the id because the index stores them with the chunk; the
    occurrence number tells apart two identical chunks of one document.
    """
    seen: Counter[str] = Counter()
    ids = []
    for text, metadata in chunks:
        seen[text] += 1
        key = json.dumps([document_id, title, sorted(metadata.items()), text, seen[text]], ensure_ascii=False)
        ids.append(hashlib.sha256(key.encode()).hexdigest())
    return ids


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()
