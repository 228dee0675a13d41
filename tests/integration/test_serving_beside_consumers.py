"""GrpcServer.run_beside: the gRPC API serves while Kafka consumers are still joining their groups, and a
consumer start that fails stops the server with the error."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from llmops_core.grpc_server import GrpcServer
from llmops_core.healthcheck import probe
from llmops_core.settings import ServiceSettings
from tests.integration.test_grpc_server import free_port

PORT = free_port()
TARGET = f"127.0.0.1:{PORT}"


def server() -> GrpcServer:
    """Built inside the running loop, as a service's bootstrap does (grpc.aio binds to it)."""
    return GrpcServer(ServiceSettings(service_name="beside", grpc_port=PORT, grpc_grace_seconds=0.5), [])


def test_serves_before_the_consumers_have_started_and_stops_on_sigterm() -> None:
    joined = asyncio.Event()  # never set: a group that never hands out partitions

    async def never_joins() -> None:
        await joined.wait()

    async def scenario() -> str:
        running = asyncio.create_task(server().run_beside(never_joins()))
        status = "not asked"
        for _ in range(100):
            await asyncio.sleep(0.05)
            status = await asyncio.to_thread(probe, TARGET, "", 1.0)
            if status == "SERVING":
                break
        os.kill(os.getpid(), signal.SIGTERM)  # run() handles it: a graceful stop
        await asyncio.wait_for(running, timeout=10)
        return status

    assert asyncio.run(scenario()) == "SERVING"
    assert not joined.is_set()
    assert probe(TARGET, "", 1.0).startswith("UNAVAILABLE")  # stopped, and the pending start was cancelled


def test_a_consumer_start_that_fails_stops_the_server_and_raises() -> None:
    async def broken_broker() -> None:
        await asyncio.sleep(0.3)
        raise ConnectionError("no broker at 127.0.0.1:1")

    async def scenario() -> None:
        await asyncio.wait_for(server().run_beside(broken_broker()), timeout=10)

    with pytest.raises(ConnectionError, match="no broker"):
        asyncio.run(scenario())
    assert probe(TARGET, "", 1.0).startswith("UNAVAILABLE")
