"""Quality on the field corpus: abstention calibration and suite runs through the front door.

`llmops eval calibrate` fits the abstention bars of the query service (``domain/support.py``) on the
*train* questions of corpus/field/questions.yaml, retrieving exactly as the query service does
(its own retrieval client and support signals), and reports train and held-out rates per language.
`llmops eval run` asks a suite through the Ask API and judges each case with the evaluation
service's judge (``run_suite``), the same code the RunSuite RPC runs.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import grpc

from llmops.evaluation.v1 import evaluation_pb2
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.domain.groundedness import ClaimScore, Groundedness
from llmops_evaluation.domain.suites import Case, parse_suite
from llmops_evaluation.use_cases import CaseResult, run_suite
from llmops_query.adapters.services import RetrievalClient
from llmops_query.domain.answers import search_text
from llmops_query.domain.support import SupportPolicy, SupportSignals, signals
from llmops_stack.client import PlatformClient
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.credentials import act_as_platform
from llmops_stack.field_corpus import build_field_corpus
from llmops_stack.services import target

FIELD = REPO_ROOT / "corpus" / "field"
QUESTIONS = FIELD / "questions.yaml"
FIELD_TENANT = "field"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SIMILARITY_GRID = [round(0.20 + 0.02 * i, 2) for i in range(31)] + [1.01]  # 1.01: the signal is not used
COVERAGE_GRID = [round(0.30 + 0.05 * i, 2) for i in range(15)] + [1.01]


def load_cases(path: Path, split: str | None = None) -> list[Case]:
    suite_format = "jsonl" if path.suffix == ".jsonl" else "yaml"
    cases = parse_suite(path.read_bytes(), suite_format)
    return [c for c in cases if split is None or c.labels.get("split") == split]


def ingest_field(settings: StackSettings, tenant: str = FIELD_TENANT) -> int:
    """The damaged field documents, synced like any source and indexed; returns the chunk count."""
    build_field_corpus(REPO_ROOT)
    client = PlatformClient(settings)
    try:
        client.sync(tenant, FIELD / "docs")
        return int(client.wait_indexed(tenant).chunks)
    finally:
        client.close()


@dataclass(frozen=True)
class Labelled:
    case: Case
    signals: SupportSignals

    @property
    def answerable(self) -> bool:
        return self.case.expect == "answered"


@dataclass(frozen=True)
class Rates:
    answered_when_answerable: float
    abstained_when_unanswerable: float
    answerable: int
    unanswerable: int

    @property
    def balanced(self) -> float:
        return (self.answered_when_answerable + self.abstained_when_unanswerable) / 2


def rates(items: list[Labelled], policy: SupportPolicy) -> Rates:
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    return Rates(
        sum(policy.answerable(i.signals) for i in answerable) / max(1, len(answerable)),
        sum(not policy.answerable(i.signals) for i in unanswerable) / max(1, len(unanswerable)),
        len(answerable),
        len(unanswerable),
    )


async def collect_signals(settings: StackSettings, tenant: str, cases: list[Case], top_k: int = 4) -> list[Labelled]:
    """Retrieval support of each question that is answered or abstained (refusals never reach it)."""
    act_as_platform(settings)
    retrieval = RetrievalClient(target(settings, "retrieval"), 30.0)
    try:
        labelled = []
        for case in cases:
            if case.expect == "refused":
                continue
            passages = await retrieval.search(tenant, search_text(case.question), top_k)
            labelled.append(Labelled(case, signals(case.question, passages)))
        return labelled
    finally:
        await retrieval.channel.close()


# The gate is the first of three checks (the claim check and the extractive bar follow), and a
# wrong abstention leaves the user with nothing, so it lets through every answerable train
# question; within that, it abstains as often as it can.
MIN_ANSWERED = 1.0


def fit(train: list[Labelled]) -> SupportPolicy:
    """The bars that abstain most on unanswerable train questions while answering all the answerable ones."""
    best: tuple[float, float, float] | None = None
    for similarity, coverage in itertools.product(SIMILARITY_GRID, COVERAGE_GRID):
        policy = SupportPolicy(EMBEDDING_MODEL, similarity, coverage)
        rate = rates(train, policy)
        if rate.answered_when_answerable < MIN_ANSWERED:
            continue
        score = rate.abstained_when_unanswerable
        if best is None or (score, similarity + coverage) > (best[0], best[1] + best[2]):
            best = (score, similarity, coverage)
    assert best is not None
    fitted = f"{len(train)} train questions of corpus/field/questions.yaml on {time.strftime('%Y-%m-%d')}"
    return SupportPolicy(EMBEDDING_MODEL, best[1], best[2], fitted)


def by_language(items: list[Labelled], policy: SupportPolicy) -> dict[str, Rates]:
    groups: dict[str, list[Labelled]] = defaultdict(list)
    for item in items:
        groups["zh" if item.case.labels.get("lang", "").startswith("zh") else "en"].append(item)
    return {lang: rates(group, policy) for lang, group in sorted(groups.items())}


def calibrate(settings: StackSettings, tenant: str = FIELD_TENANT) -> tuple[SupportPolicy, list[Labelled]]:
    labelled = asyncio.run(collect_signals(settings, tenant, load_cases(QUESTIONS)))
    policy = fit([i for i in labelled if i.case.labels.get("split") == "train"])
    return policy, labelled


class GrpcScores:
    """Scores through GetAnswerScore, as a product app would read them."""

    def __init__(self, settings: StackSettings) -> None:
        self.client = PlatformClient(settings)

    async def get(self, tenant_id: str, answer_id: str) -> Groundedness | None:
        request = evaluation_pb2.GetAnswerScoreRequest(tenant_id=tenant_id, answer_id=answer_id)
        try:
            score = self.client.evaluation.GetAnswerScore(request, timeout=10, metadata=self.client.auth(tenant_id))
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise
        claims = [ClaimScore(c.claim, c.support, c.supported, list(c.unsupported_entities)) for c in score.claims]
        return Groundedness(score.groundedness, score.hallucinated, claims)

    def close(self) -> None:
        self.client.close()


def run_cases(settings: StackSettings, tenant: str, cases: list[Case], wait_seconds: float = 60) -> list[CaseResult]:
    act_as_platform(settings)

    async def run() -> list[CaseResult]:
        query = QueryClient(target(settings, "query"))
        scores = GrpcScores(settings)
        try:
            return await run_suite(tenant, cases, query, scores, wait_seconds)
        finally:
            await query.close()
            scores.close()

    return asyncio.run(run())
