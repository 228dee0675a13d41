from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DocumentChunked(_message.Message):
    __slots__ = ("envelope", "document_id", "document_version", "chunk_id", "chunk_index", "chunk_count", "text", "title", "source_uri", "language", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    document_id: str
    document_version: int
    chunk_id: str
    chunk_index: int
    chunk_count: int
    text: str
    title: str
    source_uri: str
    language: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., document_id: _Optional[str] = ..., document_version: _Optional[int] = ..., chunk_id: _Optional[str] = ..., chunk_index: _Optional[int] = ..., chunk_count: _Optional[int] = ..., text: _Optional[str] = ..., title: _Optional[str] = ..., source_uri: _Optional[str] = ..., language: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DocumentChange(_message.Message):
    __slots__ = ("envelope", "document_id", "document_version", "manifest", "deleted")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    document_id: str
    document_version: int
    manifest: VersionManifest
    deleted: DocumentDeleted
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., document_id: _Optional[str] = ..., document_version: _Optional[int] = ..., manifest: _Optional[_Union[VersionManifest, _Mapping]] = ..., deleted: _Optional[_Union[DocumentDeleted, _Mapping]] = ...) -> None: ...

class VersionManifest(_message.Message):
    __slots__ = ("chunks", "title", "source_uri")
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[ManifestChunk]
    title: str
    source_uri: str
    def __init__(self, chunks: _Optional[_Iterable[_Union[ManifestChunk, _Mapping]]] = ..., title: _Optional[str] = ..., source_uri: _Optional[str] = ...) -> None: ...

class ManifestChunk(_message.Message):
    __slots__ = ("chunk_id", "chunk_index")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    chunk_index: int
    def __init__(self, chunk_id: _Optional[str] = ..., chunk_index: _Optional[int] = ...) -> None: ...

class DocumentDeleted(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...
