from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from llmops.evaluation.v1 import evaluation_pb2 as _evaluation_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DriftSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_SEVERITY_UNSPECIFIED: _ClassVar[DriftSeverity]
    DRIFT_SEVERITY_WARNING: _ClassVar[DriftSeverity]
    DRIFT_SEVERITY_CRITICAL: _ClassVar[DriftSeverity]
DRIFT_SEVERITY_UNSPECIFIED: DriftSeverity
DRIFT_SEVERITY_WARNING: DriftSeverity
DRIFT_SEVERITY_CRITICAL: DriftSeverity

class AnswerScored(_message.Message):
    __slots__ = ("envelope", "score", "model", "prompt_name", "prompt_version")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    score: _evaluation_pb2.AnswerScore
    model: str
    prompt_name: str
    prompt_version: int
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., score: _Optional[_Union[_evaluation_pb2.AnswerScore, _Mapping]] = ..., model: _Optional[str] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ...) -> None: ...

class DriftAlert(_message.Message):
    __slots__ = ("envelope", "alert_id", "severity", "state", "summary")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    alert_id: str
    severity: DriftSeverity
    state: _evaluation_pb2.DriftState
    summary: str
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., alert_id: _Optional[str] = ..., severity: _Optional[_Union[DriftSeverity, str]] = ..., state: _Optional[_Union[_evaluation_pb2.DriftState, _Mapping]] = ..., summary: _Optional[str] = ...) -> None: ...
