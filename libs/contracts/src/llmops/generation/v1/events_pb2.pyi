from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from llmops.generation.v1 import generation_pb2 as _generation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PromptActivated(_message.Message):
    __slots__ = ("envelope", "name", "versions", "previous", "actor", "activation_id", "rollback")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTIVATION_ID_FIELD_NUMBER: _ClassVar[int]
    ROLLBACK_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    name: str
    versions: _containers.RepeatedCompositeFieldContainer[_generation_pb2.WeightedVersion]
    previous: _containers.RepeatedCompositeFieldContainer[_generation_pb2.WeightedVersion]
    actor: str
    activation_id: str
    rollback: bool
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., name: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[_generation_pb2.WeightedVersion, _Mapping]]] = ..., previous: _Optional[_Iterable[_Union[_generation_pb2.WeightedVersion, _Mapping]]] = ..., actor: _Optional[str] = ..., activation_id: _Optional[str] = ..., rollback: _Optional[bool] = ...) -> None: ...
