"""AnswerProduced and FeedbackGiven events (PII is already redacted in the Answer)."""

from __future__ import annotations

from llmops.common.v1.envelope_pb2 import TokenUsage
from llmops.query.v1 import events_pb2, query_pb2
from llmops_core.kafka import EventPublisher, new_envelope
from llmops_core.topics import ANSWERS, FEEDBACK
from llmops_query.domain.answers import Answer, Outcome, Status
from llmops_query.domain.feedback import Feedback

STATUSES = {
    Status.ANSWERED: query_pb2.ANSWER_STATUS_ANSWERED,
    Status.ABSTAINED: query_pb2.ANSWER_STATUS_ABSTAINED,
    Status.REFUSED: query_pb2.ANSWER_STATUS_REFUSED,
}


OUTCOMES = {
    Outcome.VERIFIED: query_pb2.ANSWER_OUTCOME_VERIFIED,
    Outcome.FALLBACK: query_pb2.ANSWER_OUTCOME_FALLBACK,
    Outcome.EXTRACTIVE: query_pb2.ANSWER_OUTCOME_EXTRACTIVE,
    Outcome.ABSTAINED: query_pb2.ANSWER_OUTCOME_ABSTAINED,
    Outcome.REFUSED: query_pb2.ANSWER_OUTCOME_REFUSED,
}


def citations(answer: Answer) -> list[query_pb2.Citation]:
    """Only the passages that support the final answer (set by the check or the extractive step)."""
    if answer.status is not Status.ANSWERED:
        return []
    return [
        query_pb2.Citation(document_id=c.passage.document_id, chunk_id=c.passage.chunk_id, title=c.passage.title,
                           source_uri=c.passage.source_uri, score=c.passage.score, snippet=c.snippet,
                           similarity=c.similarity)
        for c in answer.citations
    ]  # fmt: skip


def response(answer: Answer, trace_id: str) -> query_pb2.AskResponse:
    generated = answer.generated
    spent_in, spent_out, spent_cost = answer.spent()
    return query_pb2.AskResponse(
        answer_id=answer.answer_id,
        answer=answer.text,
        status=STATUSES[answer.status],
        reason=answer.reason,
        citations=citations(answer),
        trace_id=trace_id,
        model=generated.model if generated else "",
        prompt_name=generated.prompt_name if generated else "",
        prompt_version=generated.prompt_version if generated else 0,
        # Every draft's tokens and cost, the ones that failed the check or escalated included.
        usage=TokenUsage(input_tokens=spent_in, output_tokens=spent_out),
        cost_usd=spent_cost,
        latencies=[query_pb2.StageLatency(stage=k, milliseconds=v) for k, v in answer.latencies_ms.items()],
        outcome=OUTCOMES[answer.outcome],
        outcome_reason=answer.outcome_reason,
        route=answer.route,
        cache_hit=answer.cache_similarity is not None,
        cache_similarity=answer.cache_similarity or 0.0,
    )


async def publish_answer(publisher: EventPublisher, answer: Answer, ask: query_pb2.AskResponse) -> None:
    event = events_pb2.AnswerProduced(
        envelope=new_envelope(answer.tenant_id, "query"),
        answer_id=answer.answer_id,
        session_id=answer.session_id,
        question=answer.question,
        answer=answer.text,
        status=ask.status,
        reason=answer.reason,
        contexts=[
            events_pb2.RetrievedContext(
                chunk_id=p.chunk_id, document_id=p.document_id, text=p.text, score=p.score, similarity=p.similarity
            )
            for p in answer.passages
        ],
        citations=ask.citations,
        prompt_name=ask.prompt_name,
        prompt_version=ask.prompt_version,
        model=ask.model,
        provider=answer.generated.provider if answer.generated else "",
        usage=ask.usage,
        cost_usd=ask.cost_usd,
        latencies=ask.latencies,
        outcome=ask.outcome,
        outcome_reason=ask.outcome_reason,
        route=ask.route,
        cache_hit=ask.cache_hit,
        cache_similarity=ask.cache_similarity,
    )
    await publisher.publish(ANSWERS, answer.answer_id, event)


async def publish_feedback(publisher: EventPublisher, feedback: Feedback, feedback_id: str) -> None:
    event = events_pb2.FeedbackGiven(
        envelope=new_envelope(feedback.tenant_id, "query"),
        feedback_id=feedback_id,
        answer_id=feedback.answer_id,
        rating=feedback.rating,
        comment=feedback.comment,
    )
    await publisher.publish(FEEDBACK, feedback.answer_id, event)
