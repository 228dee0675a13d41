"""The evaluation service's use cases: score one answer on demand, and run a suite through the front door.

The gRPC servicer only translates messages into these calls; the Kafka scorer and ``ScoreAnswer``
share ``score_answer``, and ``RunSuite`` for a named suite or an uploaded file shares ``run_suite``.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from llmops_core.errors import InvalidArgument
from llmops_evaluation.domain.gaps import GapCluster, cluster_questions
from llmops_evaluation.domain.groundedness import Groundedness, score_answer
from llmops_evaluation.domain.suites import Case, Judgement, Outcome, judge
from llmops_grounding import Embedder, SupportPolicy

MAX_CONTEXTS = 20
MAX_CONTEXT_CHARS = 20_000
MAX_ANSWER_CHARS = 8_000


class FrontDoor(Protocol):
    async def ask(self, tenant_id: str, question: str) -> Outcome: ...


class ScoreReader(Protocol):
    async def get(self, tenant_id: str, answer_id: str) -> Groundedness | None: ...


@dataclass(frozen=True)
class CaseResult:
    case: Case
    outcome: Outcome
    judgement: Judgement
    score: Groundedness | None


@dataclass(frozen=True)
class SuiteTotals:
    """What a run adds up to, the same for RunSuite, `llmops eval run` and the quality bench."""

    cases: int
    passed: int
    expected_answered: int
    right_answers: int
    answerable_not_answered: int
    outcomes_of_answerable: dict[str, int]
    expected_abstained: int
    abstained: int
    abstained_correctly: int
    hallucination_flags: int
    median_latency_ms: float
    tokens: int


def suite_totals(results: list[CaseResult]) -> SuiteTotals:
    answerable = [r for r in results if r.case.expect == "answered"]
    return SuiteTotals(
        cases=len(results),
        passed=sum(r.judgement.passed for r in results),
        expected_answered=len(answerable),
        right_answers=sum(r.judgement.right_answer for r in answerable),
        answerable_not_answered=sum(r.outcome.status != "answered" for r in answerable),
        outcomes_of_answerable=dict(sorted(Counter(r.outcome.outcome for r in answerable).items())),
        expected_abstained=sum(r.case.expect == "abstained" for r in results),
        abstained=sum(r.outcome.status == "abstained" for r in results),
        abstained_correctly=sum(r.judgement.abstained_as_expected for r in results),
        hallucination_flags=sum(bool(r.score and r.score.hallucinated) for r in results),
        median_latency_ms=statistics.median(r.outcome.latency_ms for r in results) if results else 0.0,
        tokens=sum(r.outcome.input_tokens + r.outcome.output_tokens for r in results),
    )


async def score_on_demand(
    answer: str, contexts: list[str], embedder: Embedder, policy: SupportPolicy, question: str = ""
) -> Groundedness:
    if not answer.strip() or len(answer) > MAX_ANSWER_CHARS:
        raise InvalidArgument(f"answer must be 1-{MAX_ANSWER_CHARS} characters")
    if not 1 <= len(contexts) <= MAX_CONTEXTS or any(len(c) > MAX_CONTEXT_CHARS for c in contexts):
        raise InvalidArgument(f"give 1-{MAX_CONTEXTS} contexts of at most {MAX_CONTEXT_CHARS} characters each")
    return await score_answer(answer, contexts, embedder, policy, question)


async def run_suite(
    tenant_id: str, cases: list[Case], front_door: FrontDoor, scores: ScoreReader, score_wait_seconds: float
) -> list[CaseResult]:
    """Ask every case like a product app would, then judge each with its asynchronous score.

    Scores arrive from the `answers` topic; an answer still unscored after the wait is judged as
    not flagged and reported as unscored (never silently passed as scored).
    """
    asked = [(case, await front_door.ask(tenant_id, case.question)) for case in cases]
    deadline = time.monotonic() + score_wait_seconds
    results = []
    for case, outcome in asked:
        score = await scores.get(tenant_id, outcome.answer_id)
        while score is None and outcome.status == "answered" and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            score = await scores.get(tenant_id, outcome.answer_id)
        results.append(CaseResult(case, outcome, judge(case, outcome, bool(score and score.hallucinated)), score))
    return results


class AbstainedQuestions(Protocol):
    async def abstained(self, tenant_id: str, limit: int) -> list[str]: ...


# Questions at least this close to a group's centroid (MiniLM cosine) ask the same thing.
GAP_SIMILARITY = 0.6


async def knowledge_gaps(
    tenant_id: str, max_questions: int, questions: AbstainedQuestions, embedder: Embedder
) -> tuple[int, list[GapCluster]]:
    """The latest abstained questions grouped by what they ask, largest group first."""
    if not 0 <= max_questions <= 2000:
        raise InvalidArgument(f"max_questions must be 1-2000 (0 means 500), not {max_questions}")
    asked = await questions.abstained(tenant_id, max_questions or 500)
    if not asked:
        return 0, []
    vectors = await embedder.embed(asked)
    return len(asked), cluster_questions(asked, vectors, GAP_SIMILARITY)
