import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llmops.common.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTENT_TYPE_UNSPECIFIED: _ClassVar[ContentType]
    CONTENT_TYPE_PLAIN_TEXT: _ClassVar[ContentType]
    CONTENT_TYPE_MARKDOWN: _ClassVar[ContentType]
    CONTENT_TYPE_HTML: _ClassVar[ContentType]
    CONTENT_TYPE_PDF: _ClassVar[ContentType]
    CONTENT_TYPE_DOCX: _ClassVar[ContentType]
    CONTENT_TYPE_CSV: _ClassVar[ContentType]
    CONTENT_TYPE_JSON: _ClassVar[ContentType]
    CONTENT_TYPE_JSONL: _ClassVar[ContentType]

class DocumentOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_OUTCOME_UNSPECIFIED: _ClassVar[DocumentOutcome]
    DOCUMENT_OUTCOME_ADDED: _ClassVar[DocumentOutcome]
    DOCUMENT_OUTCOME_UNCHANGED: _ClassVar[DocumentOutcome]
    DOCUMENT_OUTCOME_FAILED: _ClassVar[DocumentOutcome]
    DOCUMENT_OUTCOME_DELETED: _ClassVar[DocumentOutcome]
    DOCUMENT_OUTCOME_MODIFIED: _ClassVar[DocumentOutcome]
CONTENT_TYPE_UNSPECIFIED: ContentType
CONTENT_TYPE_PLAIN_TEXT: ContentType
CONTENT_TYPE_MARKDOWN: ContentType
CONTENT_TYPE_HTML: ContentType
CONTENT_TYPE_PDF: ContentType
CONTENT_TYPE_DOCX: ContentType
CONTENT_TYPE_CSV: ContentType
CONTENT_TYPE_JSON: ContentType
CONTENT_TYPE_JSONL: ContentType
DOCUMENT_OUTCOME_UNSPECIFIED: DocumentOutcome
DOCUMENT_OUTCOME_ADDED: DocumentOutcome
DOCUMENT_OUTCOME_UNCHANGED: DocumentOutcome
DOCUMENT_OUTCOME_FAILED: DocumentOutcome
DOCUMENT_OUTCOME_DELETED: DocumentOutcome
DOCUMENT_OUTCOME_MODIFIED: DocumentOutcome

class SourceDocument(_message.Message):
    __slots__ = ("document_id", "title", "content", "content_type", "source_uri", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    title: str
    content: bytes
    content_type: ContentType
    source_uri: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, document_id: _Optional[str] = ..., title: _Optional[str] = ..., content: _Optional[bytes] = ..., content_type: _Optional[_Union[ContentType, str]] = ..., source_uri: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class IngestDocumentsRequest(_message.Message):
    __slots__ = ("tenant_id", "documents")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    documents: _containers.RepeatedCompositeFieldContainer[SourceDocument]
    def __init__(self, tenant_id: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[SourceDocument, _Mapping]]] = ...) -> None: ...

class DocumentResult(_message.Message):
    __slots__ = ("document_id", "version", "outcome", "chunk_count", "detail", "chunks_published", "chunks_reused")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_REUSED_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    version: int
    outcome: DocumentOutcome
    chunk_count: int
    detail: str
    chunks_published: int
    chunks_reused: int
    def __init__(self, document_id: _Optional[str] = ..., version: _Optional[int] = ..., outcome: _Optional[_Union[DocumentOutcome, str]] = ..., chunk_count: _Optional[int] = ..., detail: _Optional[str] = ..., chunks_published: _Optional[int] = ..., chunks_reused: _Optional[int] = ...) -> None: ...

class IngestDocumentsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[DocumentResult]
    def __init__(self, results: _Optional[_Iterable[_Union[DocumentResult, _Mapping]]] = ...) -> None: ...

class SyncSourceRequest(_message.Message):
    __slots__ = ("tenant_id", "directory", "urls")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTORY_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    directory: str
    urls: UrlList
    def __init__(self, tenant_id: _Optional[str] = ..., directory: _Optional[str] = ..., urls: _Optional[_Union[UrlList, _Mapping]] = ...) -> None: ...

class UrlList(_message.Message):
    __slots__ = ("name", "urls")
    NAME_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    name: str
    urls: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., urls: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteDocumentsRequest(_message.Message):
    __slots__ = ("tenant_id", "document_ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    document_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., document_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteDocumentsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[DocumentResult]
    def __init__(self, results: _Optional[_Iterable[_Union[DocumentResult, _Mapping]]] = ...) -> None: ...

class GetDocumentRequest(_message.Message):
    __slots__ = ("tenant_id", "document_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    document_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., document_id: _Optional[str] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("document_id", "version", "title", "source_uri", "content_hash", "chunk_count", "updated_at", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    version: int
    title: str
    source_uri: str
    content_hash: str
    chunk_count: int
    updated_at: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, document_id: _Optional[str] = ..., version: _Optional[int] = ..., title: _Optional[str] = ..., source_uri: _Optional[str] = ..., content_hash: _Optional[str] = ..., chunk_count: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListDocumentsRequest(_message.Message):
    __slots__ = ("tenant_id", "page")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _envelope_pb2.PageRequest
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_envelope_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListDocumentsResponse(_message.Message):
    __slots__ = ("documents", "next_page_token")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    next_page_token: str
    def __init__(self, documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class IngestReport(_message.Message):
    __slots__ = ("envelope", "run_id", "source", "documents_seen", "documents_added", "documents_unchanged", "documents_failed", "documents_deleted", "chunks_published", "results", "documents_modified", "chunks_reused")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_SEEN_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_ADDED_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FAILED_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_DELETED_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_MODIFIED_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_REUSED_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.EventEnvelope
    run_id: str
    source: str
    documents_seen: int
    documents_added: int
    documents_unchanged: int
    documents_failed: int
    documents_deleted: int
    chunks_published: int
    results: _containers.RepeatedCompositeFieldContainer[DocumentResult]
    documents_modified: int
    chunks_reused: int
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ..., run_id: _Optional[str] = ..., source: _Optional[str] = ..., documents_seen: _Optional[int] = ..., documents_added: _Optional[int] = ..., documents_unchanged: _Optional[int] = ..., documents_failed: _Optional[int] = ..., documents_deleted: _Optional[int] = ..., chunks_published: _Optional[int] = ..., results: _Optional[_Iterable[_Union[DocumentResult, _Mapping]]] = ..., documents_modified: _Optional[int] = ..., chunks_reused: _Optional[int] = ...) -> None: ...
