"""Drift alerts onto ``drift.alerts`` and what was done about them onto ``drift.actions``, keyed by tenant."""

from __future__ import annotations

from llmops.evaluation.v1.events_pb2 import DriftAction, DriftActionKind
from llmops_core.kafka import EventPublisher, new_envelope
from llmops_core.topics import DRIFT_ACTIONS, DRIFT_ALERTS
from llmops_evaluation.domain.alerts import RaisedAlert, TakenAction
from llmops_evaluation.entrypoints.protos import alert_event

KINDS = {
    "strict_mode_on": DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_ON,
    "strict_mode_off": DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_OFF,
    "documents_marked_for_review": DriftActionKind.DRIFT_ACTION_KIND_DOCUMENTS_MARKED_FOR_REVIEW,
    "webhook_called": DriftActionKind.DRIFT_ACTION_KIND_WEBHOOK_CALLED,
}


class KafkaAlertPublisher:
    def __init__(self, publisher: EventPublisher) -> None:
        self.publisher = publisher

    async def publish(self, alert: RaisedAlert) -> None:
        await self.publisher.publish(DRIFT_ALERTS, alert.tenant_id, alert_event(alert))

    async def act(self, action: TakenAction) -> None:
        event = DriftAction(
            envelope=new_envelope(action.tenant_id, "evaluation"),
            action_id=action.action_id,
            alert_id=action.alert_id,
            kind=KINDS[action.kind],
            signal=action.signal,
            document_ids=action.document_ids,
            detail=action.detail,
        )
        await self.publisher.publish(DRIFT_ACTIONS, action.tenant_id, event)
