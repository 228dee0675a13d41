"""Calls to a service with two replicas reach both, and go on without a failure when one is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import grpc
import pytest

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops.query.v1 import query_pb2, query_pb2_grpc
from llmops_core.grpc_client import channel_target, configure_service_auth, traced_channel
from llmops_core.settings import AuthSettings
from tests.integration.test_grpc_server import free_port


def start(port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    script = str(Path(__file__).with_name("sample_grpc_server.py"))
    return subprocess.Popen([sys.executable, script, str(port)], env={**os.environ, **(env or {})})


def test_channel_target_lists_replicas_for_round_robin() -> None:
    assert channel_target("127.0.0.1:1") == "127.0.0.1:1"
    assert channel_target("127.0.0.1:1,127.0.0.1:2") == "ipv4:127.0.0.1:1,127.0.0.1:2"
    assert channel_target("dns:///retrieval:50054") == "dns:///retrieval:50054"


def test_two_replicas_share_the_calls_and_a_killed_one_costs_no_call() -> None:
    ports = [free_port(), free_port()]
    replicas = [start(port) for port in ports]
    configure_service_auth(AuthSettings(), "tests")
    try:
        for port in ports:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as probe:
                grpc.channel_ready_future(probe).result(timeout=30)

        async def scenario() -> tuple[Counter[str], Counter[str]]:
            async with traced_channel(",".join(f"127.0.0.1:{p}" for p in ports)) as channel:
                stub = embedding_pb2_grpc.EmbeddingServiceStub(channel)

                async def served_by() -> str:
                    response = await stub.Embed(embedding_pb2.EmbedRequest(texts=["abc"]), timeout=10)
                    return response.model.rsplit("@", 1)[1]

                # Round robin starts with the first replica ready: call until both have answered (the
                # second may connect late on a loaded machine), then count the spread from there.
                seen: set[str] = set()
                for _ in range(400):
                    seen.add(await served_by())
                    if len(seen) == 2:
                        break
                before: Counter[str] = Counter()
                for _ in range(40):
                    before[await served_by()] += 1
                replicas[0].send_signal(signal.SIGKILL)
                replicas[0].wait()
                after: Counter[str] = Counter()
                for _ in range(40):  # sequential: nothing is in flight when the replica dies
                    after[await served_by()] += 1
                return before, after

        before, after = asyncio.run(scenario())
    finally:
        configure_service_auth(AuthSettings(), "tests")
        for replica in replicas:
            if replica.poll() is None:
                replica.kill()
                replica.wait()
    assert set(before) == {str(p) for p in ports}, before
    assert min(before.values()) >= sum(before.values()) // 4, before  # spread, not pinned to one
    assert after == Counter({str(ports[1]): 40}), after  # every call after the kill succeeded, on the survivor


@pytest.mark.parametrize("url", ["127.0.0.1:1,127.0.0.1:2"])
def test_a_target_of_only_dead_replicas_is_unavailable(url: str) -> None:
    async def scenario() -> grpc.StatusCode:
        async with traced_channel(url) as channel:
            stub = embedding_pb2_grpc.EmbeddingServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.Embed(embedding_pb2.EmbedRequest(texts=["abc"]), timeout=5)
            return error.value.code()

    assert asyncio.run(scenario()) in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class _FailsFirst(embedding_pb2_grpc.EmbeddingServiceServicer, query_pb2_grpc.QueryServiceServicer):
    """Answers UNAVAILABLE to the first call of each method, as a replica dying under a call does."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    async def Embed(  # noqa: N802 (gRPC method name)
        self, request: embedding_pb2.EmbedRequest, context: grpc.aio.ServicerContext
    ) -> embedding_pb2.EmbedResponse:
        self.calls["Embed"] += 1
        if self.calls["Embed"] == 1:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "replica going away")
        return embedding_pb2.EmbedResponse(model="second-try")

    async def Ask(  # noqa: N802 (gRPC method name)
        self, request: query_pb2.AskRequest, context: grpc.aio.ServicerContext
    ) -> query_pb2.AskResponse:
        self.calls["Ask"] += 1
        await context.abort(grpc.StatusCode.UNAVAILABLE, "replica going away")
        raise AssertionError("abort raises")


def test_an_idempotent_call_is_retried_on_unavailable_and_an_ask_is_not() -> None:
    servicer = _FailsFirst()

    async def scenario() -> tuple[str, grpc.StatusCode]:
        server = grpc.aio.server()
        embedding_pb2_grpc.add_EmbeddingServiceServicer_to_server(servicer, server)  # type: ignore[arg-type]
        query_pb2_grpc.add_QueryServiceServicer_to_server(servicer, server)  # type: ignore[arg-type]
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with traced_channel(f"127.0.0.1:{port}") as channel:
                embedded = await embedding_pb2_grpc.EmbeddingServiceStub(channel).Embed(
                    embedding_pb2.EmbedRequest(texts=["abc"]), timeout=10
                )
                with pytest.raises(grpc.aio.AioRpcError) as error:
                    await query_pb2_grpc.QueryServiceStub(channel).Ask(
                        query_pb2.AskRequest(tenant_id="t", question="q"), timeout=10
                    )
                return embedded.model, error.value.code()
        finally:
            await server.stop(None)

    model, ask_status = asyncio.run(scenario())
    assert model == "second-try" and servicer.calls["Embed"] == 2  # retried once, and then served
    assert ask_status == grpc.StatusCode.UNAVAILABLE and servicer.calls["Ask"] == 1  # an Ask writes: never retried


def test_calls_go_on_while_the_server_recycles_connections() -> None:
    """Servers close each connection after grpc_max_connection_age_seconds (so `dns:///` callers look the
    name up again and find new replicas); a caller resolving by name loses no call to it."""
    port = free_port()
    server = start(port, {"LLMOPS_SERVICE_GRPC_MAX_CONNECTION_AGE_SECONDS": "0.3"})
    configure_service_auth(AuthSettings(), "tests")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as probe:
            grpc.channel_ready_future(probe).result(timeout=30)

        async def scenario() -> list[str]:
            async with traced_channel(f"dns:///127.0.0.1:{port}") as channel:
                stub = embedding_pb2_grpc.EmbeddingServiceStub(channel)
                served = []
                for _ in range(30):  # about 3 s: ten connection ages
                    response = await stub.Embed(embedding_pb2.EmbedRequest(texts=["abc"]), timeout=10)
                    served.append(response.model)
                    await asyncio.sleep(0.1)
                return served

        served = asyncio.run(scenario())
    finally:
        server.kill()
        server.wait()
    assert served == [f"character-count@{port}"] * 30
