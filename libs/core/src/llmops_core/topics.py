"""Kafka topic names and the protobuf event each carries (the event contract lives in proto/)."""

from __future__ import annotations

from google.protobuf.message import Message

from llmops.embedding.v1.events_pb2 import ChunkEmbedded
from llmops.evaluation.v1.events_pb2 import AnswerScored, DriftAction, DriftAlert
from llmops.generation.v1.events_pb2 import PromptActivated
from llmops.ingestion.v1.events_pb2 import DocumentChange, DocumentChunked
from llmops.ingestion.v1.ingestion_pb2 import IngestReport, SourceDocument
from llmops.query.v1.events_pb2 import AnswerProduced, FeedbackGiven

DOCS_CHUNKS = "docs.chunks"  # key: document_id
DOCS_EMBEDDED = "docs.embedded"  # key: document_id
DOCS_CHANGES = "docs.changes"  # key: document_id (version manifests and tombstones)
# Source documents that could not be read: only a dead-letter topic (the sources are files and URLs).
DOCS_SOURCES_DLQ = "docs.sources.dlq"
ANSWERS = "answers"  # key: answer_id
FEEDBACK = "feedback"  # key: answer_id
ANSWERS_SCORED = "answers.scored"  # key: tenant_id (one tenant's scores reach one drift consumer, in order)
DRIFT_ALERTS = "drift.alerts"  # key: tenant_id
DRIFT_ACTIONS = "drift.actions"  # key: tenant_id (strict mode on/off, documents to review, webhook calls)
INGEST_REPORTS = "ingest.reports"  # key: tenant_id
PROMPT_ACTIVATIONS = "prompts.activations"  # key: prompt name

EVENT_TYPES: dict[str, type[Message]] = {
    DOCS_CHUNKS: DocumentChunked,
    DOCS_EMBEDDED: ChunkEmbedded,
    DOCS_CHANGES: DocumentChange,
    ANSWERS: AnswerProduced,
    FEEDBACK: FeedbackGiven,
    ANSWERS_SCORED: AnswerScored,
    DRIFT_ALERTS: DriftAlert,
    DRIFT_ACTIONS: DriftAction,
    INGEST_REPORTS: IngestReport,
    PROMPT_ACTIVATIONS: PromptActivated,
}

ALL_TOPICS = list(EVENT_TYPES)
# Dead-letter topics without a topic of their own, and the message each holds.
DEAD_LETTER_ONLY: dict[str, type[Message]] = {DOCS_SOURCES_DLQ: SourceDocument}


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"
