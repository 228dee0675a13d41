"""Knowledge gaps: questions the corpus could not answer, grouped by what they ask.

An abstained answer means retrieval found nothing close enough. Grouping those questions by
embedding similarity shows which topics the corpus lacks, largest group first, so a person can
write the missing document. Greedy single pass: a question joins the first group whose centroid
is at least ``min_similarity`` away, else starts a group (questions arrive newest first, so a
group's first question is its latest).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

EXAMPLES = 3


@dataclass
class GapCluster:
    questions: list[str] = field(default_factory=list)
    centroid: list[float] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.questions)

    def examples(self) -> list[str]:
        return list(dict.fromkeys(self.questions))[:EXAMPLES]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def cluster_questions(
    questions: Sequence[str], vectors: Sequence[Sequence[float]], min_similarity: float
) -> list[GapCluster]:
    clusters: list[GapCluster] = []
    for question, vector in zip(questions, vectors, strict=True):
        best = max(clusters, key=lambda c: _cosine(c.centroid, vector), default=None)
        if best is not None and _cosine(best.centroid, vector) >= min_similarity:
            n = best.size
            best.centroid = [(c * n + v) / (n + 1) for c, v in zip(best.centroid, vector, strict=True)]
            best.questions.append(question)
        else:
            clusters.append(GapCluster([question], list(vector)))
    return sorted(clusters, key=lambda c: -c.size)
