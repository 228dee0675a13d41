"""Strict answer mode per tenant, switched by the drift loop's actions.

While a tenant's hallucination alert is open, its answers quote the passage sentence that answers
the question (the extractive answer, checked by construction) instead of the model's draft; an
operator's reset returns it to normal. The modes are rebuilt from the ``drift.actions`` topic,
which every query replica reads from the beginning, so replicas agree and a restart remembers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StrictMode:
    alert_id: str
    signal: str
    detail: str

    def reason(self) -> str:
        return f"strict mode while drift alert {self.alert_id} ({self.signal}) is open: quoting the passages only"


class AnswerModes:
    def __init__(self) -> None:
        self._strict: dict[str, StrictMode] = {}

    def strict_on(self, tenant_id: str, alert_id: str, signal: str, detail: str) -> None:
        self._strict[tenant_id] = StrictMode(alert_id, signal, detail)

    def strict_off(self, tenant_id: str) -> None:
        self._strict.pop(tenant_id, None)

    def strict(self, tenant_id: str) -> StrictMode | None:
        return self._strict.get(tenant_id)
