"""Hybrid ranking: reciprocal-rank fusion of the vector list and the full-text list.

Full text uses PostgreSQL's ``simple`` configuration, which splits on spaces; Chinese has none,
so runs of CJK characters are indexed and queried as overlapping character bigrams (the
standard trick behind CJK search engines), next to the single characters for one-character words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

RRF_K = 60  # the constant of Cormack et al.; damps the head of each list
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """Lower-case words, plus CJK characters and bigrams, in order of appearance."""
    terms: list[str] = []
    for word in WORD.findall(text.lower()):
        cjk_runs = CJK_RUN.findall(word)
        latin = CJK_RUN.sub(" ", word).split()
        terms += latin
        for run in cjk_runs:
            terms += list(run)
            terms += [run[i : i + 2] for i in range(len(run) - 1)]
    return terms


def searchable_text(text: str) -> str:
    """What goes into the tsvector column."""
    return " ".join(search_terms(text))


def text_query(text: str) -> str | None:
    """A to_tsquery expression matching any term (ranking decides), or None if nothing searchable."""
    unique = list(dict.fromkeys(t for t in search_terms(text) if len(t) > 1 or CJK_RUN.fullmatch(t)))
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
