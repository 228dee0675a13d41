"""gRPC EvaluationService: answer scores and drift state (RunSuite arrives with the golden-set runner)."""

from __future__ import annotations

import grpc

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops_core.errors import NotFound
from llmops_core.validation import require_tenant
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.domain.drift import DriftMonitor
from llmops_evaluation.entrypoints.protos import drift_proto, score_proto


class EvaluationServicer(evaluation_pb2_grpc.EvaluationServiceServicer):
    def __init__(self, store: PostgresScoreStore, monitors: dict[str, DriftMonitor]) -> None:
        self.store = store
        self.monitors = monitors

    async def GetAnswerScore(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.GetAnswerScoreRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.AnswerScore:
        tenant_id = require_tenant(request.tenant_id)
        result = await self.store.get(tenant_id, request.answer_id)
        if result is None:
            raise NotFound(f"answer {request.answer_id!r} has not been scored (yet)")
        return score_proto(request.answer_id, result)

    async def GetDriftState(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.GetDriftStateRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.DriftState:
        tenant_id = require_tenant(request.tenant_id)
        monitor = self.monitors.get(tenant_id)
        if monitor is None:
            raise NotFound(f"no scored answers for tenant {tenant_id!r} since this service started")
        return drift_proto(monitor.state())
