"""The semantic answer cache: its threshold measured on labelled pairs, then a replayed question log.

``python -m llmops_stack.cache_bench``:

1. Calibration on ``tests/data/cache_pairs.jsonl`` with the MiniLM encoder Triton serves (ONNX, in
   process): the threshold is the lowest cosine bar (0.001 steps) at which no look-alike pair of the
   train split hits once ``same_specifics`` is applied; hit rates and false hits on train and heldout.
2. Replay: the answered golden questions (``corpus/golden.yaml``) and paraphrases of them, each asked
   three times in shuffled order, through ``SemanticCache`` over the in-memory store with the real
   encoder in process. Measured: hit rate, false hits (a hit whose cached question belongs to another
   golden question) and the lookup cost (embedding + nearest search + guard) per question. Not
   measured here: the pgvector query (the in-memory store scans a list) and generation, whose cost is
   taken from the recorded per-stage medians of docs/benchmarks.md (retrieval + generation).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import yaml

from llmops_query.adapters.answer_cache import MemoryCacheStore
from llmops_query.domain.answers import Outcome
from llmops_query.domain.cache import CachedAnswer, CachedCitation, CacheKey, SemanticCache, same_specifics
from llmops_stack.bench import write_report
from llmops_stack.config import REPO_ROOT
from llmops_stack.retrieval_eval import MiniLmOnnx

BEGIN, END = "<!-- bench:cache:begin -->", "<!-- bench:cache:end -->"
PAIRS = REPO_ROOT / "tests" / "data" / "cache_pairs.jsonl"
GOLDEN = REPO_ROOT / "corpus" / "golden.yaml"
# Recorded medians of the Ask stages a hit skips (docs/benchmarks.md, "Ask latency per stage").
SKIPPED_MS = {"retrieval": 26.0, "generation": 1826.0}
# Paraphrases of golden questions, as customers put them (index: the golden question's text).
PARAPHRASES = {
    "How many days do I have to return an item?": ["How long is the return period for items?",
                                                   "how many days do i have to return an item"],
    "How long does standard shipping take?": ["What is the delivery time for standard shipping?",
                                              "standard shipping time"],
    "How long is the warranty on electronics?": ["What warranty period do electronics come with?"],
    "When is the Portland store open on Saturday?": ["What are the Portland store's Saturday opening hours?"],
    "Which payment methods do you accept?": ["What payment methods do you accept?"],
    "How many Trailpoints do I need for a $10 voucher?": ["How many Trailpoints does a $10 voucher cost?"],
    "How long do I have to cancel an order?": ["Until when can I cancel my order?"],
    "How long does international delivery take?": ["How long does delivery abroad take?"],
    "How long is a gift card valid?": ["For how long is a gift card valid?"],
    "How much is the inspection fee at the repair center?": [
        "What does the repair center charge for an inspection?"],
    "退貨期限是幾天？": ["退貨期限是幾天"],
}  # fmt: skip


class Encoder:
    """MiniLmOnnx as the pipeline's Embedder (async, lists)."""

    def __init__(self, model: MiniLmOnnx) -> None:
        self.model = model

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.model.queries(list(texts))]


@dataclass(frozen=True)
class Calibration:
    threshold: float
    cosine_only: float  # the bar without the guard
    rates: dict[str, tuple[int, int, int, int]]  # split -> (hits, paraphrases, false hits, look-alikes)


def calibrate(model: MiniLmOnnx) -> Calibration:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    a, b = model.queries([r["a"] for r in rows]), model.queries([r["b"] for r in rows])
    cos = [float(np.dot(a[i], b[i])) for i in range(len(rows))]
    guard = [same_specifics(r["a"], r["b"]) for r in rows]
    train_miss = [i for i, r in enumerate(rows) if r["split"] == "train" and r["label"] == "miss"]
    worst = max((cos[i] for i in train_miss if guard[i]), default=0.0)
    threshold = math.floor(worst * 1000 + 1) / 1000
    cosine_only = math.floor(max(cos[i] for i in train_miss) * 1000 + 1) / 1000
    rates = {}
    for split in ("train", "heldout"):
        idx = [i for i, r in enumerate(rows) if r["split"] == split]
        hit = [cos[i] >= threshold and guard[i] for i in range(len(rows))]
        para = [i for i in idx if rows[i]["label"] == "hit"]
        look = [i for i in idx if rows[i]["label"] == "miss"]
        rates[split] = (sum(hit[i] for i in para), len(para), sum(hit[i] for i in look), len(look))
    return Calibration(threshold, cosine_only, rates)


@dataclass(frozen=True)
class Replay:
    asked: int
    hits: int
    false_hits: int
    lookup_ms: list[float]


async def replay(model: MiniLmOnnx, threshold: float) -> Replay:
    golden = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    answered = [q["question"] for q in golden["questions"] if q["expect"] == "answered"]
    log = [(q, q) for q in answered] + [(p, q) for q in answered for p in PARAPHRASES.get(q, [])]
    log = log * 3
    random.Random(7).shuffle(log)
    cache = SemanticCache(MemoryCacheStore(), Encoder(model), threshold=threshold)
    await cache.lookup(CacheKey("warm-up"), "warm up the encoder")
    hits = false_hits = 0
    lookup_ms = []
    for asked, source in log:
        started = time.perf_counter()
        hit = await cache.lookup(CacheKey("acme"), asked)
        lookup_ms.append((time.perf_counter() - started) * 1000)
        if hit is not None:
            hits += 1
            false_hits += hit.entry.outcome_reason != source
            continue
        citation = CachedCitation("c1", "doc.md", "", "", 0.0, "", 1.0)
        entry = CachedAnswer("acme", asked, f"answer to {source}", Outcome.VERIFIED, source, (citation,))
        await cache.store_.put(entry, await cache.vectors.vector(asked))
    return Replay(len(log), hits, false_hits, lookup_ms)


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "0/0"


def render(cal: Calibration, run: Replay) -> str:
    saved = sum(SKIPPED_MS.values())
    p50 = statistics.median(run.lookup_ms)
    p99 = sorted(run.lookup_ms)[int(0.99 * (len(run.lookup_ms) - 1))]
    rate = run.hits / run.asked
    lines = [
        BEGIN,
        "## Semantic answer cache",
        "",
        f"Measured by `python -m llmops_stack.cache_bench` on {datetime.now(UTC):%Y-%m-%d}: MiniLM (ONNX, in process).",
        "",
        f"Threshold on the train split of `tests/data/cache_pairs.jsonl`: **{cal.threshold:.3f}** (lowest bar with no",
        "look-alike hit once numbers, dates, weekdays, negation, names and Chinese content characters must agree;",
        f"with cosine alone the bar would be {cal.cosine_only:.3f}: Chinese look-alikes score 1.0 in MiniLM).",
        "",
        "| split | paraphrases that hit | look-alikes that hit (false) |",
        "|---|---:|---:|",
    ]
    for split, (h, n, f, m) in cal.rates.items():
        lines.append(f"| {split} | {_pct(h, n)} | {_pct(f, m)} |")
    lines += [
        "",
        f"Replay: {run.asked} questions (the answered golden questions and paraphrases, each 3 times, shuffled):",
        f"hit rate {100 * rate:.0f} %, false hits {run.false_hits}; lookup (embed + nearest + guard, in-memory store)",
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms. A hit skips retrieval and generation: {saved:.0f} ms by the recorded",
        "medians above (assumed, not measured here; the pgvector lookup was not measured either), so about",
        f"{rate * saved - p50:.0f} ms saved per question on this log (hit rate × skipped − lookup on every question).",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    model = MiniLmOnnx()
    cal = calibrate(model)
    section = render(cal, asyncio.run(replay(model, cal.threshold)))
    print(section)
    write_report(section, begin=BEGIN, end=END)


if __name__ == "__main__":
    main()
