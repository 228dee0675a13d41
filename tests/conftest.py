"""Shared fixtures: a real local stack on its own ports, started once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from llmops_core.grpc_client import configure_service_auth
from llmops_core.settings import AuthSettings, KafkaSettings, PostgresSettings
from llmops_stack.config import StackSettings
from llmops_stack.stack import Stack

# Services the tests build in-process read their service secret from the environment, and every
# channel the tests open carries tokens signed with it (as a service's would).
os.environ.setdefault("LLMOPS_AUTH_SERVICE_SECRET", "tests-only-service-secret-" + "0" * 32)
configure_service_auth(AuthSettings(), "tests")

# Ports apart from a developer's `make up` stack, so tests never touch it. Two test runs side by side
# (two worktrees, or a helper beside you) each set their own LLMOPS_TEST_PORT_BASE.
TEST_STACK = StackSettings.isolated(
    os.environ.get("LLMOPS_TEST_STACK_NAME", "test-stack"),
    port_base=int(os.environ.get("LLMOPS_TEST_PORT_BASE", "25000")),
)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackSettings]:
    running = Stack(TEST_STACK)
    try:
        running.up()
        yield TEST_STACK
    finally:
        running.down()


@pytest.fixture(scope="session")
def kafka_settings(stack: StackSettings) -> KafkaSettings:
    # A one-second retry deadline keeps dead-letter tests fast; tests of outages raise it for themselves.
    return KafkaSettings(
        bootstrap_servers=stack.kafka_bootstrap,
        retry_initial_seconds=0.05,
        retry_max_interval_seconds=0.2,
        retry_deadline_seconds=1.0,
    )


@pytest.fixture(scope="session")
def postgres_settings(stack: StackSettings) -> PostgresSettings:
    return PostgresSettings(host=stack.host, port=stack.postgres_port, database=stack.postgres_database)
