"""Kafka: the drift loop's actions (drift.actions) switch a tenant's answer mode; document changes
(docs.changes) drop the cached answers that cite the changed document.

No consumer group for the actions: every query replica reads every action, from the beginning of the
topic at each start, so all replicas hold the same modes and a restarted one rebuilds them. The
cache lives in PostgreSQL, shared by the replicas, so one replica of a consumer group drops entries.
"""

from __future__ import annotations

import logging

from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy

from llmops.evaluation.v1.events_pb2 import DriftAction, DriftActionKind
from llmops.ingestion.v1.events_pb2 import DocumentChange
from llmops_core.kafka import PermanentError, consumer_options, proto_decoder
from llmops_core.settings import KafkaSettings
from llmops_core.topics import DOCS_CHANGES, DRIFT_ACTIONS
from llmops_query.domain.answer_modes import AnswerModes
from llmops_query.domain.cache import CacheInvalidator

log = logging.getLogger(__name__)


def register(broker: KafkaBroker, modes: AnswerModes) -> None:
    @broker.subscriber(
        DRIFT_ACTIONS,
        decoder=proto_decoder(DriftAction),
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK_FIRST,  # no group, nothing to commit: the topic is read whole at each start
    )
    async def on_action(action: DriftAction) -> None:
        tenant = action.envelope.tenant_id
        if action.kind == DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_ON:
            modes.strict_on(tenant, action.alert_id, action.signal, action.detail)
        elif action.kind == DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_OFF:
            modes.strict_off(tenant)


def register_cache(broker: KafkaBroker, cache: CacheInvalidator, group_id: str, kafka: KafkaSettings) -> None:
    """A new version (manifest) or a deletion (tombstone) of a document ends every cached answer of
    that tenant that cites it."""

    @broker.subscriber(
        DOCS_CHANGES, group_id=group_id, decoder=proto_decoder(DocumentChange), **consumer_options(kafka)
    )
    async def drop_cited(change: DocumentChange) -> None:
        if not change.envelope.tenant_id or not change.document_id:
            raise PermanentError(f"change of {change.document_id!r} lacks a tenant or document id")
        if change.WhichOneof("change") is None:
            raise PermanentError(f"change of {change.document_id!r} is neither a manifest nor a tombstone")
        dropped = await cache.drop_document(change.envelope.tenant_id, change.document_id)
        if dropped:
            log.info(
                "answer cache entries dropped",
                extra={"tenant_id": change.envelope.tenant_id, "document_id": change.document_id, "count": dropped},
            )
