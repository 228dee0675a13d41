"""gRPC QueryService: Ask, AskStream, SubmitFeedback. Every answer, refusals included, is an event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.errors import InvalidArgument
from llmops_core.kafka import EventPublisher
from llmops_core.kafka.events import current_trace_id
from llmops_core.validation import require_tenant
from llmops_query.adapters.answer_events import publish_answer, publish_feedback, response
from llmops_query.domain.answers import Answer, AskRequest, ask_request
from llmops_query.settings import QuerySettings
from llmops_query.use_cases import AskPipeline


class QueryServicer(query_pb2_grpc.QueryServiceServicer):
    def __init__(self, pipeline: AskPipeline, publisher: EventPublisher, settings: QuerySettings) -> None:
        self.pipeline = pipeline
        self.publisher = publisher
        self.settings = settings

    async def Ask(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.AskRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.AskResponse:
        answer = await self.pipeline.ask(self._ask(request))
        result = response(answer, current_trace_id())
        await publish_answer(self.publisher, answer, result)
        return result

    async def AskStream(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.AskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[query_pb2.AskStreamResponse]:
        async for item in self.pipeline.ask_stream(self._ask(request)):
            if isinstance(item, Answer):
                result = response(item, current_trace_id())
                await publish_answer(self.publisher, item, result)
                yield query_pb2.AskStreamResponse(final=result)
            else:
                yield query_pb2.AskStreamResponse(token=item)

    def _ask(self, request: query_pb2.AskRequest) -> AskRequest:
        return ask_request(
            request.tenant_id, request.question, request.top_k, request.session_id, self.settings.default_top_k
        )

    async def SubmitFeedback(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.SubmitFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.SubmitFeedbackResponse:
        tenant_id = require_tenant(request.tenant_id)
        if not request.answer_id:
            raise InvalidArgument("answer_id is required")
        if request.rating not in (-1, 0, 1):
            raise InvalidArgument(f"rating is {request.rating}; use -1, 0 or 1")
        if len(request.comment) > 2000:
            raise InvalidArgument("comment is longer than 2000 characters")
        comment = request.comment
        if comment.strip():  # analysts read feedback too: no raw personal data in the event
            comment = (await self.pipeline.guardrails.check_output(tenant_id, comment, "")).text
        feedback_id = str(uuid.uuid4())
        await publish_feedback(self.publisher, tenant_id, feedback_id, request.answer_id, request.rating, comment)
        return query_pb2.SubmitFeedbackResponse(feedback_id=feedback_id)
