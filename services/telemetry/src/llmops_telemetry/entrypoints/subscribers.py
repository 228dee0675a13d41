"""Kafka: fold every platform topic into aggregates and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from llmops.evaluation.v1.events_pb2 import AnswerScored, DriftAlert
from llmops.ingestion.v1.ingestion_pb2 import IngestReport
from llmops.query.v1 import query_pb2
from llmops.query.v1.events_pb2 import AnswerProduced, FeedbackGiven
from llmops_core.kafka import consumer_options, proto_decoder
from llmops_core.topics import (
    ALL_TOPICS,
    ANSWERS,
    ANSWERS_SCORED,
    DOCS_SOURCES_DLQ,
    DRIFT_ALERTS,
    FEEDBACK,
    INGEST_REPORTS,
)
from llmops_core.validation import is_tenant_id
from llmops_telemetry.adapters import prometheus as metrics
from llmops_telemetry.domain.aggregates import MAX_STAGES, Aggregates, AnswerRow
from llmops_telemetry.settings import TelemetrySettings

STATUS_NAMES = {
    query_pb2.ANSWER_STATUS_ANSWERED: "answered",
    query_pb2.ANSWER_STATUS_ABSTAINED: "abstained",
    query_pb2.ANSWER_STATUS_REFUSED: "refused",
}


def register(broker: KafkaBroker, aggregates: Aggregates, settings: TelemetrySettings) -> None:
    options = consumer_options(settings.kafka)
    group = settings.consumer_group
    tenant_label = metrics.BoundedLabels(settings.metric_tenants, accept=is_tenant_id)
    stage_label = metrics.BoundedLabels(MAX_STAGES)

    @broker.subscriber(ANSWERS, group_id=group, decoder=proto_decoder(AnswerProduced), **options)
    async def on_answer(event: AnswerProduced) -> None:
        tenant, status = event.envelope.tenant_id, STATUS_NAMES.get(event.status, "unknown")
        prompt = f"{event.prompt_name}@v{event.prompt_version}" if event.prompt_name else ""
        row = AnswerRow(
            event.answer_id, event.envelope.occurred_at.ToSeconds(), event.question, status, event.envelope.trace_id,
            prompt=prompt, route=event.route, cache_hit=event.cache_hit,
        )  # fmt: skip
        stages = {s.stage: s.milliseconds for s in event.latencies}
        tokens = (event.usage.input_tokens, event.usage.output_tokens)
        if not aggregates.answer(tenant, row, tokens, event.cost_usd, stages):
            return
        label = tenant_label(tenant)
        metrics.ANSWERS.labels(label, status).inc()
        if event.cache_hit:
            metrics.CACHE_HITS.labels(label).inc()
        metrics.TOKENS.labels(label, "input").inc(event.usage.input_tokens)
        metrics.TOKENS.labels(label, "output").inc(event.usage.output_tokens)
        metrics.COST.labels(label).inc(event.cost_usd)
        for stage, ms in stages.items():
            metrics.STAGE_LATENCY.labels(stage_label(stage)).observe(ms / 1000)

    @broker.subscriber(ANSWERS_SCORED, group_id=group, decoder=proto_decoder(AnswerScored), **options)
    async def on_score(event: AnswerScored) -> None:
        tenant, score = event.envelope.tenant_id, event.score
        at = event.envelope.occurred_at.ToSeconds()
        if aggregates.scored(tenant, score.answer_id, score.groundedness, score.hallucinated, at):
            label = tenant_label(tenant)
            metrics.SCORED.labels(label, str(score.hallucinated).lower()).inc()
            numbers = aggregates.find(tenant)
            if label != metrics.OTHER and numbers is not None:  # one tenant's rate is not the others'
                metrics.HALLUCINATION_RATE.labels(label).set(numbers.hallucination_rate)

    @broker.subscriber(DRIFT_ALERTS, group_id=group, decoder=proto_decoder(DriftAlert), **options)
    async def on_drift(event: DriftAlert) -> None:
        if aggregates.drift_alert(event.envelope.tenant_id, event.envelope.occurred_at.ToSeconds()):
            metrics.DRIFT_ALERTS.labels(tenant_label(event.envelope.tenant_id)).inc()

    @broker.subscriber(FEEDBACK, group_id=group, decoder=proto_decoder(FeedbackGiven), **options)
    async def on_feedback(event: FeedbackGiven) -> None:
        if aggregates.feedback(event.envelope.tenant_id, event.rating):  # only ratings -1, 0 and 1 count
            metrics.FEEDBACK.labels(tenant_label(event.envelope.tenant_id), str(event.rating)).inc()

    @broker.subscriber(INGEST_REPORTS, group_id=group, decoder=proto_decoder(IngestReport), **options)
    async def on_ingest(event: IngestReport) -> None:
        metrics.CHUNKS.labels(tenant_label(event.envelope.tenant_id)).inc(event.chunks_published)

    async def raw(msg: StreamMessage[Any]) -> str:
        return str(msg.raw_message.topic)

    @broker.subscriber(*[f"{t}.dlq" for t in ALL_TOPICS], DOCS_SOURCES_DLQ, group_id=group, decoder=raw, **options)
    async def on_dead_letter(topic: str) -> None:
        metrics.DEAD_LETTERS.labels(topic).inc()
        aggregates.dead_letter(topic)
