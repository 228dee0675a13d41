"""Does the corpus answer the question? A decision calibrated per embedding model, not one cosine.

One fixed cosine threshold failed both ways: Chinese questions whose passage was found scored
0.30-0.43 with the English embedder and abstained, while a close-but-unanswerable English question
("Who is the CEO of …?") cleared it. Two signals are combined instead:
- ``similarity``: the best passage's cosine to the question (model-specific scale);
- ``coverage``: the share of the question's content terms (words, CJK bigrams) found in the best
  single passage, each term weighted by how *few* of the retrieved passages contain it. Terms
  every passage shares ("Harbor Line", 鐵路) are the corpus's topic and say little; a term no
  passage contains ("CEO", a product the company does not sell) weighs most, so a question about
  something the passages never mention gets a low coverage although most of its words match.
The question is answerable when either signal clears its bar. The bars are fitted on the training
part of a labelled question set by ``llmops eval calibrate`` and stored per embedding model in
``calibration.json``; the held-out part is only reported, never used for fitting.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from llmops_grounding.text import content_terms, question_terms, rarity_weights, weighted_coverage
from llmops_query.domain.answers import Passage

CALIBRATION = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class SupportSignals:
    similarity: float
    coverage: float


@dataclass(frozen=True)
class SupportPolicy:
    embedding_model: str
    min_similarity: float
    min_coverage: float
    fitted_on: str = ""

    def answerable(self, signals: SupportSignals) -> bool:
        return signals.similarity >= self.min_similarity or signals.coverage >= self.min_coverage

    def reason(self, signals: SupportSignals) -> str:
        return (
            f"The passages do not answer the question: best similarity {signals.similarity:.2f}"
            f" (needs {self.min_similarity:.2f}) and {signals.coverage:.0%} of the question's terms in one"
            f" passage (needs {self.min_coverage:.0%})."
        )


def signals(question: str, passages: list[Passage]) -> SupportSignals:
    held = [content_terms(f"{p.title} {p.text}") for p in passages]
    weights = rarity_weights(question_terms(question), held)
    best_coverage = max((weighted_coverage(weights, own) for own in held), default=0.0)
    return SupportSignals(max((p.similarity for p in passages), default=0.0), best_coverage)


def load_policy(embedding_model: str, path: Path = CALIBRATION) -> SupportPolicy:
    """The calibrated bars for this embedding model; a model never calibrated is an error, not a guess."""
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if embedding_model not in stored:
        raise KeyError(f"no abstention calibration for embedding model {embedding_model!r} in {path}")
    return SupportPolicy(embedding_model=embedding_model, **stored[embedding_model])


def save_policy(policy: SupportPolicy, path: Path = CALIBRATION) -> None:
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    values = asdict(policy)
    stored[values.pop("embedding_model")] = values
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
