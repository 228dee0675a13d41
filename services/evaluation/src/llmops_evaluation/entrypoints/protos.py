"""Domain results as contract messages."""

from __future__ import annotations

from llmops.evaluation.v1 import evaluation_pb2
from llmops_evaluation.domain.drift import DriftState
from llmops_evaluation.domain.groundedness import SCORER, SCORER_VERSION, Groundedness
from llmops_evaluation.use_cases import CaseResult, suite_totals


def score_proto(answer_id: str, result: Groundedness) -> evaluation_pb2.AnswerScore:
    return evaluation_pb2.AnswerScore(
        answer_id=answer_id,
        groundedness=result.score,
        hallucinated=result.hallucinated,
        claims=[
            evaluation_pb2.ClaimScore(
                claim=c.claim,
                support=c.support,
                supported=c.supported,
                unsupported_entities=c.unsupported_entities,
                verdict=c.verdict,
                evidence=c.evidence,
                evidence_context=c.evidence_context,
                reason=c.reason,
            )
            for c in result.claims
        ],
        scorer=SCORER,
        scorer_version=SCORER_VERSION,
    )


def drift_proto(state: DriftState) -> evaluation_pb2.DriftState:
    return evaluation_pb2.DriftState(
        reference_size=state.reference_size,
        current_size=state.current_size,
        reference_hallucination_rate=state.reference_rate,
        current_hallucination_rate=state.current_rate,
        tests=[
            evaluation_pb2.DriftTest(
                name=t.name,
                metric=t.metric,
                statistic=t.statistic,
                p_value=t.p_value,
                threshold=t.threshold,
                drifted=t.drifted,
            )
            for t in state.tests
        ],
        drifting=state.drifting,
    )


def suite_proto(run_id: str, suite_name: str, results: list[CaseResult]) -> evaluation_pb2.SuiteResult:
    cases = [
        evaluation_pb2.SuiteCaseResult(
            question=r.case.question, answer_id=r.outcome.answer_id, expected=r.case.expect, status=r.outcome.status,
            outcome=r.outcome.outcome, answer=r.outcome.answer, passed=r.judgement.passed,
            cited_expected_document=r.judgement.cited_expected, facts_present=r.judgement.facts_present,
            missing_facts=r.judgement.missing_facts, abstained_as_expected=r.judgement.abstained_as_expected,
            hallucinated=bool(r.score and r.score.hallucinated), scored=r.score is not None,
            groundedness=r.score.score if r.score else 0.0, detail=r.judgement.detail,
            latency_ms=r.outcome.latency_ms, input_tokens=r.outcome.input_tokens,
            output_tokens=r.outcome.output_tokens,
        )
        for r in results
    ]  # fmt: skip
    totals = suite_totals(results)
    return evaluation_pb2.SuiteResult(
        run_id=run_id,
        suite_name=suite_name,
        cases=totals.cases,
        passed=totals.passed,
        results=cases,
        expected_answered=totals.expected_answered,
        right_answers=totals.right_answers,
        expected_abstained=totals.expected_abstained,
        abstained_correctly=totals.abstained_correctly,
        hallucination_flags=totals.hallucination_flags,
    )
