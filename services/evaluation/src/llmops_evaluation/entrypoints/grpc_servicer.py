"""gRPC EvaluationService: golden-suite runs, answer scores and drift state."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import grpc

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops_core.errors import NotFound
from llmops_core.validation import require_tenant
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.domain.drift import DriftMonitor
from llmops_evaluation.domain.suites import judge, load_suite
from llmops_evaluation.entrypoints.protos import drift_proto, score_proto
from llmops_evaluation.settings import EvaluationSettings


class EvaluationServicer(evaluation_pb2_grpc.EvaluationServiceServicer):
    def __init__(
        self,
        store: PostgresScoreStore,
        monitors: dict[str, DriftMonitor],
        query: QueryClient,
        settings: EvaluationSettings,
    ) -> None:
        self.store = store
        self.monitors = monitors
        self.query = query
        self.settings = settings

    async def RunSuite(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.RunSuiteRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.SuiteResult:
        tenant_id = require_tenant(request.tenant_id)
        cases = load_suite(Path(self.settings.suites_dir), request.suite_name)
        asked = [(case, *await self.query.ask(tenant_id, case.question)) for case in cases]
        # Scores arrive asynchronously from the answers topic; wait a bounded time for them.
        deadline = time.monotonic() + self.settings.suite_score_wait_seconds
        results = []
        for case, answer_id, outcome in asked:
            score = await self.store.get(tenant_id, answer_id)
            while score is None and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                score = await self.store.get(tenant_id, answer_id)
            verdict = judge(case, outcome)
            results.append(
                evaluation_pb2.SuiteCaseResult(
                    question=case.question, answer_id=answer_id, cited_expected_document=verdict.cited_expected,
                    abstained_as_expected=verdict.abstained_as_expected,
                    groundedness=score.score if score else 0.0, passed=verdict.passed,
                    detail=verdict.detail if score else "; ".join(filter(None, [verdict.detail, "not scored in time"])),
                )
            )  # fmt: skip
        return evaluation_pb2.SuiteResult(
            run_id=str(uuid.uuid4()),
            suite_name=request.suite_name,
            cases=len(results),
            passed=sum(r.passed for r in results),
            results=results,
        )

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
