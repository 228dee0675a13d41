"""The drift loop's use cases: observe a scored answer or a feedback, reset, read the state.

Each event changes the tenant's stored detector once (the store skips an event key it has seen),
under the tenant's row lock, so any number of evaluation replicas agree; alerts are written in the
same transaction and published after it commits (an outbox), then marked published. The detector
itself is pure (``domain.tenant_drift``); evidence ids come from ``domain.evidence``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from llmops_evaluation.domain import evidence
from llmops_evaluation.domain.alerts import RaisedAlert, StoredState, TakenAction, Transition
from llmops_evaluation.domain.drift_policy import ActionKind, DriftPolicy, policy_for
from llmops_evaluation.domain.tenant_drift import DriftConfig, SignalAlert, TenantDrift


class DriftStore(Protocol):
    async def apply(
        self, tenant_id: str, event_key: str, change: Callable[[StoredState], Transition]
    ) -> Transition | None: ...

    async def change(self, tenant_id: str, change: Callable[[StoredState], Transition]) -> Transition: ...

    async def load(self, tenant_id: str) -> StoredState | None: ...

    async def open_alerts(self, tenant_id: str) -> list[RaisedAlert]: ...

    async def unpublished(self, tenant_id: str) -> list[RaisedAlert]: ...

    async def mark_published(self, alert_id: str) -> None: ...


class AlertPublisher(Protocol):
    async def publish(self, alert: RaisedAlert) -> None: ...

    async def act(self, action: TakenAction) -> None: ...


class ReviewQueue(Protocol):
    async def mark_for_review(self, tenant_id: str, alert_id: str, answer_ids: list[str]) -> list[str]: ...


class Webhook(Protocol):
    async def call(self, url: str, alert: RaisedAlert) -> str:
        """Posts the alert; returns a sentence on the outcome (never raises for an HTTP failure)."""
        ...


@dataclass(frozen=True)
class ScoredAnswer:
    tenant_id: str
    answer_id: str
    status: str  # "answered" | "abstained" | "refused"
    groundedness: float
    hallucinated: bool
    top_similarity: float | None
    question_vector: list[float] | None = None  # the question's embedding, for the question-shift signal


@dataclass(frozen=True)
class DriftView:
    tenant_id: str
    detector: TenantDrift
    open_alerts: list[RaisedAlert]


class DriftLoop:
    def __init__(
        self,
        store: DriftStore,
        publisher: AlertPublisher,
        config: DriftConfig,
        policies: Mapping[str, DriftPolicy],
        review: ReviewQueue,
        webhook: Webhook,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.config = config
        self.policies = policies
        self.review = review
        self.webhook = webhook

    async def observe_answer(self, answer: ScoredAnswer) -> list[RaisedAlert]:
        def change(stored: StoredState) -> Transition:
            detector = self._detector(stored)
            answered = answer.status == "answered"
            fired = detector.observe_answer(
                answer.status,
                answer.groundedness if answered else None,
                answer.hallucinated if answered else None,
                answer.top_similarity,
            )
            if answer.question_vector:
                fired += detector.observe_question(answer.question_vector)
            signals = evidence.answer_signals(
                answer.status, answer.hallucinated, answer.groundedness, answer.top_similarity is not None
            )
            kept = evidence.remember(stored.evidence, signals, answer.answer_id)
            return self._transition(answer.tenant_id, detector, kept, fired)

        return await self._apply(answer.tenant_id, f"answer:{answer.answer_id}", change)

    async def observe_feedback(
        self, tenant_id: str, feedback_id: str, answer_id: str, rating: int
    ) -> list[RaisedAlert]:
        negative = rating < 0

        def change(stored: StoredState) -> Transition:
            detector = self._detector(stored)
            fired = detector.observe_feedback(negative)
            signals = ["negative_feedback_rate"] if negative else []
            return self._transition(tenant_id, detector, evidence.remember(stored.evidence, signals, answer_id), fired)

        return await self._apply(tenant_id, f"feedback:{feedback_id}", change)

    async def reset(self, tenant_id: str, relearn: bool) -> DriftView:
        """Clears the open alerts; with ``relearn`` every signal learns its reference again."""

        def change(stored: StoredState) -> Transition:
            detector = self._detector(stored)
            if relearn:
                detector.reset()
            return Transition(StoredState(detector.to_json(), stored.evidence))

        had_alerts = bool(await self.store.open_alerts(tenant_id))
        transition = await self.store.change(tenant_id, change)
        if had_alerts:
            detail = "an operator cleared the open alerts" + (" and asked to relearn the references" if relearn else "")
            await self.publisher.act(TakenAction(str(uuid.uuid4()), tenant_id, "", "strict_mode_off", detail=detail))
        return DriftView(tenant_id, self._detector(transition.state), [])

    async def view(self, tenant_id: str) -> DriftView | None:
        stored = await self.store.load(tenant_id)
        if stored is None or stored.detector is None:
            return None
        return DriftView(tenant_id, self._detector(stored), await self.store.open_alerts(tenant_id))

    async def _apply(
        self, tenant_id: str, event_key: str, change: Callable[[StoredState], Transition]
    ) -> list[RaisedAlert]:
        await self.store.apply(tenant_id, event_key, change)
        # Also what an earlier delivery committed but did not get to publish (a crash in between).
        # Published and acted on before it is marked published: after a crash in between, the
        # alert and its actions come again (at least once; strict mode on twice is the same).
        published = []
        for alert in await self.store.unpublished(tenant_id):
            await self.publisher.publish(alert)
            for action in await self._act(alert):
                await self.publisher.act(action)
            await self.store.mark_published(alert.alert_id)
            published.append(alert)
        return published

    async def _act(self, alert: RaisedAlert) -> list[TakenAction]:
        policy = policy_for(self.policies, alert.tenant_id)
        taken = []
        for kind in policy.actions_for(alert.signal):
            action_id = str(uuid.uuid5(uuid.UUID(alert.alert_id), kind.value))  # the same on a retry
            if kind is ActionKind.STRICT_MODE:
                detail = f"answers quote passages only until an operator clears the alert ({alert.summary})"
                taken.append(
                    TakenAction(action_id, alert.tenant_id, alert.alert_id, "strict_mode_on", alert.signal, [], detail)
                )
            elif kind is ActionKind.REVIEW_DOCUMENTS:
                documents = await self.review.mark_for_review(alert.tenant_id, alert.alert_id, alert.evidence)
                detail = f"{len(documents)} document(s) cited by {len(alert.evidence)} evidence answer(s)"
                taken.append(
                    TakenAction(
                        action_id, alert.tenant_id, alert.alert_id, "documents_marked_for_review", alert.signal,
                        documents, detail,
                    )
                )  # fmt: skip
            elif kind is ActionKind.WEBHOOK:
                detail = await self.webhook.call(policy.webhook_url, alert)
                taken.append(
                    TakenAction(action_id, alert.tenant_id, alert.alert_id, "webhook_called", alert.signal, [], detail)
                )
        return taken

    def _detector(self, stored: StoredState) -> TenantDrift:
        if stored.detector is None:
            return TenantDrift(self.config)
        return TenantDrift.from_json(stored.detector, self.config)

    def _transition(
        self, tenant_id: str, detector: TenantDrift, kept: dict[str, list[str]], fired: list[SignalAlert]
    ) -> Transition:
        now = datetime.now(UTC)
        alerts = [raised(tenant_id, alert, kept.get(alert.signal, []), now) for alert in fired]
        return Transition(StoredState(detector.to_json(), kept), alerts)


def raised(tenant_id: str, alert: SignalAlert, evidence_ids: list[str], now: datetime) -> RaisedAlert:
    return RaisedAlert(
        alert_id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        signal=alert.signal,
        direction=alert.direction,
        reference=alert.reference,
        current=alert.current,
        shift=alert.current - alert.reference,
        test=alert.test,
        statistic=alert.statistic,
        threshold=alert.threshold,
        observations=alert.observations,
        summary=alert.summary,
        suggested_action=alert.suggested_action,
        evidence=list(evidence_ids),
        raised_at=now,
    )
