"""gRPC EvaluationService: golden-suite runs, answer scores and drift state."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc

from llmops.evaluation.v1 import evaluation_pb2, evaluation_pb2_grpc
from llmops_core.errors import InvalidArgument, NotFound
from llmops_core.validation import require_tenant
from llmops_evaluation.adapters.feedback_store import PostgresFeedbackStore
from llmops_evaluation.adapters.query_client import QueryClient
from llmops_evaluation.adapters.score_store import PostgresScoreStore
from llmops_evaluation.domain.groundedness import Embedder
from llmops_evaluation.domain.suites import SUITE_NAME, load_suite, parse_suite
from llmops_evaluation.drift_use_cases import DriftLoop
from llmops_evaluation.entrypoints.protos import drift_proto, score_proto, suite_proto
from llmops_evaluation.settings import EvaluationSettings
from llmops_evaluation.use_cases import knowledge_gaps, run_suite, score_on_demand
from llmops_grounding import SupportPolicy


class EvaluationServicer(evaluation_pb2_grpc.EvaluationServiceServicer):
    def __init__(
        self,
        store: PostgresScoreStore,
        drift: DriftLoop,
        feedback: PostgresFeedbackStore,
        query: QueryClient,
        embedder: Embedder,
        settings: EvaluationSettings,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.drift = drift
        self.feedback = feedback
        self.query = query
        self.settings = settings

    async def RunSuite(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.RunSuiteRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.SuiteResult:
        tenant_id = require_tenant(request.tenant_id)
        if request.suite_file:
            if not SUITE_NAME.match(request.suite_name):
                raise InvalidArgument("suite_name must name the run: 1-64 characters of [a-z0-9_-]")
            cases = parse_suite(request.suite_file, request.suite_format or "yaml")
        else:
            cases = load_suite(Path(self.settings.suites_dir), request.suite_name)
        results = await run_suite(tenant_id, cases, self.query, self.store, self.settings.suite_score_wait_seconds)
        return suite_proto(str(uuid.uuid4()), request.suite_name, results)

    async def ScoreAnswer(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.ScoreAnswerRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.AnswerScore:
        require_tenant(request.tenant_id)
        policy = SupportPolicy(self.settings.claim_min_support)
        result = await score_on_demand(request.answer, list(request.contexts), self.embedder, policy, request.question)
        return score_proto("", result)

    async def GetAnswerScore(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.GetAnswerScoreRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.AnswerScore:
        tenant_id = require_tenant(request.tenant_id)
        result = await self.store.get(tenant_id, request.answer_id)
        if result is None:
            raise NotFound(f"answer {request.answer_id[:64]!r} has not been scored (yet)")  # not all of a huge id
        return score_proto(request.answer_id, result)

    async def GetDriftState(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.GetDriftStateRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.DriftState:
        tenant_id = require_tenant(request.tenant_id)
        view = await self.drift.view(tenant_id)
        if view is None:
            raise NotFound(f"no scored answers for tenant {tenant_id!r} yet")
        return drift_proto(view)

    async def ResetDrift(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.ResetDriftRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.DriftState:
        tenant_id = require_tenant(request.tenant_id)
        if await self.drift.view(tenant_id) is None:
            raise NotFound(f"no scored answers for tenant {tenant_id!r} yet: nothing to reset")
        return drift_proto(await self.drift.reset(tenant_id, request.relearn))

    async def ListReviewAnswers(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.ListReviewAnswersRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.ListReviewAnswersResponse:
        tenant_id = require_tenant(request.tenant_id)
        size = request.page_size or 20
        if not 1 <= size <= 100:
            raise InvalidArgument(f"page_size must be 1-100 (0 means 20), not {request.page_size}")
        items = await self.feedback.to_review(tenant_id, size)
        return evaluation_pb2.ListReviewAnswersResponse(
            answers=[
                evaluation_pb2.ReviewAnswer(
                    answer_id=i.answer_id,
                    rating=i.rating,
                    comment=i.comment,
                    has_score=i.groundedness is not None,
                    groundedness=i.groundedness or 0.0,
                    hallucinated=bool(i.hallucinated),
                )
                for i in items
            ]
        )

    async def GetKnowledgeGaps(  # noqa: N802 (gRPC method name)
        self, request: evaluation_pb2.GetKnowledgeGapsRequest, context: grpc.aio.ServicerContext
    ) -> evaluation_pb2.KnowledgeGaps:
        tenant_id = require_tenant(request.tenant_id)
        read, clusters = await knowledge_gaps(tenant_id, request.max_questions, self.feedback, self.embedder)
        return evaluation_pb2.KnowledgeGaps(
            questions=read,
            gaps=[evaluation_pb2.KnowledgeGap(questions=c.size, examples=c.examples()) for c in clusters],
        )
