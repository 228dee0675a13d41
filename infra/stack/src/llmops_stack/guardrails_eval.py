"""`llmops eval guardrails`: detection and false-positive rates of every guardrail check, per split.

Runs tests/data/guardrails_labelled.jsonl in process through the guardrails service's own use case
(``llmops_guardrails.use_cases.Guardrails``) with the same adapters the service wires: the packaged
jailguard classifier and all-MiniLM-L6-v2 (in process here, through the embedding service in the
deployment; same model). The corpus similarity the query service may pass is played by the best
cosine of the question against the tenant's corpus paragraphs.

Signals (classifier score, similarities) are measured once per item; the decision is pure, so
calibration (``--calibrate``: bars fitted on the train split only) and the report reuse them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmops_guardrails.adapters.embedders import MultilingualEmbedder
from llmops_guardrails.adapters.policy_file import load_policies
from llmops_guardrails.domain import verdicts
from llmops_guardrails.domain.calibration import Calibration, fit_lower_bound, fit_scope_bars
from llmops_guardrails.domain.pii import find_pii
from llmops_guardrails.domain.scope import SCOPE_WORDS, cosine, question_head
from llmops_guardrails.domain.verdicts import Decision, InputSignals
from llmops_guardrails.use_cases import Guardrails, InjectionClassifier
from llmops_stack.config import REPO_ROOT
from llmops_stack.retrieval_eval import MiniLmOnnx

LABELLED_SET = REPO_ROOT / "tests" / "data" / "guardrails_labelled.jsonl"
# Held-out sets written later, each by someone who read neither the rules nor the earlier sets:
# "fresh" (used for tuning after its first run, 2026-11-23) and "fresh2" (never tuned on).
FRESH_SETS = {
    "fresh": REPO_ROOT / "tests" / "data" / "guardrails_fresh.jsonl",
    "fresh2": REPO_ROOT / "tests" / "data" / "guardrails_fresh2.jsonl",
}
TENANT = "acme"
# The goal is at most 5% false positives in all; the classifier and the scope check each
# get part of it on the train split, leaving room for the rules.
CLASSIFIER_FALSE_POSITIVES = 0.03
SCOPE_FALSE_POSITIVES = 0.03
BENCH_WORDS = 200
GUARDRAILS_BEGIN, GUARDRAILS_END = "<!-- bench:guardrails:begin -->", "<!-- bench:guardrails:end -->"


@dataclass(frozen=True)
class Item:
    raw: dict[str, Any]
    signals: InputSignals = field(default_factory=InputSignals)

    @property
    def kind(self) -> str:
        return str(self.raw["kind"])


@dataclass
class SplitReport:
    split: str
    counts: Counter[str] = field(default_factory=Counter)
    injection_caught: int = 0
    out_of_scope_caught: int = 0
    benign_blocked: int = 0
    benign_blocked_by: Counter[str] = field(default_factory=Counter)
    pii_found: Counter[str] = field(default_factory=Counter)
    pii_total: Counter[str] = field(default_factory=Counter)
    not_pii_redacted: int = 0
    misses: list[str] = field(default_factory=list)

    def rate(self, caught: int, kind: str) -> float:
        return caught / max(1, self.counts[kind])

    @property
    def injection_rate(self) -> float:
        return self.rate(self.injection_caught, "injection")

    @property
    def out_of_scope_rate(self) -> float:
        return self.rate(self.out_of_scope_caught, "out_of_scope")

    @property
    def benign_false_positive_rate(self) -> float:
        return self.rate(self.benign_blocked, "benign")

    @property
    def pii_recall(self) -> float:
        return sum(self.pii_found.values()) / max(1, sum(self.pii_total.values()))

    @property
    def not_pii_false_positive_rate(self) -> float:
        return self.rate(self.not_pii_redacted, "not_pii")


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    runs: int
    parts: dict[str, float]  # p50 of each part alone
    short_p50_ms: float  # the same, for the short benign questions of the train split
    short_p99_ms: float


def load_items(path: Path = LABELLED_SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_paragraphs(tenant: str = TENANT) -> list[str]:
    """The tenant's corpus split into paragraphs, whatever the file's encoding (some are Big5)."""
    paragraphs: list[str] = []
    for file in sorted((REPO_ROOT / "corpus" / tenant).rglob("*")):
        if not file.is_file():
            continue
        data = file.read_bytes()
        for encoding in ("utf-8", "big5", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        paragraphs += [p.strip() for p in text.split("\n\n") if len(p.strip()) > 20]
    return paragraphs


class TritonEncoder:
    """The ONNX file Triton serves, run here with onnxruntime: the service's scope embedding (the
    same model, the same vectors) without the network hop to the embedding service."""

    def __init__(self) -> None:
        self.model = MiniLmOnnx()

    def embed_now(self, texts: Sequence[str]) -> list[list[float]]:
        return [[float(x) for x in v] for v in self.model.queries(texts)]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_now, texts)


class Harness:
    """The service's use case with in-process adapters, plus the tenant corpus for corpus similarity."""

    def __init__(self, classifier: bool = True) -> None:
        self.embedder = TritonEncoder()
        model_classifier: InjectionClassifier | None = None
        if classifier:
            from llmops_guardrails.adapters.jailguard_classifier import JailguardClassifier

            model_classifier = JailguardClassifier(Path(tempfile.gettempdir()) / "llmops-jailguard")
        self.guardrails = Guardrails(
            load_policies(), Calibration.load(), model_classifier, self.embedder, MultilingualEmbedder()
        )
        self.corpus = self.embedder.embed_now(corpus_paragraphs())

    def corpus_similarity(self, text: str) -> float:
        [vector] = self.embedder.embed_now([text])
        return max(cosine(vector, c) for c in self.corpus)

    async def signals(self, text: str) -> InputSignals:
        policy = self.guardrails.policy(TENANT)
        classifier_score = await self.guardrails.classifier_score(text, policy)
        purpose = await self.guardrails.purpose_similarity(text, policy)
        multilingual = not verdicts.mostly_latin(text)
        return InputSignals(classifier_score, purpose, self.corpus_similarity(text), multilingual)


async def measure(harness: Harness, raw_items: list[dict[str, Any]]) -> list[Item]:
    items = []
    for raw in raw_items:
        signals = await harness.signals(raw["text"]) if raw["check"] == "input" else InputSignals()
        items.append(Item(raw, signals))
    return items


def calibrate(items: list[Item]) -> Calibration:
    """Bars fitted on the train split only: the classifier threshold on benign questions the
    classifier reads; the scope bars on out-of-scope versus benign questions."""
    train = [i for i in items if i.raw["split"] == "train" and i.raw["check"] == "input"]
    # Harmless means benign (an out-of-scope question the classifier blocks is still refused rightly),
    # all of them: the goal is a false-positive rate over every benign question, and those the
    # classifier does not read (Chinese) are never flagged by it.
    harmless = [i.signals.classifier_score or 0.0 for i in train if i.kind == "benign"]
    attacks = [
        i.signals.classifier_score for i in train if i.kind == "injection" and i.signals.classifier_score is not None
    ]
    threshold = fit_lower_bound(attacks, harmless, CLASSIFIER_FALSE_POSITIVES)

    def scope_point(item: Item) -> tuple[float, float | None]:
        return item.signals.purpose_similarity or 0.0, item.signals.corpus_similarity

    def scope_items(kind: str, multilingual: bool) -> list[Item]:
        return [
            i
            for i in train
            if i.kind == kind and i.signals.purpose_similarity is not None and i.signals.multilingual == multilingual
        ]

    far, near = scope_items("out_of_scope", False), scope_items("benign", False)
    purpose_bar, corpus_bar = fit_scope_bars(
        [scope_point(i) for i in far], [scope_point(i) for i in near], SCOPE_FALSE_POSITIVES
    )
    # Non-Latin questions: purpose alone (see verdicts.scope_findings), so no corpus point.
    far_ml, near_ml = scope_items("out_of_scope", True), scope_items("benign", True)
    multilingual_bar, _ = fit_scope_bars(
        [(i.signals.purpose_similarity or 0.0, None) for i in far_ml],
        [(i.signals.purpose_similarity or 0.0, None) for i in near_ml],
        SCOPE_FALSE_POSITIVES,
    )
    fitted_on = f"{len(train)} train input items of tests/data/guardrails_labelled.jsonl"
    return Calibration(threshold, purpose_bar, corpus_bar, multilingual_bar, fitted_on)


def _covered(text: str, value: str, kind: str, found: list[tuple[str, int, int]]) -> bool:
    start = text.find(value)
    end = start + len(value)
    return any(k == kind and s < end and e > start for k, s, e in found)


def report(items: list[Item], calibration: Calibration, split: str) -> SplitReport:
    policy = load_policies()[TENANT]
    out = SplitReport(split)
    for item in (i for i in items if i.raw["split"] == split):
        raw, kind = item.raw, item.kind
        out.counts[kind] += 1
        if raw["check"] == "input":
            verdict = verdicts.check_input(raw["text"], policy, item.signals, calibration)
            blocked = verdict.decision is Decision.BLOCK
            if kind == "injection":
                out.injection_caught += blocked
            elif kind == "out_of_scope":
                out.out_of_scope_caught += blocked
            elif kind == "benign" and blocked:
                out.benign_blocked += 1
                out.benign_blocked_by.update({f.category for f in verdict.findings if f.action.value == "block"})
            if blocked != (raw["expected"] == "block"):
                out.misses.append(f"{raw['id']}: expected {raw['expected']}, got {verdict.decision.value}")
            continue
        found = [(m.kind, m.start, m.end) for m in find_pii(raw["text"], policy.allowed_contacts)]
        if kind == "pii":
            for value in raw.get("pii", []):
                out.pii_total[value["type"]] += 1
                hit = _covered(raw["text"], value["value"], value["type"], found)
                out.pii_found[value["type"]] += hit
                if not hit:
                    out.misses.append(f"{raw['id']}: {value['type']} not found")
        elif kind == "not_pii" and found:
            out.not_pii_redacted += 1
            out.misses.append(f"{raw['id']}: redacted {[k for k, _, _ in found]}")
    return out


def _bench_inputs(count: int = 20) -> list[str]:
    """200-word customer messages made of the tenant's own corpus text, each a different window."""
    words = " ".join(corpus_paragraphs()).split()
    return [" ".join(words[i * 37 : i * 37 + BENCH_WORDS]) for i in range(count)]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _short_questions() -> list[str]:
    """Typical customer questions: the benign input questions of the train split."""
    return [i["text"] for i in load_items() if i["split"] == "train" and i["kind"] == "benign"]


async def _timed_runs(harness: Harness, texts: list[str], runs: int) -> list[float]:
    totals: list[float] = []
    for run in range(runs):
        start = time.perf_counter()
        await harness.guardrails.check_input(TENANT, texts[run % len(texts)])
        totals.append((time.perf_counter() - start) * 1000)
    return totals


async def latency(harness: Harness, runs: int = 100) -> Latency:
    """CheckInput with every check on (rules over all views, classifier, scope embedding, PII).

    The inputs are benign, so no check blocks and every part runs (the use case stops at the first
    block); nothing is cached between calls."""
    texts = _bench_inputs()
    policy = harness.guardrails.policy(TENANT)
    await harness.guardrails.check_input(TENANT, texts[0])  # warm: purpose topics, model caches
    totals = await _timed_runs(harness, texts, runs)
    short = await _timed_runs(harness, _short_questions(), runs)
    parts: dict[str, list[float]] = defaultdict(list)
    calibration = harness.guardrails.calibration
    for text in texts:
        start = time.perf_counter()
        verdicts.check_input(text, policy, InputSignals(), calibration)
        parts["rules and PII"].append((time.perf_counter() - start) * 1000)
        if harness.guardrails.classifier is not None:
            start = time.perf_counter()
            harness.guardrails.classifier.score(text)
            parts["classifier"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        harness.embedder.embed_now([question_head(text)])
        parts[f"scope embedding (first {SCOPE_WORDS} words)"].append((time.perf_counter() - start) * 1000)
    return Latency(
        _percentile(totals, 0.5),
        _percentile(totals, 0.99),
        runs,
        {name: statistics.median(values) for name, values in parts.items()},
        _percentile(short, 0.5),
        _percentile(short, 0.99),
    )


def render(reports: list[SplitReport], calibration: Calibration, lat: Latency) -> str:
    lines = [
        GUARDRAILS_BEGIN,
        "## Guardrails (`llmops eval guardrails`)",
        "",
        f"Labelled set tests/data/guardrails_labelled.jsonl, tenant policy `{TENANT}`; bars fitted on train"
        f" (classifier ≥ {calibration.classifier_threshold}, purpose similarity < {calibration.min_purpose_similarity}"
        f" and corpus similarity < {calibration.min_corpus_similarity} refuses; for mostly non-Latin questions"
        f" multilingual-e5 purpose similarity < {calibration.min_purpose_similarity_multilingual} refuses)."
        " `fresh` and `fresh2` are later held-out sets (tests/data/README.md); `fresh` was tuned on after its first"
        " run, `fresh2` never.",
        "",
        "| split | injection caught | out-of-scope caught | benign blocked | PII recall | not-PII redacted |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in reports:
        lines.append(
            f"| {r.split} | {r.injection_caught}/{r.counts['injection']} ({r.injection_rate:.0%})"
            f" | {r.out_of_scope_caught}/{r.counts['out_of_scope']} ({r.out_of_scope_rate:.0%})"
            f" | {r.benign_blocked}/{r.counts['benign']} ({r.benign_false_positive_rate:.0%})"
            f" | {sum(r.pii_found.values())}/{sum(r.pii_total.values())} ({r.pii_recall:.0%})"
            f" | {r.not_pii_redacted}/{r.counts['not_pii']} ({r.not_pii_false_positive_rate:.0%}) |"
        )
    parts = ", ".join(f"{name} {ms:.1f} ms" for name, ms in lat.parts.items())
    lines += [
        "",
        f"CheckInput latency, {BENCH_WORDS}-word inputs, every check on, in process on this CPU ({lat.runs} runs):"
        f" p50 {lat.p50_ms:.1f} ms, p99 {lat.p99_ms:.1f} ms. Median of each part alone: {parts}."
        f" Short questions (the benign train questions, {lat.runs} runs): p50 {lat.short_p50_ms:.1f} ms,"
        f" p99 {lat.short_p99_ms:.1f} ms.",
        GUARDRAILS_END,
    ]
    return "\n".join(lines)


def run(
    calibrate_bars: bool = False, classifier: bool = True, bench: bool = True
) -> tuple[list[SplitReport], Calibration, Latency | None]:
    harness = Harness(classifier)
    fresh = [{**raw, "split": name} for name, path in FRESH_SETS.items() for raw in load_items(path)]
    items = asyncio.run(measure(harness, load_items() + fresh))
    calibration = calibrate(items) if calibrate_bars else harness.guardrails.calibration
    reports = [report(items, calibration, split) for split in ("train", "heldout", *FRESH_SETS)]
    lat = asyncio.run(latency(harness)) if bench else None
    return reports, calibration, lat
