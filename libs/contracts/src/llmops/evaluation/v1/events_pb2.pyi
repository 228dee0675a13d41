from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from llmops.evaluation.v1 import evaluation_pb2 as _evaluation_pb2
from llmops.query.v1 import query_pb2 as _query_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DriftSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_SEVERITY_UNSPECIFIED: _ClassVar[DriftSeverity]
    DRIFT_SEVERITY_WARNING: _ClassVar[DriftSeverity]
    DRIFT_SEVERITY_CRITICAL: _ClassVar[DriftSeverity]

class DriftActionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_ACTION_KIND_UNSPECIFIED: _ClassVar[DriftActionKind]
    DRIFT_ACTION_KIND_STRICT_MODE_ON: _ClassVar[DriftActionKind]
    DRIFT_ACTION_KIND_STRICT_MODE_OFF: _ClassVar[DriftActionKind]
    DRIFT_ACTION_KIND_DOCUMENTS_MARKED_FOR_REVIEW: _ClassVar[DriftActionKind]
    DRIFT_ACTION_KIND_WEBHOOK_CALLED: _ClassVar[DriftActionKind]
DRIFT_SEVERITY_UNSPECIFIED: DriftSeverity
DRIFT_SEVERITY_WARNING: DriftSeverity
DRIFT_SEVERITY_CRITICAL: DriftSeverity
DRIFT_ACTION_KIND_UNSPECIFIED: DriftActionKind
DRIFT_ACTION_KIND_STRICT_MODE_ON: DriftActionKind
DRIFT_ACTION_KIND_STRICT_MODE_OFF: DriftActionKind
DRIFT_ACTION_KIND_DOCUMENTS_MARKED_FOR_REVIEW: DriftActionKind
DRIFT_ACTION_KIND_WEBHOOK_CALLED: DriftActionKind

class AnswerScored(_message.Message):
    __slots__ = ("envelope", "score", "model", "prompt_name", "prompt_version", "status", "top_similarity", "question")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOP_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    score: _evaluation_pb2.AnswerScore
    model: str
    prompt_name: str
    prompt_version: int
    status: _query_pb2.AnswerStatus
    top_similarity: float
    question: str
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., score: _Optional[_Union[_evaluation_pb2.AnswerScore, _Mapping]] = ..., model: _Optional[str] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ..., status: _Optional[_Union[_query_pb2.AnswerStatus, str]] = ..., top_similarity: _Optional[float] = ..., question: _Optional[str] = ...) -> None: ...

class DriftAlert(_message.Message):
    __slots__ = ("envelope", "alert_id", "severity", "summary", "signal", "shift", "suggested_action", "evidence_answer_ids")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    SHIFT_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_ACTION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_ANSWER_IDS_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    alert_id: str
    severity: DriftSeverity
    summary: str
    signal: _evaluation_pb2.DriftSignal
    shift: float
    suggested_action: str
    evidence_answer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., alert_id: _Optional[str] = ..., severity: _Optional[_Union[DriftSeverity, str]] = ..., summary: _Optional[str] = ..., signal: _Optional[_Union[_evaluation_pb2.DriftSignal, _Mapping]] = ..., shift: _Optional[float] = ..., suggested_action: _Optional[str] = ..., evidence_answer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DriftAction(_message.Message):
    __slots__ = ("envelope", "action_id", "alert_id", "kind", "signal", "document_ids", "detail")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    action_id: str
    alert_id: str
    kind: DriftActionKind
    signal: str
    document_ids: _containers.RepeatedScalarFieldContainer[str]
    detail: str
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., action_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., kind: _Optional[_Union[DriftActionKind, str]] = ..., signal: _Optional[str] = ..., document_ids: _Optional[_Iterable[str]] = ..., detail: _Optional[str] = ...) -> None: ...
