"""`llmops scale` on the running platform: a second replica of a gRPC service takes calls, and losing it
(kill -9) in the middle of a run of Asks fails none of them."""

from __future__ import annotations

import os
import signal
from typing import Any

from llmops.query.v1 import query_pb2
from llmops_stack.client import PlatformClient
from llmops_stack.demo import load_golden
from llmops_stack.services import grpc_port
from llmops_stack.stack import Stack


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
                os.kill(second.pid, signal.SIGKILL)  # between calls: nothing of ours is in flight
            statuses.append(client.ask(tenant, question).status)
        assert statuses == [query_pb2.ANSWER_STATUS_ABSTAINED] * 16
    finally:
        back = scaled.scale("retrieval", 1)
    leftover = back.table.get("retrieval-2")
    assert leftover is None or leftover.process() is None
