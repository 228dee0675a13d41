"""``make bench``: what authentication costs per call, next to a gRPC round trip on this machine.

Measured in one process, side by side: a health-check round trip over a real loopback gRPC server
(public, no credential), the service-token work of one call (the client mints, the server
verifies), and an API key check served from the key cache (the database is asked once per key per
``LLMOPS_AUTH_KEY_CACHE_SECONDS``). Writes the ``bench:auth`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import SecretStr

from llmops_core.auth.interceptors import CallerCheck
from llmops_core.auth.principal import Principal
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.grpc_server import GrpcServer
from llmops_core.settings import AuthSettings, ServiceSettings
from llmops_stack.bench import write_report

BEGIN, END = "<!-- bench:auth:begin -->", "<!-- bench:auth:end -->"
SECRET = "bench-only-service-secret-" + "0" * 32
CALLS = 2000


class CachedKey:
    """The key store's cache hit path: a dict lookup by the key's digest (no database)."""

    def __init__(self) -> None:
        from llmops_core.auth.keys import digest

        self.digest = digest
        self.cache = {digest("llmops_key").hex(): Principal("key:1", "acme", frozenset({"ask"}))}

    async def verify(self, key: str) -> Principal:
        return self.cache[self.digest(key).hex()]


async def per_call_us(work: Callable[[], Awaitable[object]], calls: int = CALLS) -> float:
    for _ in range(100):
        await work()
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            await work()
        samples.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(samples)


async def measure() -> dict[str, float]:
    settings = ServiceSettings(service_name="bench", grpc_port=0, auth=AuthSettings(service_secret=SecretStr(SECRET)))
    server = GrpcServer(settings, [])
    await server.start()
    tokens = ServiceTokens(SECRET)
    method = "/llmops.query.v1.QueryService/Ask"
    check = CallerCheck(tokens, CachedKey(), {method: "ask"})
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)  # type: ignore[no-untyped-call]
            round_trip = await per_call_us(lambda: health.Check(health_pb2.HealthCheckRequest()), 500)
    finally:
        await server.stop()

    async def token_call() -> Principal:
        return await check.principal(method, {"authorization": f"Bearer {tokens.mint('query', 'acme')}"})

    async def key_call() -> Principal:
        return await check.principal(method, {"authorization": "Bearer llmops_key"})

    return {"round_trip": round_trip, "token": await per_call_us(token_call), "key": await per_call_us(key_call)}


def render(numbers: dict[str, float]) -> str:
    rt = numbers["round_trip"]
    return "\n".join(
        [
            BEGIN,
            "## Authentication: cost per call",
            "",
            f"Measured by `make bench` (`python -m llmops_stack.auth_bench`) on {time.strftime('%Y-%m-%d')}, one"
            " process, medians of 5 runs. The round trip is a public health check over a loopback gRPC server"
            " (grpc.aio, no credential); the other rows are the work authentication adds to each call.",
            "",
            "| per call | µs | share of a round trip |",
            "|---|---:|---:|",
            f"| gRPC unary round trip (health check) | {rt:.0f} | 1.00 |",
            f"| service token: mint (client) + verify (server) | {numbers['token']:.1f} |"
            f" {numbers['token'] / rt:.3f} |",
            f"| API key from the cache (SHA-256 + lookup) | {numbers['key']:.1f} | {numbers['key'] / rt:.3f} |",
            "",
            "A key not in the cache costs one indexed PostgreSQL lookup, once per key per"
            " `LLMOPS_AUTH_KEY_CACHE_SECONDS` (30 s).",
            "",
            END,
        ]
    )


def main() -> None:
    section = render(asyncio.run(measure()))
    print(section)
    write_report(section, begin=BEGIN, end=END)


if __name__ == "__main__":
    main()
