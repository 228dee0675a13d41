"""Domain results as contract messages."""

from __future__ import annotations

from llmops.evaluation.v1 import evaluation_pb2
from llmops_evaluation.domain.drift import DriftState
from llmops_evaluation.domain.groundedness import SCORER, SCORER_VERSION, Groundedness


def score_proto(answer_id: str, result: Groundedness) -> evaluation_pb2.AnswerScore:
    return evaluation_pb2.AnswerScore(
        answer_id=answer_id,
        groundedness=result.score,
        hallucinated=result.hallucinated,
        claims=[
            evaluation_pb2.ClaimScore(
                claim=c.claim, support=c.support, supported=c.supported, unsupported_entities=c.unsupported_entities
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
