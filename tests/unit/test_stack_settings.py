"""The stack's settings survive the trip through the environment (supervisor, CLI in tests)."""

from __future__ import annotations

import pytest

from llmops_stack.config import StackSettings


def test_environment_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    original = StackSettings.isolated("round-trip", port_base=41000, durable=True, with_services=True).model_copy(
        update={"replicas": {"embedding": 2, "retrieval": 3}}
    )
    for name, value in original.environment().items():
        monkeypatch.setenv(name, value)
    assert StackSettings() == original
