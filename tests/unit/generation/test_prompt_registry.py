"""The prompt registry over fake ports: load, look up, diff, activate, roll back, A/B choice, events."""

from __future__ import annotations

from dataclasses import replace

import pytest

from llmops.generation.v1.events_pb2 import PromptActivated
from llmops_core.errors import FailedPrecondition, InvalidArgument, NotFound
from llmops_generation.adapters.activation_publisher import activation_event
from llmops_generation.adapters.prompt_files import load_prompt_files
from llmops_generation.domain.prompts import Activation, choose_version
from llmops_generation.prompt_registry import PromptRegistry
from tests.unit.generation.fakes import MemoryPromptStore, RecordingPublisher, packaged_registry


async def test_the_latest_version_is_active_after_the_first_load() -> None:
    registry = await packaged_registry()
    assert [(p.version, w) for p, w in await registry.listing()] == [(1, 0.0), (2, 0.0), (3, 1.0)]
    latest, weight = await registry.get("rag-answer")
    assert (latest.version, weight) == (3, 1.0)
    assert (await registry.resolve("rag-answer", 0, "any session")).version == 3
    assert (await registry.resolve("rag-answer", 1, "any session")).version == 1


async def test_a_version_whose_file_changed_is_refused() -> None:
    store = MemoryPromptStore()
    registry = PromptRegistry(store, RecordingPublisher())
    v1, v2, *_ = load_prompt_files()
    await registry.load([v1, v2])
    await registry.load([v1, v2])  # a restart with the same files is fine
    with pytest.raises(FailedPrecondition, match="rag-answer v2 differs"):
        await registry.load([v1, replace(v2, system="Answer briefly.")])


async def test_unknown_names_and_versions_are_not_found() -> None:
    registry = await packaged_registry()
    with pytest.raises(NotFound, match="no prompt template named 'nope'; known: \\['rag-answer'\\]"):
        await registry.get("nope")
    with pytest.raises(NotFound, match="has no version 9"):
        await registry.resolve("rag-answer", 9, "s")
    with pytest.raises(NotFound, match="has no version 9"):
        await registry.diff("rag-answer", 1, 9)


async def test_diff_is_a_unified_diff_of_the_two_versions() -> None:
    registry = await packaged_registry()
    diff = await registry.diff("rag-answer", 1, 2)
    assert diff.startswith("--- rag-answer/v1\n+++ rag-answer/v2\n")
    assert "+Answer in the language of the question, citing passage numbers.\n" in diff
    assert await registry.diff("rag-answer", 2, 2) == ""


async def test_activate_validates_then_publishes_and_rollback_restores() -> None:
    publisher = RecordingPublisher()
    registry = await packaged_registry(publisher)
    for weights, message in [
        ([], "at least one version"),
        ([(1, 1.0), (1, 2.0)], "listed once"),
        ([(9, 1.0)], "has no version \\[9\\]"),
        ([(1, -1.0)], "0 or more"),
        ([(1, float("nan"))], "0 or more"),
        ([(1, 0.0), (2, 0.0)], "sum to more than 0"),
    ]:
        with pytest.raises(InvalidArgument, match=message):
            await registry.activate("rag-answer", weights, "ops")
    with pytest.raises(NotFound):
        await registry.activate("nope", [(1, 1.0)], "ops")
    assert publisher.changes == []

    change = await registry.activate("rag-answer", [(1, 0.7), (2, 0.3)], "alice")
    assert change.current == Activation("rag-answer", ((1, 0.7), (2, 0.3)))
    assert change.previous == Activation("rag-answer", ((3, 1.0),))
    assert [(p.version, w) for p, w in await registry.listing()] == [(1, 0.7), (2, 0.3), (3, 0.0)]

    back = await registry.rollback("rag-answer", "bob")
    assert (back.current, back.previous, back.rollback) == (change.previous, change.current, True)
    assert (await registry.get("rag-answer"))[1] == 1.0
    with pytest.raises(FailedPrecondition, match="no earlier activation"):
        await registry.rollback("rag-answer", "bob")
    assert [c.actor for c in publisher.changes] == ["alice", "bob"]

    event = activation_event(publisher.changes[0])
    assert isinstance(event, PromptActivated)
    assert (event.name, event.actor, event.rollback, event.envelope.tenant_id) == (
        "rag-answer",
        "alice",
        False,
        "platform",
    )
    assert [(v.version, v.weight) for v in event.versions] == [(1, 0.7), (2, 0.3)]
    assert [(v.version, v.weight) for v in event.previous] == [(3, 1.0)]


def test_a_70_30_split_holds_and_a_session_keeps_its_version() -> None:
    activation = Activation("rag-answer", ((1, 0.7), (2, 0.3)))
    sessions = [f"session-{i}" for i in range(10_000)]
    chosen = [choose_version(activation, s) for s in sessions]
    assert abs(chosen.count(1) / len(chosen) - 0.7) <= 0.02
    assert chosen == [choose_version(activation, s) for s in sessions]  # stable: same session, same version
    assert {choose_version(Activation("rag-answer", ((1, 0.0), (2, 5.0))), s) for s in sessions[:500]} == {2}


async def test_resolve_follows_the_activation_per_session() -> None:
    registry = await packaged_registry()
    await registry.activate("rag-answer", [(1, 0.5), (2, 0.5)], "ops")
    versions = {s: (await registry.resolve("rag-answer", 0, s)).version for s in ("a", "b", "c", "d", "e", "f")}
    assert set(versions.values()) == {1, 2}
    for session, version in versions.items():
        assert (await registry.resolve("rag-answer", 0, session)).version == version


async def test_a_prompt_starts_with_the_version_initial_yaml_names() -> None:
    from llmops_generation.adapters.packaged_prompt_store import PackagedPromptStore
    from llmops_generation.adapters.prompt_files import initial_versions

    files = load_prompt_files()
    assert initial_versions() == {"rag-answer": 1}  # v2 and v3 are candidates (measured in initial.yaml)
    assert await PackagedPromptStore(files, initial_versions()).active("rag-answer") == Activation(
        "rag-answer", ((1, 1.0),)
    )
    assert await PackagedPromptStore(files).active("rag-answer") == Activation("rag-answer", ((3, 1.0),))
