from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from llmops.query.v1 import query_pb2 as _query_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RetrievedContext(_message.Message):
    __slots__ = ("chunk_id", "document_id", "text", "score", "similarity")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    document_id: str
    text: str
    score: float
    similarity: float
    def __init__(self, chunk_id: _Optional[str] = ..., document_id: _Optional[str] = ..., text: _Optional[str] = ..., score: _Optional[float] = ..., similarity: _Optional[float] = ...) -> None: ...

class AnswerProduced(_message.Message):
    __slots__ = ("envelope", "answer_id", "session_id", "question", "answer", "status", "reason", "contexts", "citations", "prompt_name", "prompt_version", "model", "provider", "usage", "cost_usd", "latencies", "outcome", "outcome_reason", "route", "cache_hit", "cache_similarity")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONTEXTS_FIELD_NUMBER: _ClassVar[int]
    CITATIONS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    LATENCIES_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REASON_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    CACHE_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    answer_id: str
    session_id: str
    question: str
    answer: str
    status: _query_pb2.AnswerStatus
    reason: str
    contexts: _containers.RepeatedCompositeFieldContainer[RetrievedContext]
    citations: _containers.RepeatedCompositeFieldContainer[_query_pb2.Citation]
    prompt_name: str
    prompt_version: int
    model: str
    provider: str
    usage: _envelope_pb2.TokenUsage
    cost_usd: float
    latencies: _containers.RepeatedCompositeFieldContainer[_query_pb2.StageLatency]
    outcome: _query_pb2.AnswerOutcome
    outcome_reason: str
    route: str
    cache_hit: bool
    cache_similarity: float
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., answer_id: _Optional[str] = ..., session_id: _Optional[str] = ..., question: _Optional[str] = ..., answer: _Optional[str] = ..., status: _Optional[_Union[_query_pb2.AnswerStatus, str]] = ..., reason: _Optional[str] = ..., contexts: _Optional[_Iterable[_Union[RetrievedContext, _Mapping]]] = ..., citations: _Optional[_Iterable[_Union[_query_pb2.Citation, _Mapping]]] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., usage: _Optional[_Union[_envelope_pb2.TokenUsage, _Mapping]] = ..., cost_usd: _Optional[float] = ..., latencies: _Optional[_Iterable[_Union[_query_pb2.StageLatency, _Mapping]]] = ..., outcome: _Optional[_Union[_query_pb2.AnswerOutcome, str]] = ..., outcome_reason: _Optional[str] = ..., route: _Optional[str] = ..., cache_hit: _Optional[bool] = ..., cache_similarity: _Optional[float] = ...) -> None: ...

class FeedbackGiven(_message.Message):
    __slots__ = ("envelope", "feedback_id", "answer_id", "rating", "comment")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    feedback_id: str
    answer_id: str
    rating: int
    comment: str
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., feedback_id: _Optional[str] = ..., answer_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ...) -> None: ...
