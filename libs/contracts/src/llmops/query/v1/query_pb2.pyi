from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AnswerOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANSWER_OUTCOME_UNSPECIFIED: _ClassVar[AnswerOutcome]
    ANSWER_OUTCOME_VERIFIED: _ClassVar[AnswerOutcome]
    ANSWER_OUTCOME_FALLBACK: _ClassVar[AnswerOutcome]
    ANSWER_OUTCOME_EXTRACTIVE: _ClassVar[AnswerOutcome]
    ANSWER_OUTCOME_ABSTAINED: _ClassVar[AnswerOutcome]
    ANSWER_OUTCOME_REFUSED: _ClassVar[AnswerOutcome]

class AnswerStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANSWER_STATUS_UNSPECIFIED: _ClassVar[AnswerStatus]
    ANSWER_STATUS_ANSWERED: _ClassVar[AnswerStatus]
    ANSWER_STATUS_ABSTAINED: _ClassVar[AnswerStatus]
    ANSWER_STATUS_REFUSED: _ClassVar[AnswerStatus]
ANSWER_OUTCOME_UNSPECIFIED: AnswerOutcome
ANSWER_OUTCOME_VERIFIED: AnswerOutcome
ANSWER_OUTCOME_FALLBACK: AnswerOutcome
ANSWER_OUTCOME_EXTRACTIVE: AnswerOutcome
ANSWER_OUTCOME_ABSTAINED: AnswerOutcome
ANSWER_OUTCOME_REFUSED: AnswerOutcome
ANSWER_STATUS_UNSPECIFIED: AnswerStatus
ANSWER_STATUS_ANSWERED: AnswerStatus
ANSWER_STATUS_ABSTAINED: AnswerStatus
ANSWER_STATUS_REFUSED: AnswerStatus

class AskRequest(_message.Message):
    __slots__ = ("tenant_id", "question", "top_k", "session_id", "metadata_filter")
    class MetadataFilterEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FILTER_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    question: str
    top_k: int
    session_id: str
    metadata_filter: _containers.ScalarMap[str, str]
    def __init__(self, tenant_id: _Optional[str] = ..., question: _Optional[str] = ..., top_k: _Optional[int] = ..., session_id: _Optional[str] = ..., metadata_filter: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Citation(_message.Message):
    __slots__ = ("document_id", "chunk_id", "title", "source_uri", "score", "snippet", "similarity")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    chunk_id: str
    title: str
    source_uri: str
    score: float
    snippet: str
    similarity: float
    def __init__(self, document_id: _Optional[str] = ..., chunk_id: _Optional[str] = ..., title: _Optional[str] = ..., source_uri: _Optional[str] = ..., score: _Optional[float] = ..., snippet: _Optional[str] = ..., similarity: _Optional[float] = ...) -> None: ...

class StageLatency(_message.Message):
    __slots__ = ("stage", "milliseconds")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MILLISECONDS_FIELD_NUMBER: _ClassVar[int]
    stage: str
    milliseconds: float
    def __init__(self, stage: _Optional[str] = ..., milliseconds: _Optional[float] = ...) -> None: ...

class AskResponse(_message.Message):
    __slots__ = ("answer_id", "answer", "status", "reason", "citations", "trace_id", "model", "prompt_name", "prompt_version", "usage", "cost_usd", "latencies", "outcome", "outcome_reason", "route", "cache_hit", "cache_similarity")
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CITATIONS_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    LATENCIES_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REASON_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    CACHE_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    answer_id: str
    answer: str
    status: AnswerStatus
    reason: str
    citations: _containers.RepeatedCompositeFieldContainer[Citation]
    trace_id: str
    model: str
    prompt_name: str
    prompt_version: int
    usage: _envelope_pb2.TokenUsage
    cost_usd: float
    latencies: _containers.RepeatedCompositeFieldContainer[StageLatency]
    outcome: AnswerOutcome
    outcome_reason: str
    route: str
    cache_hit: bool
    cache_similarity: float
    def __init__(self, answer_id: _Optional[str] = ..., answer: _Optional[str] = ..., status: _Optional[_Union[AnswerStatus, str]] = ..., reason: _Optional[str] = ..., citations: _Optional[_Iterable[_Union[Citation, _Mapping]]] = ..., trace_id: _Optional[str] = ..., model: _Optional[str] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ..., usage: _Optional[_Union[_envelope_pb2.TokenUsage, _Mapping]] = ..., cost_usd: _Optional[float] = ..., latencies: _Optional[_Iterable[_Union[StageLatency, _Mapping]]] = ..., outcome: _Optional[_Union[AnswerOutcome, str]] = ..., outcome_reason: _Optional[str] = ..., route: _Optional[str] = ..., cache_hit: _Optional[bool] = ..., cache_similarity: _Optional[float] = ...) -> None: ...

class AskStreamResponse(_message.Message):
    __slots__ = ("token", "final")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    token: str
    final: AskResponse
    def __init__(self, token: _Optional[str] = ..., final: _Optional[_Union[AskResponse, _Mapping]] = ...) -> None: ...

class SubmitFeedbackRequest(_message.Message):
    __slots__ = ("tenant_id", "answer_id", "rating", "comment")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    answer_id: str
    rating: int
    comment: str
    def __init__(self, tenant_id: _Optional[str] = ..., answer_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ...) -> None: ...

class SubmitFeedbackResponse(_message.Message):
    __slots__ = ("feedback_id",)
    FEEDBACK_ID_FIELD_NUMBER: _ClassVar[int]
    feedback_id: str
    def __init__(self, feedback_id: _Optional[str] = ...) -> None: ...
