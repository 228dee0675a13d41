"""In-memory stand-ins for the evaluation service's stores and publishers (unit tests, fuzzing)."""

from __future__ import annotations

from collections.abc import Callable

from llmops_evaluation.adapters.feedback_store import ReviewItem
from llmops_evaluation.domain.alerts import RaisedAlert, StoredState, TakenAction, Transition


class MemoryStore:
    """The PostgresDriftStore's contract in memory."""

    def __init__(self) -> None:
        self.states: dict[str, StoredState] = {}
        self.seen: set[tuple[str, str]] = set()
        self.alerts: dict[str, tuple[RaisedAlert, bool, bool]] = {}  # id: alert, published, cleared

    async def apply(
        self, tenant_id: str, event_key: str, change: Callable[[StoredState], Transition]
    ) -> Transition | None:
        if (tenant_id, event_key) in self.seen:
            return None
        self.seen.add((tenant_id, event_key))
        return await self.change(tenant_id, change, clear=False)

    async def change(
        self, tenant_id: str, change: Callable[[StoredState], Transition], clear: bool = True
    ) -> Transition:
        transition = change(self.states.get(tenant_id, StoredState(None)))
        self.states[tenant_id] = transition.state
        for alert in transition.alerts:
            self.alerts[alert.alert_id] = (alert, False, False)
        if clear:
            self.alerts = {k: (a, p, a.tenant_id == tenant_id or c) for k, (a, p, c) in self.alerts.items()}
        return transition

    async def load(self, tenant_id: str) -> StoredState | None:
        return self.states.get(tenant_id)

    async def open_alerts(self, tenant_id: str) -> list[RaisedAlert]:
        return [a for a, _, c in self.alerts.values() if a.tenant_id == tenant_id and not c]

    async def unpublished(self, tenant_id: str) -> list[RaisedAlert]:
        return [a for a, p, _ in self.alerts.values() if a.tenant_id == tenant_id and not p]

    async def mark_published(self, alert_id: str) -> None:
        alert, _, cleared = self.alerts[alert_id]
        self.alerts[alert_id] = (alert, True, cleared)


class Publisher:
    def __init__(self) -> None:
        self.alerts: list[RaisedAlert] = []
        self.actions: list[TakenAction] = []
        self.fail_next = False

    async def publish(self, alert: RaisedAlert) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker down")
        self.alerts.append(alert)

    async def act(self, action: TakenAction) -> None:
        self.actions.append(action)


class Review:
    async def mark_for_review(self, tenant_id: str, alert_id: str, answer_ids: list[str]) -> list[str]:
        return [f"doc-of-{answer_ids[-1]}"] if answer_ids else []


class Hook:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def call(self, url: str, alert: RaisedAlert) -> str:
        self.calls.append(url)
        return f"POST {url} answered HTTP 204"


class MemoryFeedback:
    def __init__(self) -> None:
        self.items: list[ReviewItem] = []

    async def save(self, tenant_id: str, feedback_id: str, answer_id: str, rating: int, comment: str) -> None:
        self.items.append(ReviewItem(answer_id, rating, comment, None, None))

    async def to_review(self, tenant_id: str, limit: int) -> list[ReviewItem]:
        return [i for i in self.items if i.rating < 0][:limit]

    async def abstained(self, tenant_id: str, limit: int) -> list[str]:
        return ["Do you sell kayaks?", "Can I rent a kayak?", "Where is the nearest store?"][:limit]
