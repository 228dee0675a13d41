from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContextPassage(_message.Message):
    __slots__ = ("chunk_id", "document_id", "text")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    document_id: str
    text: str
    def __init__(self, chunk_id: _Optional[str] = ..., document_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class GenerateRequest(_message.Message):
    __slots__ = ("tenant_id", "question", "contexts", "prompt_name", "prompt_version", "model_route", "max_output_tokens", "temperature", "session_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    CONTEXTS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_ROUTE_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    question: str
    contexts: _containers.RepeatedCompositeFieldContainer[ContextPassage]
    prompt_name: str
    prompt_version: int
    model_route: str
    max_output_tokens: int
    temperature: float
    session_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., question: _Optional[str] = ..., contexts: _Optional[_Iterable[_Union[ContextPassage, _Mapping]]] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ..., model_route: _Optional[str] = ..., max_output_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., session_id: _Optional[str] = ...) -> None: ...

class GenerateResponse(_message.Message):
    __slots__ = ("text", "prompt_name", "prompt_version", "model", "provider", "usage", "cost_usd", "finish_reason", "cached_input_tokens", "model_route")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    CACHED_INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MODEL_ROUTE_FIELD_NUMBER: _ClassVar[int]
    text: str
    prompt_name: str
    prompt_version: int
    model: str
    provider: str
    usage: _envelope_pb2.TokenUsage
    cost_usd: float
    finish_reason: str
    cached_input_tokens: int
    model_route: str
    def __init__(self, text: _Optional[str] = ..., prompt_name: _Optional[str] = ..., prompt_version: _Optional[int] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., usage: _Optional[_Union[_envelope_pb2.TokenUsage, _Mapping]] = ..., cost_usd: _Optional[float] = ..., finish_reason: _Optional[str] = ..., cached_input_tokens: _Optional[int] = ..., model_route: _Optional[str] = ...) -> None: ...

class GenerateStreamResponse(_message.Message):
    __slots__ = ("token", "final")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    token: str
    final: GenerateResponse
    def __init__(self, token: _Optional[str] = ..., final: _Optional[_Union[GenerateResponse, _Mapping]] = ...) -> None: ...

class ListPromptsRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: _envelope_pb2.PageRequest
    def __init__(self, page: _Optional[_Union[_envelope_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class PromptTemplate(_message.Message):
    __slots__ = ("name", "version", "template", "description", "system", "user", "content_sha256", "active_weight")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CONTENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    template: str
    description: str
    system: str
    user: str
    content_sha256: str
    active_weight: float
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., template: _Optional[str] = ..., description: _Optional[str] = ..., system: _Optional[str] = ..., user: _Optional[str] = ..., content_sha256: _Optional[str] = ..., active_weight: _Optional[float] = ...) -> None: ...

class GetPromptRequest(_message.Message):
    __slots__ = ("name", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DiffPromptsRequest(_message.Message):
    __slots__ = ("name", "from_version", "to_version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    from_version: int
    to_version: int
    def __init__(self, name: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ...) -> None: ...

class DiffPromptsResponse(_message.Message):
    __slots__ = ("diff",)
    DIFF_FIELD_NUMBER: _ClassVar[int]
    diff: str
    def __init__(self, diff: _Optional[str] = ...) -> None: ...

class WeightedVersion(_message.Message):
    __slots__ = ("version", "weight")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    version: int
    weight: float
    def __init__(self, version: _Optional[int] = ..., weight: _Optional[float] = ...) -> None: ...

class ActivatePromptRequest(_message.Message):
    __slots__ = ("name", "versions", "actor")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    versions: _containers.RepeatedCompositeFieldContainer[WeightedVersion]
    actor: str
    def __init__(self, name: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[WeightedVersion, _Mapping]]] = ..., actor: _Optional[str] = ...) -> None: ...

class RollbackPromptRequest(_message.Message):
    __slots__ = ("name", "actor")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    actor: str
    def __init__(self, name: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class PromptActivation(_message.Message):
    __slots__ = ("name", "versions", "previous", "actor", "activation_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTIVATION_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    versions: _containers.RepeatedCompositeFieldContainer[WeightedVersion]
    previous: _containers.RepeatedCompositeFieldContainer[WeightedVersion]
    actor: str
    activation_id: str
    def __init__(self, name: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[WeightedVersion, _Mapping]]] = ..., previous: _Optional[_Iterable[_Union[WeightedVersion, _Mapping]]] = ..., actor: _Optional[str] = ..., activation_id: _Optional[str] = ...) -> None: ...

class ListPromptsResponse(_message.Message):
    __slots__ = ("prompts", "next_page_token")
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    prompts: _containers.RepeatedCompositeFieldContainer[PromptTemplate]
    next_page_token: str
    def __init__(self, prompts: _Optional[_Iterable[_Union[PromptTemplate, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
