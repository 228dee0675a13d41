"""The evaluation service's Kafka subscribers over FastStream's in-memory broker, with fakes for the
stores: answers are scored and published keyed by tenant, scores and feedback feed the drift loop,
and events no one could have sent are dead-lettered with a reason."""

from __future__ import annotations

from typing import Any

from faststream.kafka import TestKafkaBroker
from faststream.message import StreamMessage

from llmops.evaluation.v1.events_pb2 import AnswerScored
from llmops.query.v1.events_pb2 import AnswerProduced, FeedbackGiven, RetrievedContext
from llmops.query.v1.query_pb2 import ANSWER_STATUS_ABSTAINED, ANSWER_STATUS_ANSWERED, Citation
from llmops_core.kafka import build_broker, new_envelope
from llmops_core.kafka.dead_letter import HEADER_ERROR
from llmops_core.settings import KafkaSettings
from llmops_core.topics import ANSWERS, ANSWERS_SCORED, FEEDBACK
from llmops_evaluation.domain.drift_policy import parse_drift_policies
from llmops_evaluation.domain.groundedness import Groundedness
from llmops_evaluation.domain.tenant_drift import DriftConfig
from llmops_evaluation.drift_use_cases import DriftLoop
from llmops_evaluation.entrypoints import subscribers
from llmops_evaluation.settings import EvaluationSettings
from tests.unit.evaluation.fakes import Hook, MemoryFeedback, MemoryStore, Publisher, Review
from tests.unit.grounding.fakes import WordOverlapEmbedder

KAFKA = KafkaSettings(retry_initial_seconds=0.01, retry_max_interval_seconds=0.05, retry_deadline_seconds=1)


class Scores:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[Groundedness, list[str]]] = {}

    async def save(
        self, tenant_id: str, answer_id: str, result: Groundedness, trace_id: str, cited_documents: list[str]
    ) -> None:
        self.saved[answer_id] = (result, cited_documents)


class Abstentions(MemoryFeedback):
    def __init__(self) -> None:
        super().__init__()
        self.abstained_questions: list[str] = []

    async def save_abstained(self, tenant_id: str, answer_id: str, question: str, top_similarity: float | None) -> None:
        self.abstained_questions.append(question)


async def as_message(msg: StreamMessage[Any]) -> StreamMessage[Any]:
    return msg


async def test_scores_drift_and_feedback_flow_through_the_subscribers() -> None:
    scores, feedback, drift_store = Scores(), Abstentions(), MemoryStore()
    policies = parse_drift_policies({"policies": {"default": {}}})
    drift = DriftLoop(drift_store, Publisher(), DriftConfig(), policies, Review(), Hook())
    broker = build_broker(KAFKA, client_id="unit", logger=None)
    subscribers.register(
        broker,
        WordOverlapEmbedder(),
        scores,
        feedback,
        drift,
        EvaluationSettings(kafka=KAFKA),  # type: ignore[arg-type]
    )
    published: list[tuple[bytes | None, AnswerScored]] = []
    dead: list[StreamMessage[Any]] = []

    @broker.subscriber(ANSWERS_SCORED, group_id="reader", decoder=as_message)
    async def on_scored(msg: StreamMessage[Any]) -> None:
        published.append((msg.raw_message.key, AnswerScored.FromString(msg.body)))  # type: ignore[union-attr]

    @broker.subscriber(f"{FEEDBACK}.dlq", group_id="reader", decoder=as_message)
    async def on_dead(msg: StreamMessage[Any]) -> None:
        dead.append(msg)

    passage = "Items can be returned within 30 days of delivery."
    answered = AnswerProduced(
        envelope=new_envelope("acme", "tests"), answer_id="a1", question="How long for returns?",
        answer="Items can be returned within 30 days of delivery.", status=ANSWER_STATUS_ANSWERED,
        contexts=[RetrievedContext(chunk_id="c1", document_id="returns.md", text=passage, similarity=0.8)],
        citations=[Citation(document_id="returns.md", chunk_id="c1")],
    )  # fmt: skip
    abstained = AnswerProduced(
        envelope=new_envelope("acme", "tests"), answer_id="a2", question="Do you rent kayaks?",
        status=ANSWER_STATUS_ABSTAINED,
    )  # fmt: skip
    negative = FeedbackGiven(envelope=new_envelope("acme", "tests"), feedback_id="f1", answer_id="a1", rating=-1)
    anonymous = FeedbackGiven(envelope=new_envelope("", "tests"), feedback_id="f2", answer_id="a1", rating=-1)
    async with TestKafkaBroker(broker) as test_broker:
        for event in (answered, abstained):
            await test_broker.publish(event.SerializeToString(), ANSWERS, key=event.answer_id.encode())
        for message in (negative, anonymous):
            await test_broker.publish(message.SerializeToString(), FEEDBACK, key=b"a1")

    result, cited = scores.saved["a1"]
    assert not result.hallucinated and cited == ["returns.md"]
    assert feedback.abstained_questions == ["Do you rent kayaks?"]
    assert [(key, e.score.answer_id, e.status, e.question) for key, e in published] == [
        (b"acme", "a1", ANSWER_STATUS_ANSWERED, "How long for returns?"),
        (b"acme", "a2", ANSWER_STATUS_ABSTAINED, "Do you rent kayaks?"),
    ]
    assert published[0][1].top_similarity == 0.8 and not published[1][1].HasField("top_similarity")
    assert drift_store.seen == {("acme", "answer:a1"), ("acme", "answer:a2"), ("acme", "feedback:f1")}
    assert [m.headers[HEADER_ERROR] for m in dead] and "tenant" in dead[0].headers[HEADER_ERROR]
