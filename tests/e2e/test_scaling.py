"""`llmops scale` on the running platform: a second replica of a gRPC service takes calls, and losing it
(kill -9) in the middle of a run of Asks fails none of them; nor does losing the first once the second is
back, which leaves the second to answer alone."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import psutil
import pytest

from llmops.query.v1 import query_pb2
from llmops_core.healthcheck import check
from llmops_stack.client import PlatformClient
from llmops_stack.demo import load_golden
from llmops_stack.services import grpc_port
from llmops_stack.stack import Stack


def connections(stack: Stack, caller: str, port: int) -> set[str]:
    """TCP states of the caller's connections to a replica's port (what its gRPC channel holds open)."""
    record = stack.table.get(caller)
    process = record.process() if record is not None else None
    assert process is not None, f"{caller} is not running"
    return {c.status for c in process.net_connections(kind="tcp") if c.raddr and c.raddr.port == port}


def wait_for_connections(stack: Stack, caller: str, port: int, done: Callable[[set[str]], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not done(connections(stack, caller, port)):
        assert time.monotonic() < deadline, f"{caller}: {what} within 60 s ({connections(stack, caller, port)})"
        time.sleep(0.1)


def wait_until_serving(target: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check(target, timeout=1.0):
        assert time.monotonic() < deadline, f"{target} did not serve again within {timeout:.0f} s"
        time.sleep(0.5)


def test_scaling_retrieval_and_killing_a_replica_mid_asks(
    platform: Stack, client: PlatformClient, answers: dict[str, Any]
) -> None:
    golden = load_golden()
    tenant = golden["tenant"]
    question = next(q["question"] for q in golden["questions"] if q["expect"] == "abstained")
    scaled = platform.scale("retrieval", 2)
    try:
        second = scaled.table.get("retrieval-2")
        assert second is not None and second.process() is not None
        # The callers restarted with both replicas' addresses.
        query = next(c for c in scaled.components if c.name == "query")
        retrieval_url = query.environment()["LLMOPS_QUERY_RETRIEVAL_URL"]
        ports = [grpc_port(scaled.settings, "retrieval", r) for r in (0, 1)]
        assert retrieval_url == ",".join(f"{scaled.settings.host}:{p}" for p in ports)

        statuses = []
        for index in range(16):
            if index == 6:
                os.kill(second.pid, signal.SIGKILL)
            if index == 11:
                # The supervisor brings the second back; then losing the first leaves only the second,
                # so the Asks after it prove the second takes calls too.
                wait_until_serving(f"{scaled.settings.host}:{ports[1]}", timeout=90)
                # The query's channel reconnects to it within its backoff (BALANCED_OPTIONS); killing the
                # first before it has would leave the query no replica it knows to be up.
                wait_for_connections(
                    scaled, "query", ports[1], lambda states: psutil.CONN_ESTABLISHED in states, "reconnect"
                )
                first = scaled.table.get("retrieval")
                assert first is not None
                os.kill(first.pid, signal.SIGKILL)
            statuses.append(client.ask(tenant, question).status)
        assert statuses == [query_pb2.ANSWER_STATUS_ABSTAINED] * 16
    finally:
        back = scaled.scale("retrieval", 1)
    leftover = back.table.get("retrieval-2")
    assert leftover is None or leftover.process() is None


@pytest.mark.parametrize(
    ("service", "expect", "asks"),
    [("embedding", "abstained", 8), ("guardrails", "abstained", 8), ("generation", "answered", 5)],
)
def test_scaling_a_service_of_the_ask_path_and_killing_one_replica_between_asks(
    platform: Stack, client: PlatformClient, answers: dict[str, Any], service: str, expect: str, asks: int
) -> None:
    """Two replicas of each service an Ask calls; one killed after the second Ask. Calls that start after
    the kill fail none: reads are retried on the survivor, and a Generate goes to the survivor."""
    golden = load_golden()
    tenant = golden["tenant"]
    question = next(q["question"] for q in golden["questions"] if q["expect"] == expect)
    scaled = platform.scale(service, 2)
    try:
        second = scaled.table.get(f"{service}-2")
        assert second is not None and second.process() is not None
        outcomes = []
        for index in range(asks):
            if index == 2:
                os.kill(second.pid, signal.SIGKILL)
                # The kill lands when the query has seen the connection close and let its socket go:
                # an Ask that starts after it finds only the survivor (a Generate is never retried).
                wait_for_connections(
                    scaled, "query", grpc_port(scaled.settings, service, 1), lambda states: not states, "let go"
                )
            response = client.ask(tenant, question)
            outcomes.append((response.status, response.outcome))
        assert len(set(outcomes)) == 1, outcomes  # every Ask the same answer, none an error
    finally:
        back = scaled.scale(service, 1)
    leftover = back.table.get(f"{service}-2")
    assert leftover is None or leftover.process() is None
