"""Kafka: the drift loop's actions (drift.actions) switch a tenant's answer mode.

No consumer group: every query replica reads every action, from the beginning of the topic at each
start, so all replicas hold the same modes and a restarted one rebuilds them.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy

from llmops.evaluation.v1.events_pb2 import DriftAction, DriftActionKind
from llmops_core.kafka import proto_decoder
from llmops_core.topics import DRIFT_ACTIONS
from llmops_query.domain.answer_modes import AnswerModes


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
