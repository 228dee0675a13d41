import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetSummaryRequest(_message.Message):
    __slots__ = ("tenant_id", "window_seconds")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    window_seconds: int
    def __init__(self, tenant_id: _Optional[str] = ..., window_seconds: _Optional[int] = ...) -> None: ...

class StageLatencySummary(_message.Message):
    __slots__ = ("stage", "p50_ms", "p95_ms")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    P50_MS_FIELD_NUMBER: _ClassVar[int]
    P95_MS_FIELD_NUMBER: _ClassVar[int]
    stage: str
    p50_ms: float
    p95_ms: float
    def __init__(self, stage: _Optional[str] = ..., p50_ms: _Optional[float] = ..., p95_ms: _Optional[float] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("answers", "refusals", "abstentions", "input_tokens", "output_tokens", "cost_usd", "hallucination_rate", "drift_alerts", "latencies")
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    REFUSALS_FIELD_NUMBER: _ClassVar[int]
    ABSTENTIONS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATION_RATE_FIELD_NUMBER: _ClassVar[int]
    DRIFT_ALERTS_FIELD_NUMBER: _ClassVar[int]
    LATENCIES_FIELD_NUMBER: _ClassVar[int]
    answers: int
    refusals: int
    abstentions: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    hallucination_rate: float
    drift_alerts: int
    latencies: _containers.RepeatedCompositeFieldContainer[StageLatencySummary]
    def __init__(self, answers: _Optional[int] = ..., refusals: _Optional[int] = ..., abstentions: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ..., hallucination_rate: _Optional[float] = ..., drift_alerts: _Optional[int] = ..., latencies: _Optional[_Iterable[_Union[StageLatencySummary, _Mapping]]] = ...) -> None: ...

class ListAnswersRequest(_message.Message):
    __slots__ = ("tenant_id", "page")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _envelope_pb2.PageRequest
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_envelope_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class AnswerRow(_message.Message):
    __slots__ = ("answer_id", "occurred_at", "question", "status", "groundedness", "hallucinated", "trace_id")
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GROUNDEDNESS_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATED_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    answer_id: str
    occurred_at: _timestamp_pb2.Timestamp
    question: str
    status: str
    groundedness: float
    hallucinated: bool
    trace_id: str
    def __init__(self, answer_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., question: _Optional[str] = ..., status: _Optional[str] = ..., groundedness: _Optional[float] = ..., hallucinated: _Optional[bool] = ..., trace_id: _Optional[str] = ...) -> None: ...

class ListAnswersResponse(_message.Message):
    __slots__ = ("answers", "next_page_token")
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    answers: _containers.RepeatedCompositeFieldContainer[AnswerRow]
    next_page_token: str
    def __init__(self, answers: _Optional[_Iterable[_Union[AnswerRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
