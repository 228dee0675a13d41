"""Shared fixtures: a real local stack on its own ports, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmops_core.settings import KafkaSettings, PostgresSettings
from llmops_stack.config import StackSettings
from llmops_stack.stack import Stack

# Ports apart from a developer's `make up` stack, so tests never touch it.
TEST_STACK = StackSettings.isolated("test-stack", port_base=25000)


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
    return KafkaSettings(bootstrap_servers=stack.kafka_bootstrap, max_attempts=3, retry_backoff_seconds=0.05)


@pytest.fixture(scope="session")
def postgres_settings(stack: StackSettings) -> PostgresSettings:
    return PostgresSettings(host=stack.host, port=stack.postgres_port, database=stack.postgres_database)
