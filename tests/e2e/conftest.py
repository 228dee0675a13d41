"""The whole platform, started once for the e2e tests: infrastructure, every service, two embedders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from rich.console import Console

from llmops_core.grpc_client import balanced_channel
from llmops_stack.client import PlatformClient
from llmops_stack.config import StackSettings
from llmops_stack.credentials import api_key
from llmops_stack.demo import ingest_corpus, load_golden
from llmops_stack.services import target
from llmops_stack.stack import Stack
from tests.bearer import Bearer

EMAIL, PHONE = "jane.doe@example.com", "+1 415 555 0134"
PII_QUESTION = f"I'm {EMAIL}, call me on {PHONE}: how many days do I have to return an item?"

# Its own ports and state; two runs side by side set LLMOPS_E2E_PORT_BASE / LLMOPS_E2E_STACK_NAME.
E2E_STACK = StackSettings.isolated(
    os.environ.get("LLMOPS_E2E_STACK_NAME", "test-e2e"),
    port_base=int(os.environ.get("LLMOPS_E2E_PORT_BASE", "27000")),
    with_services=True,
).model_copy(update={"replicas": {"embedding": 2}})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def platform() -> Iterator[Stack]:
    stack = Stack(E2E_STACK)
    stack.down()  # leftovers of an interrupted run
    shutil.rmtree(E2E_STACK.state_dir, ignore_errors=True)  # every run starts from empty stores
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


@pytest.fixture(scope="session")
def answers(platform: Stack, client: PlatformClient) -> dict[str, Any]:
    """Ingest the corpus (with the update), then ask every golden question and the PII question."""
    golden = load_golden()
    ingest_corpus(client, platform.settings, golden["tenant"], Console(quiet=True))
    asked = {case["question"]: client.ask(golden["tenant"], case["question"]) for case in golden["questions"]}
    asked[PII_QUESTION] = client.ask(golden["tenant"], PII_QUESTION)
    return asked


def keyed_channel(settings: StackSettings, service: str, tenant: str = "acme") -> grpc.Channel:
    """A channel to a service whose calls carry the tenant's API key, as a product app's would."""
    plain = balanced_channel(target(settings, service))
    key = api_key(settings, tenant)
    return grpc.intercept_channel(plain, Bearer(lambda: key))
