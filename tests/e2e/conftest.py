"""The whole platform, started once for the e2e tests: infrastructure, every service, two embedders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmops_stack.client import PlatformClient
from llmops_stack.config import StackSettings
from llmops_stack.stack import Stack

E2E_STACK = StackSettings.isolated("test-e2e", port_base=27000, with_services=True).model_copy(
    update={"replicas": {"embedding": 2}}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def platform() -> Iterator[Stack]:
    stack = Stack(E2E_STACK)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="session")
def client(platform: Stack) -> Iterator[PlatformClient]:
    connected = PlatformClient(platform.settings)
    yield connected
    connected.close()
