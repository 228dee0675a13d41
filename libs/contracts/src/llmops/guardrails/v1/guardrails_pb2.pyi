from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_ALLOW: _ClassVar[Decision]
    DECISION_REDACT: _ClassVar[Decision]
    DECISION_BLOCK: _ClassVar[Decision]
DECISION_UNSPECIFIED: Decision
DECISION_ALLOW: Decision
DECISION_REDACT: Decision
DECISION_BLOCK: Decision

class CheckInputRequest(_message.Message):
    __slots__ = ("tenant_id", "text", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    text: str
    policy: str
    def __init__(self, tenant_id: _Optional[str] = ..., text: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class CheckOutputRequest(_message.Message):
    __slots__ = ("tenant_id", "text", "question", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    text: str
    question: str
    policy: str
    def __init__(self, tenant_id: _Optional[str] = ..., text: _Optional[str] = ..., question: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ("rule", "category", "score", "start", "end")
    RULE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    rule: str
    category: str
    score: float
    start: int
    end: int
    def __init__(self, rule: _Optional[str] = ..., category: _Optional[str] = ..., score: _Optional[float] = ..., start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Verdict(_message.Message):
    __slots__ = ("decision", "reason", "redacted_text", "findings", "policy")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REDACTED_TEXT_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    reason: str
    redacted_text: str
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    policy: str
    def __init__(self, decision: _Optional[_Union[Decision, str]] = ..., reason: _Optional[str] = ..., redacted_text: _Optional[str] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., policy: _Optional[str] = ...) -> None: ...
