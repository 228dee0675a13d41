"""A drift alert as stored and published, and the stored state a drift event changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RaisedAlert:
    alert_id: str
    tenant_id: str
    signal: str
    direction: str  # "rise" | "drop"
    reference: float
    current: float
    shift: float
    test: str
    statistic: float
    threshold: float
    observations: int
    summary: str
    suggested_action: str
    evidence: list[str]
    raised_at: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], raised_at: datetime) -> RaisedAlert:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["raised_at"] = raised_at
        values["evidence"] = [str(i) for i in values.get("evidence", [])]
        return cls(**values)


@dataclass(frozen=True)
class StoredState:
    """A tenant's row: the detector's JSON (None before its first event) and the evidence ids."""

    detector: dict[str, Any] | None
    evidence: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    state: StoredState
    alerts: list[RaisedAlert] = field(default_factory=list)


@dataclass(frozen=True)
class TakenAction:
    """What the platform did about an alert (or an operator's reset), published on drift.actions."""

    action_id: str
    tenant_id: str
    alert_id: str  # empty for an operator's reset
    kind: str  # strict_mode_on | strict_mode_off | documents_marked_for_review | webhook_called
    signal: str = ""
    document_ids: list[str] = field(default_factory=list)
    detail: str = ""
