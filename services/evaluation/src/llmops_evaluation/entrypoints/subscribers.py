"""Kafka: score every answer (answers -> answers.scored), watch scores and feedback for drift
(answers.scored, feedback -> drift.alerts)."""

from __future__ import annotations

from typing import Protocol

from faststream.kafka import KafkaBroker

from llmops.evaluation.v1.events_pb2 import AnswerScored
from llmops.query.v1.events_pb2 import AnswerProduced, FeedbackGiven
from llmops.query.v1.query_pb2 import ANSWER_STATUS_ABSTAINED, ANSWER_STATUS_ANSWERED, ANSWER_STATUS_REFUSED
from llmops_core.kafka import EventPublisher, PermanentError, consumer_options, new_envelope, proto_decoder
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, FEEDBACK
from llmops_core.validation import is_tenant_id
from llmops_evaluation.domain.groundedness import Embedder, Groundedness, score_answer
from llmops_evaluation.drift_use_cases import DriftLoop, ScoredAnswer
from llmops_evaluation.entrypoints.protos import score_proto
from llmops_evaluation.settings import EvaluationSettings
from llmops_grounding import SupportPolicy


class ScoreSink(Protocol):
    async def save(
        self, tenant_id: str, answer_id: str, result: Groundedness, trace_id: str, cited_documents: list[str]
    ) -> None: ...


class FeedbackSink(Protocol):
    async def save(self, tenant_id: str, feedback_id: str, answer_id: str, rating: int, comment: str) -> None: ...

    async def save_abstained(
        self, tenant_id: str, answer_id: str, question: str, top_similarity: float | None
    ) -> None: ...


STATUS_NAMES = {
    ANSWER_STATUS_ANSWERED: "answered",
    ANSWER_STATUS_ABSTAINED: "abstained",
    ANSWER_STATUS_REFUSED: "refused",
}


def register(
    broker: KafkaBroker,
    embedder: Embedder,
    store: ScoreSink,
    feedback: FeedbackSink,
    drift: DriftLoop,
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
        cited = sorted({c.document_id for c in answer.citations if c.document_id})
        await store.save(tenant, answer.answer_id, result, answer.envelope.trace_id, cited)
        envelope = new_envelope(tenant, "evaluation")
        envelope.trace_id = answer.envelope.trace_id  # the Ask call's trace, end to end
        scored = AnswerScored(
            envelope=envelope,
            score=score_proto(answer.answer_id, result),
            model=answer.model,
            prompt_name=answer.prompt_name,
            prompt_version=answer.prompt_version,
            status=answer.status,
            question=answer.question,
        )
        if answer.contexts:
            scored.top_similarity = max(c.similarity for c in answer.contexts)
        if answer.status == ANSWER_STATUS_ABSTAINED and answer.question.strip():
            top = scored.top_similarity if scored.HasField("top_similarity") else None
            await feedback.save_abstained(tenant, answer.answer_id, answer.question, top)
        await publisher.publish(ANSWERS_SCORED, tenant, scored)

    @broker.subscriber(
        ANSWERS_SCORED, group_id=f"{settings.consumer_group}-drift", decoder=proto_decoder(AnswerScored), **options
    )
    async def watch(scored: AnswerScored) -> None:
        tenant = scored.envelope.tenant_id
        status = STATUS_NAMES.get(scored.status)
        if not is_tenant_id(tenant) or status is None or not scored.score.answer_id:
            raise PermanentError(
                f"score of answer {scored.score.answer_id[:64]!r}: a valid tenant id, answer id and status are needed"
            )
        # The question's embedding for the question-shift signal (a failure retries the event: the
        # drift state is changed only after it).
        vectors = await embedder.embed([scored.question[:2000]]) if scored.question.strip() else [None]
        await drift.observe_answer(
            ScoredAnswer(
                tenant,
                scored.score.answer_id,
                status,
                scored.score.groundedness,
                scored.score.hallucinated,
                scored.top_similarity if scored.HasField("top_similarity") else None,
                vectors[0],
            )
        )

    @broker.subscriber(
        FEEDBACK, group_id=f"{settings.consumer_group}-feedback", decoder=proto_decoder(FeedbackGiven), **options
    )
    async def on_feedback(given: FeedbackGiven) -> None:
        tenant = given.envelope.tenant_id
        if not is_tenant_id(tenant) or not given.feedback_id or not given.answer_id:
            raise PermanentError(
                f"feedback {given.feedback_id[:64]!r} lacks a valid tenant id, feedback id or answer id"
            )
        await feedback.save(tenant, given.feedback_id, given.answer_id, given.rating, given.comment)
        await drift.observe_feedback(tenant, given.feedback_id, given.answer_id, given.rating)
