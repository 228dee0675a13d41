"""Strict answer mode: while a drift alert is open the tenant gets passage quotes, not drafts;
the modes follow the drift.actions topic (FastStream's test broker)."""

from __future__ import annotations

import asyncio

from faststream.kafka import KafkaBroker, TestKafkaBroker

from llmops.evaluation.v1.events_pb2 import DriftAction, DriftActionKind
from llmops_core.kafka import new_envelope
from llmops_core.topics import DRIFT_ACTIONS
from llmops_query.domain.answer_modes import AnswerModes
from llmops_query.domain.answers import Outcome, Status, ask_request
from llmops_query.entrypoints import subscribers
from tests.unit.query.fakes import Model, Retriever, pipeline


def test_strict_mode_quotes_the_passage_without_asking_a_model() -> None:
    model = Model("Items can be returned within 30 days.")
    ask = pipeline(Retriever(0.8), model)
    ask.modes.strict_on("acme", "alert-1", "hallucination_rate", "rise")
    answer = asyncio.run(ask.ask(ask_request("acme", "How many days do I have to return items?", 0, "", 4)))
    assert (answer.status, answer.outcome, model.calls) == (Status.ANSWERED, Outcome.EXTRACTIVE, 0)
    assert "drift alert alert-1" in answer.outcome_reason
    other = asyncio.run(ask.ask(ask_request("beta", "How many days do I have to return items?", 0, "", 4)))
    assert (other.outcome, model.calls) == (Outcome.VERIFIED, 1)  # other tenants keep their drafts


def action(tenant: str, kind: DriftActionKind, alert_id: str = "") -> DriftAction:
    return DriftAction(envelope=new_envelope(tenant, "tests"), action_id="a", alert_id=alert_id, kind=kind)


def test_actions_switch_the_mode_on_and_off() -> None:
    async def run() -> list[bool]:
        broker, modes = KafkaBroker(), AnswerModes()
        subscribers.register(broker, modes)
        seen = []
        async with TestKafkaBroker(broker) as test_broker:
            on = DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_ON
            await test_broker.publish(action("acme", on, "x").SerializeToString(), DRIFT_ACTIONS)
            seen.append(modes.strict("acme") is not None)
            marked = DriftActionKind.DRIFT_ACTION_KIND_DOCUMENTS_MARKED_FOR_REVIEW
            await test_broker.publish(action("acme", marked, "x").SerializeToString(), DRIFT_ACTIONS)
            seen.append(modes.strict("acme") is not None)
            off = DriftActionKind.DRIFT_ACTION_KIND_STRICT_MODE_OFF
            await test_broker.publish(action("acme", off).SerializeToString(), DRIFT_ACTIONS)
            seen.append(modes.strict("acme") is not None)
        return seen

    assert asyncio.run(run()) == [True, True, False]
