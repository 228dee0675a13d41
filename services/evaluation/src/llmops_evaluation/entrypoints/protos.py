"""Domain results as contract messages."""

from __future__ import annotations

from llmops.evaluation.v1 import evaluation_pb2, events_pb2
from llmops.evaluation.v1.events_pb2 import DRIFT_SEVERITY_CRITICAL, DRIFT_SEVERITY_WARNING
from llmops_core.kafka import new_envelope
from llmops_evaluation.domain.alerts import RaisedAlert
from llmops_evaluation.domain.groundedness import SCORER, SCORER_VERSION, Groundedness
from llmops_evaluation.drift_use_cases import DriftView
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


def drift_proto(view: DriftView) -> evaluation_pb2.DriftState:
    return evaluation_pb2.DriftState(
        tenant_id=view.tenant_id,
        signals=[
            evaluation_pb2.DriftSignal(
                name=s.signal,
                phase=s.phase,
                direction=s.direction,
                reference=s.reference or 0.0,
                current=s.current or 0.0,
                test=s.test,
                statistic=s.statistic,
                threshold=s.threshold or 0.0,
                observations=s.observations if s.phase == "monitoring" else s.reference_count,
            )
            for s in view.detector.state()
        ],
        drifting=bool(view.open_alerts),
        open_alerts=[
            evaluation_pb2.DriftAlertRecord(
                alert_id=a.alert_id,
                signal=a.signal,
                summary=a.summary,
                suggested_action=a.suggested_action,
                raised_at=a.raised_at.isoformat(),
            )
            for a in view.open_alerts
        ],
    )


def alert_event(alert: RaisedAlert) -> events_pb2.DriftAlert:
    # Critical: a rise in invented answers reaches users; every other signal is a warning to look.
    severity = DRIFT_SEVERITY_CRITICAL if alert.signal == "hallucination_rate" else DRIFT_SEVERITY_WARNING
    return events_pb2.DriftAlert(
        envelope=new_envelope(alert.tenant_id, "evaluation"),
        alert_id=alert.alert_id,
        severity=severity,
        summary=alert.summary,
        signal=evaluation_pb2.DriftSignal(
            name=alert.signal,
            phase="monitoring",
            direction=alert.direction,
            reference=alert.reference,
            current=alert.current,
            test=alert.test,
            statistic=alert.statistic,
            threshold=alert.threshold,
            observations=alert.observations,
        ),
        shift=alert.shift,
        suggested_action=alert.suggested_action,
        evidence_answer_ids=alert.evidence,
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
