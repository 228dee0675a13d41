"""gRPC TelemetryService: the dashboard aggregates for programs."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from llmops.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc
from llmops_core.errors import NotFound
from llmops_core.validation import next_page_token, page_window, require_tenant
from llmops_telemetry.domain.aggregates import Aggregates, unknown_tenant


class TelemetryServicer(telemetry_pb2_grpc.TelemetryServiceServicer):
    def __init__(self, aggregates: Aggregates) -> None:
        self.aggregates = aggregates

    async def GetSummary(  # noqa: N802 (gRPC method name)
        self, request: telemetry_pb2.GetSummaryRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.Summary:
        tenant = require_tenant(request.tenant_id)
        t = self.aggregates.find(tenant)
        if t is None:
            raise NotFound(unknown_tenant(tenant))
        return telemetry_pb2.Summary(
            answers=t.answers, refusals=t.refusals, abstentions=t.abstentions, input_tokens=t.input_tokens,
            output_tokens=t.output_tokens, cost_usd=t.cost_usd, hallucination_rate=t.hallucination_rate,
            drift_alerts=t.drift_alerts,
            latencies=[
                telemetry_pb2.StageLatencySummary(stage=stage, p50_ms=p50, p95_ms=p95)
                for stage, (p50, p95) in t.latency_percentiles().items()
            ],
        )  # fmt: skip

    async def ListAnswers(  # noqa: N802 (gRPC method name)
        self, request: telemetry_pb2.ListAnswersRequest, context: grpc.aio.ServicerContext
    ) -> telemetry_pb2.ListAnswersResponse:
        tenant = require_tenant(request.tenant_id)
        offset, size = page_window(request.page.page_size, request.page.page_token)
        rows = self.aggregates.newest_answers(tenant)
        if rows is None:
            raise NotFound(unknown_tenant(tenant))
        page = []
        for row in rows[offset : offset + size]:
            occurred = Timestamp()
            occurred.FromNanoseconds(int(row.occurred_at * 1e9))
            page.append(
                telemetry_pb2.AnswerRow(
                    answer_id=row.answer_id, occurred_at=occurred, question=row.question, status=row.status,
                    groundedness=row.groundedness or 0.0, hallucinated=bool(row.hallucinated), trace_id=row.trace_id,
                )
            )  # fmt: skip
        token = next_page_token(offset, size, offset + size < len(rows))
        return telemetry_pb2.ListAnswersResponse(answers=page, next_page_token=token)
