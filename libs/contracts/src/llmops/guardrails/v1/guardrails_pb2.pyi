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
    DECISION_FLAG: _ClassVar[Decision]
DECISION_UNSPECIFIED: Decision
DECISION_ALLOW: Decision
DECISION_REDACT: Decision
DECISION_BLOCK: Decision
DECISION_FLAG: Decision

class CheckInputRequest(_message.Message):
    __slots__ = ("tenant_id", "text", "policy", "corpus_similarity")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    CORPUS_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    text: str
    policy: str
    corpus_similarity: float
    def __init__(self, tenant_id: _Optional[str] = ..., text: _Optional[str] = ..., policy: _Optional[str] = ..., corpus_similarity: _Optional[float] = ...) -> None: ...

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
    __slots__ = ("rule", "category", "score", "start", "end", "action", "reason")
    RULE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rule: str
    category: str
    score: float
    start: int
    end: int
    action: str
    reason: str
    def __init__(self, rule: _Optional[str] = ..., category: _Optional[str] = ..., score: _Optional[float] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., action: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

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

class ScreenDocumentRequest(_message.Message):
    __slots__ = ("tenant_id", "document_id", "texts", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    document_id: str
    texts: _containers.RepeatedScalarFieldContainer[str]
    policy: str
    def __init__(self, tenant_id: _Optional[str] = ..., document_id: _Optional[str] = ..., texts: _Optional[_Iterable[str]] = ..., policy: _Optional[str] = ...) -> None: ...

class ScreenedText(_message.Message):
    __slots__ = ("decision", "text", "findings")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    text: str
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    def __init__(self, decision: _Optional[_Union[Decision, str]] = ..., text: _Optional[str] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ...) -> None: ...

class ScreenDocumentResponse(_message.Message):
    __slots__ = ("texts", "policy")
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    texts: _containers.RepeatedCompositeFieldContainer[ScreenedText]
    policy: str
    def __init__(self, texts: _Optional[_Iterable[_Union[ScreenedText, _Mapping]]] = ..., policy: _Optional[str] = ...) -> None: ...
