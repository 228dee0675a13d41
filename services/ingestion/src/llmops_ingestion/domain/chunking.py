"""Sentence-respecting chunks for English and Chinese, with content-derived ids.

Sentences end at . ! ? followed by space, or at the Chinese 。！？； (no space follows those).
A chunk packs whole sentences up to ``max_chars``; a sentence longer than that is cut on its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")
TRADITIONAL_ONLY = set("這們說時國會貨後來對還過們與為麼實點體號問題開關電際經發現學產業務長")
SIMPLIFIED_ONLY = set("这们说时国会货后来对还过们与为么实点体号问题开关电际经发现学产业务长")
CJK = re.compile(r"[\u3400-\u9fff]")
CJK_OR_PUNCTUATION = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    language: str


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


def chunk_text(text: str, max_chars: int = 600) -> list[Chunk]:
    pieces: list[str] = []
    current = ""
    for sentence in sentences(text):
        while len(sentence) > max_chars:  # a run-on "sentence" (tables, lists without stops)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        # Chinese sentences are written without a space between them.
        joiner = "" if current and CJK_OR_PUNCTUATION.match(current[-1]) and CJK.match(sentence[0]) else " "
        candidate = f"{current}{joiner}{sentence}" if current else sentence
        if len(candidate) > max_chars and current:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [Chunk(i, piece, detect_language(piece)) for i, piece in enumerate(pieces)]


def chunk_id(document_id: str, version: int, text: str) -> str:
    return hashlib.sha256(f"{document_id}\x00{version}\x00{text}".encode()).hexdigest()


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()
