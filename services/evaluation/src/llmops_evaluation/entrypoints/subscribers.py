"""Kafka: score every answer (answers -> answers.scored) and watch the scores for drift (-> drift.alerts)."""

from __future__ import annotations

import uuid

from faststream.kafka import KafkaBroker

from llmops.evaluation.v1.events_pb2 import DRIFT_SEVERITY_CRITICAL, AnswerScored, DriftAlert
from llmops.query.v1.events_pb2 import AnswerProduced
from llmops.query.v1.query_pb2 import ANSWER_STATUS_ANSWERED
from llmops_core.kafka import EventPublisher, consumer_options, new_envelope, proto_decoder
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, DRIFT_ALERTS
from llmops_core.validation import is_tenant_id
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.domain.drift import DriftMonitors
from llmops_evaluation.domain.groundedness import Embedder, Groundedness, score_answer
from llmops_evaluation.entrypoints.protos import drift_proto, score_proto
from llmops_evaluation.settings import EvaluationSettings
from llmops_grounding import SupportPolicy


def register(
    broker: KafkaBroker,
    embedder: Embedder,
    store: PostgresScoreStore,
    monitors: DriftMonitors,
    settings: EvaluationSettings,
) -> None:
    publisher = EventPublisher(broker)
    options = consumer_options(settings.kafka)

    @broker.subscriber(
        ANSWERS, group_id=f"{settings.consumer_group}-scorer", decoder=proto_decoder(AnswerProduced), **options
    )
    async def score(answer: AnswerProduced) -> None:
        if answer.status == ANSWER_STATUS_ANSWERED:
            contexts = [c.text for c in answer.contexts]
            result = await score_answer(
                answer.answer, contexts, embedder, SupportPolicy(settings.claim_min_support), answer.question
            )
        else:  # a refusal or an abstention states nothing that could be invented
            result = Groundedness(1.0, False, [])
        tenant = answer.envelope.tenant_id
        await store.save(tenant, answer.answer_id, result, answer.envelope.trace_id)
        envelope = new_envelope(tenant, "evaluation")
        envelope.trace_id = answer.envelope.trace_id  # the Ask call's trace, end to end
        scored = AnswerScored(
            envelope=envelope,
            score=score_proto(answer.answer_id, result),
            model=answer.model,
            prompt_name=answer.prompt_name,
            prompt_version=answer.prompt_version,
        )
        await publisher.publish(ANSWERS_SCORED, answer.answer_id, scored)

    @broker.subscriber(
        ANSWERS_SCORED, group_id=f"{settings.consumer_group}-drift", decoder=proto_decoder(AnswerScored), **options
    )
    async def watch(scored: AnswerScored) -> None:
        tenant = scored.envelope.tenant_id
        if not is_tenant_id(tenant):  # no API accepts it, so no one could ask for its drift
            return
        state = monitors.observe(tenant, scored.score.groundedness, scored.score.hallucinated)
        if state is not None:
            alert = DriftAlert(
                envelope=new_envelope(tenant, "evaluation"),
                alert_id=str(uuid.uuid4()),
                severity=DRIFT_SEVERITY_CRITICAL,
                state=drift_proto(state),
                summary=state.summary(),
            )
            await publisher.publish(DRIFT_ALERTS, tenant, alert)
