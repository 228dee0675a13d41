"""gRPC QueryService: Ask, AskStream, SubmitFeedback. Every answer, refusals included, is an event."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc

from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.errors import InvalidArgument, Unavailable
from llmops_core.kafka import EventPublisher
from llmops_core.kafka.events import current_trace_id
from llmops_core.validation import require_tenant
from llmops_query.adapters.answer_events import publish_answer, publish_feedback, response
from llmops_query.domain.answers import AskPipeline, Generated, Status, Stopwatch, ask_request
from llmops_query.settings import QuerySettings


class QueryServicer(query_pb2_grpc.QueryServiceServicer):
    def __init__(self, pipeline: AskPipeline, publisher: EventPublisher, settings: QuerySettings) -> None:
        self.pipeline = pipeline
        self.publisher = publisher
        self.settings = settings

    async def Ask(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.AskRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.AskResponse:
        ask = ask_request(
            request.tenant_id, request.question, request.top_k, request.session_id, self.settings.default_top_k
        )
        answer = await self.pipeline.ask(ask)
        result = response(answer, current_trace_id())
        await publish_answer(self.publisher, answer, result)
        return result

    async def AskStream(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.AskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[query_pb2.AskStreamResponse]:
        ask = ask_request(
            request.tenant_id, request.question, request.top_k, request.session_id, self.settings.default_top_k
        )
        clock = Stopwatch()
        answer = await self.pipeline.prepare(ask, clock)
        if answer.status is Status.ANSWERED:
            done = clock.timed("generation")
            generated: Generated | None = None
            async for item in self.pipeline.generator.stream(answer.tenant_id, answer.question, answer.passages):
                if isinstance(item, Generated):
                    generated = item
                else:
                    yield query_pb2.AskStreamResponse(token=item)
            done()
            if generated is None:
                raise Unavailable("generation: the stream ended without a final message")
            answer = await self.pipeline.finish(answer, generated, clock)
        else:
            answer.latencies_ms = dict(clock.stages)
            yield query_pb2.AskStreamResponse(token=answer.text)
        result = response(answer, current_trace_id())
        await publish_answer(self.publisher, answer, result)
        yield query_pb2.AskStreamResponse(final=result)

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
