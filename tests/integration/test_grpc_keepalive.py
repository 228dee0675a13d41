"""A caller's health Watch stream (client-side health checks) survives its keepalive pings.

A Watch sends no data while the status holds. With gRPC's server defaults a ping without data is allowed
once every 5 minutes; a client pinging more often was cut off with GOAWAY "too_many_pings" (UNAVAILABLE)
after three pings, dropping every call on that connection. The servers now allow one every 10 s.
"""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llmops_core.grpc_server import GrpcServer
from llmops_core.settings import ServiceSettings

HELD_SECONDS = 36  # three pings at 11 s: enough strikes for the old server to hang up


def test_a_watch_stream_pinged_every_11_seconds_stays_open() -> None:
    async def scenario() -> str:
        server = GrpcServer(ServiceSettings(service_name="keepalive", grpc_port=0), [])
        await server.start()
        options = [
            ("grpc.keepalive_time_ms", 11_000),
            ("grpc.keepalive_timeout_ms", 5_000),
            ("grpc.http2.max_pings_without_data", 0),  # keep pinging, as a long-lived caller does
        ]
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}", options=options) as channel:
                watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
                try:
                    async with asyncio.timeout(HELD_SECONDS):
                        async for _ in watch:
                            pass
                except TimeoutError:
                    return "open"
                except grpc.aio.AioRpcError as error:
                    return f"{error.code().name}: {error.details()}"
                return "ended"
        finally:
            await server.stop()

    assert asyncio.run(scenario()) == "open"
