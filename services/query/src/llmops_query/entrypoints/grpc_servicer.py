"""gRPC QueryService: Ask, AskStream, SubmitFeedback. Every answer, refusals included, is an event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.kafka import EventPublisher
from llmops_core.kafka.events import current_trace_id
from llmops_query.adapters.answer_events import publish_answer, publish_feedback, response
from llmops_query.domain.answers import Answer, AskRequest, ask_request
from llmops_query.domain.feedback import feedback_request
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
        given = feedback_request(request.tenant_id, request.answer_id, request.rating, request.comment)
        feedback = await self.pipeline.accept_feedback(given)
        feedback_id = str(uuid.uuid4())
        await publish_feedback(self.publisher, feedback, feedback_id)
        return query_pb2.SubmitFeedbackResponse(feedback_id=feedback_id)
