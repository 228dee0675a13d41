"""Hybrid ranking: reciprocal-rank fusion of the vector list and the full-text list.

Full text uses PostgreSQL's ``simple`` configuration, which splits on spaces; Chinese has none,
so each run of CJK characters is indexed and queried as its overlapping character bigrams plus the
jieba words (search mode) the bigrams do not already spell: words of three or more characters,
which match only where the whole word occurs, and single-character words for one-character
queries. Bigrams keep recall for terms jieba's dictionary lacks (names, Traditional wording).
See docs/decisions/0008-cjk-full-text.md for what was measured.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba  # jieba ships no type information

RRF_K = 60  # the constant of Cormack et al.; damps the head of each list
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# jieba caches its parsed dictionary in a file; keep it out of the repository and the service's
# working directory (read-only in containers). Overridable for hosts with a different temp dir.
JIEBA_CACHE_DIR = Path(os.environ.get("LLMOPS_JIEBA_CACHE_DIR", Path(tempfile.gettempdir()) / "llmops-jieba"))


@cache
def _segmenter() -> jieba.Tokenizer:
    """One jieba tokenizer per process, loaded on first use (≈1 s, then the cache file makes it ≈0.3 s)."""
    JIEBA_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # jieba logs "Building prefix dict..." at DEBUG to stderr on every load; only problems matter.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.tmp_dir = str(JIEBA_CACHE_DIR)
    segmenter.initialize()
    return segmenter


def load_segmenter() -> None:
    """Load jieba now (the service calls this at start-up), not on the first Chinese query or chunk."""
    _segmenter()


def cjk_words(run: str) -> list[str]:
    """jieba's search-mode words of one CJK run (HMM off: unseen words are left to the bigrams)."""
    return [w for w in _segmenter().cut_for_search(run, HMM=False) if w.strip()]


def search_terms(text: str) -> list[str]:
    """Lower-case Latin words, plus for each CJK run its jieba words (not two-character ones) and bigrams."""
    terms: list[str] = []
    for word in WORD.findall(text.lower()):
        for piece in re.split(f"({CJK_RUN.pattern})", word):
            if not piece:
                continue
            if CJK_RUN.fullmatch(piece):
                bigrams = [piece[i : i + 2] for i in range(len(piece) - 1)]
                # A two-character word is already one of the bigrams; repeating it would double its
                # weight in ts_rank_cd (term frequency, no IDF) against the query's Latin words.
                terms += [w for w in cjk_words(piece) if len(w) != 2] + bigrams
            else:
                terms.append(piece)
    return terms


def searchable_text(text: str) -> str:
    """What goes into the tsvector column."""
    return " ".join(search_terms(text))


def text_query(text: str) -> str | None:
    """A to_tsquery expression matching any term (ranking decides), or None if nothing searchable.

    Single characters are left out of the query: ``ts_rank_cd`` has no inverse document frequency,
    so 的/是/在 would rank chunks by how much Chinese they contain. A query of one character is kept.
    """
    terms = search_terms(text)
    unique = list(dict.fromkeys(t for t in terms if len(t) > 1)) or list(dict.fromkeys(terms))
    if not unique:
        return None
    return " | ".join("'" + t.replace("'", "''") + "'" for t in unique)


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    vector_rank: int  # 1-based; 0 = absent from the vector list
    text_rank: int  # 1-based; 0 = absent from the text list


def reciprocal_rank_fusion(vector_ids: Sequence[str], text_ids: Sequence[str], top_k: int) -> list[Fused]:
    vector_rank = {chunk_id: rank for rank, chunk_id in enumerate(vector_ids, start=1)}
    text_rank = {chunk_id: rank for rank, chunk_id in enumerate(text_ids, start=1)}
    fused = []
    for chunk_id in dict.fromkeys([*vector_ids, *text_ids]):
        score = sum(1.0 / (RRF_K + ranks[chunk_id]) for ranks in (vector_rank, text_rank) if chunk_id in ranks)
        fused.append(Fused(chunk_id, score, vector_rank.get(chunk_id, 0), text_rank.get(chunk_id, 0)))
    fused.sort(key=lambda f: (-f.score, f.vector_rank or 10**9))
    return fused[:top_k]
