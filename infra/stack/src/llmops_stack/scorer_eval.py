"""`llmops eval scorer`: how well the hallucination scorer separates right answers from wrong ones.

The labelled set (tests/data/scorer_labelled.jsonl) has a `tune` part, on which the one threshold
(the claim support bar) is chosen, and a `heldout` part that is only measured. The scorer is the
evaluation service's own code (``score_answer`` over ``llmops_grounding``); the embedder is either
the running stack's embedding service or the same ONNX encoder and tokenizer Triton serves, run in
process (identical vectors: `llmops models export` checks parity), so no stack is needed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from llmops_evaluation.domain.groundedness import Groundedness, score_answer
from llmops_grounding import Embedder, SupportPolicy
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.models import onnx_embeddings

LABELLED_SET = REPO_ROOT / "tests" / "data" / "scorer_labelled.jsonl"
GRID = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 … 0.90
MAX_FALSE_FLAGS = 0.10  # the bar: at most 10% of right answers flagged


class LocalEmbedder:
    """The Triton encoder's ONNX graph in process, with a cache (the threshold grid re-scores)."""

    def __init__(self, settings: StackSettings | None = None) -> None:
        repository = (settings or StackSettings()).model_repository
        self.onnx = repository / "encoder" / "1" / "model.onnx"
        self.tokenizer = repository / "tokenizer" / "1" / "tokenizer.json"
        self.cache: dict[str, list[float]] = {}

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        for start in range(0, len(todo), 64):
            batch = todo[start : start + 64]
            for text, vector in zip(batch, onnx_embeddings(self.onnx, self.tokenizer, batch), strict=True):
                self.cache[text] = vector.tolist()
        return [self.cache[t] for t in texts]


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    contexts: list[str]
    answer: str
    hallucinated: bool
    kind: str
    lang: str
    split: str


@dataclass(frozen=True)
class Confusion:
    true_flags: int  # hallucinated and flagged
    missed: int  # hallucinated, not flagged
    false_flags: int  # right, flagged
    true_passes: int  # right, not flagged

    @property
    def false_flag_rate(self) -> float:
        return self.false_flags / max(1, self.false_flags + self.true_passes)

    @property
    def recall(self) -> float:
        return self.true_flags / max(1, self.true_flags + self.missed)

    @property
    def accuracy(self) -> float:
        total = self.true_flags + self.missed + self.false_flags + self.true_passes
        return (self.true_flags + self.true_passes) / max(1, total)


@dataclass(frozen=True)
class SplitReport:
    split: str
    items: int
    auroc: float
    confusion: Confusion
    missed_by_kind: dict[str, int]
    false_flags_by_kind: dict[str, int]


@dataclass(frozen=True)
class ScorerReport:
    min_support: float
    tune: SplitReport
    heldout: SplitReport


def load_items(path: Path = LABELLED_SET) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            hallucinated = raw["label"] == "hallucinated"
            items.append(Item(raw["id"], raw["question"], raw["contexts"], raw["answer"], hallucinated,
                              raw["kind"], raw["lang"], raw["split"]))  # fmt: skip
    return items


async def score_items(items: list[Item], embedder: Embedder, policy: SupportPolicy) -> list[Groundedness]:
    return [await score_answer(item.answer, item.contexts, embedder, policy, item.question) for item in items]


def confusion(items: list[Item], scores: list[Groundedness]) -> Confusion:
    pairs = [(i.hallucinated, s.hallucinated) for i, s in zip(items, scores, strict=True)]
    return Confusion(
        sum(t and f for t, f in pairs), sum(t and not f for t, f in pairs),
        sum(f and not t for t, f in pairs), sum(not t and not f for t, f in pairs),
    )  # fmt: skip


def split_report(split: str, items: list[Item], scores: list[Groundedness]) -> SplitReport:
    labels = [i.hallucinated for i in items]
    # Ties are broken by the flag, so the ranking agrees with the decision the scorer makes.
    risk = [s.risk + (0.001 if s.hallucinated else 0.0) for s in scores]
    auroc = float(roc_auc_score(labels, risk)) if len(set(labels)) == 2 else float("nan")
    missed: dict[str, int] = {}
    false: dict[str, int] = {}
    for item, score in zip(items, scores, strict=True):
        if item.hallucinated and not score.hallucinated:
            missed[item.kind] = missed.get(item.kind, 0) + 1
        if score.hallucinated and not item.hallucinated:
            false[item.kind] = false.get(item.kind, 0) + 1
    return SplitReport(split, len(items), auroc, confusion(items, scores), missed, false)


async def evaluate(embedder: Embedder, path: Path = LABELLED_SET) -> ScorerReport:
    """Choose the support bar on `tune` (best accuracy with ≤ 10% right answers flagged), then measure."""
    items = load_items(path)
    tune = [i for i in items if i.split == "tune"]
    heldout = [i for i in items if i.split == "heldout"]
    best: tuple[float, float, float] | None = None
    for bar in GRID:
        result = confusion(tune, await score_items(tune, embedder, SupportPolicy(min_support=bar)))
        candidate = (bar, result.accuracy, result.recall)
        if result.false_flag_rate <= MAX_FALSE_FLAGS and (best is None or candidate[1:] > best[1:]):
            best = candidate
    bar = best[0] if best else GRID[0]
    policy = SupportPolicy(min_support=bar)
    return ScorerReport(
        bar,
        split_report("tune", tune, await score_items(tune, embedder, policy)),
        split_report("heldout", heldout, await score_items(heldout, embedder, policy)),
    )


def run(path: Path = LABELLED_SET) -> ScorerReport:
    return asyncio.run(evaluate(LocalEmbedder(), path))


def mean_auroc(report: ScorerReport) -> float:
    return float(np.nanmean([report.tune.auroc, report.heldout.auroc]))
