"""One way to run a gRPC service: grpc.aio, health, reflection, tracing, error mapping, SIGTERM.

Usage::

    server = GrpcServer(settings, [(query_pb2.DESCRIPTOR.services_by_name["QueryService"], add_fn, servicer)])
    await server.run()   # returns after SIGTERM/SIGINT and a graceful drain
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from llmops_core import errors
from llmops_core.auth.interceptors import AuthInterceptor, CallerCheck
from llmops_core.auth.keys import KeyStore
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.grpc_handlers import rewrap
from llmops_core.settings import ServiceSettings

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.DomainError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
}


# A sentence that repeats a huge request value must not outgrow gRPC's metadata limit (which would
# turn the status into RESOURCE_EXHAUSTED and hide the real one).
MAX_DETAILS = 1000
MAX_REQUEST_BYTES = 12 * 1024 * 1024


def details(error: errors.DomainError) -> str:
    """The error's sentence, at most MAX_DETAILS bytes of UTF-8: gRPC measures its status header in
    bytes, and a message of 1000 four-byte characters passed its soft limit, which turns the status
    into RESOURCE_EXHAUSTED at random."""
    text = str(error)
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= MAX_DETAILS:
        return text
    return encoded[: MAX_DETAILS - 3].decode("utf-8", "ignore") + "…"


def status_for(error: errors.DomainError) -> grpc.StatusCode:
    for error_type in type(error).__mro__:
        if error_type in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[error_type]
    return grpc.StatusCode.INTERNAL


class DomainErrorInterceptor(grpc.aio.ServerInterceptor):
    """Turns DomainError into the matching status code with the error's own sentence."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        return handler if handler is None else rewrap(handler, _unary, _streaming)


def _unary(behaviour: Callable[..., Any]) -> Callable[..., Any]:
    async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await behaviour(request, context)
        except errors.DomainError as error:
            await context.abort(status_for(error), details(error))

    return call


def _streaming(behaviour: Callable[..., Any]) -> Callable[..., Any]:
    async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            responses = behaviour(request, context)
            if inspect.isawaitable(responses):  # it writes with context.write (grpc_health's Watch)
                await responses
                return
            async for response in responses:
                yield response
        except errors.DomainError as error:
            await context.abort(status_for(error), details(error))

    return call


@dataclass(frozen=True)
class ServiceRegistration:
    """A servicer plus what the server needs to register, report health for and reflect it."""

    descriptor: ServiceDescriptor
    add_to_server: Callable[[Any, grpc.aio.Server], None]
    servicer: Any
    # Methods (short names) that API keys may call, with the scope each needs; the others are internal
    # to the platform (service tokens only).
    key_scopes: Mapping[str, str] = field(default_factory=dict)


class GrpcServer:
    def __init__(
        self, settings: ServiceSettings, services: Sequence[ServiceRegistration], keys: KeyStore | None = None
    ) -> None:
        """``keys``: where API keys are verified; None for services only other services call."""
        self.settings = settings
        self.services = services
        self.health = health.aio.HealthServicer()
        key_scopes = {
            f"/{service.descriptor.full_name}/{method}": scope
            for service in services
            for method, scope in service.key_scopes.items()
        }
        tokens = ServiceTokens(settings.auth.service_secret.get_secret_value(), settings.auth.service_token_seconds)
        # Errors of the auth check are DomainErrors too: the error interceptor wraps it and maps them.
        self.server = grpc.aio.server(
            # Requests up to the 10 MiB documents the ingestion contract accepts, plus framing.
            options=[
                ("grpc.max_receive_message_length", MAX_REQUEST_BYTES),
                ("grpc.max_connection_age_ms", int(settings.grpc_max_connection_age_seconds * 1000)),
                ("grpc.max_connection_age_grace_ms", int(settings.grpc_max_connection_age_grace_seconds * 1000)),
                # Callers keep a health Watch stream open (client-side health checks) and ping every 30 s
                # (grpc_client.DEFAULT_OPTIONS). A Watch sends no data while the status holds, so with
                # the defaults (pings without data at most every 5 min) the server counted those pings
                # as abuse and dropped the connection with GOAWAY "too_many_pings" after ~10 minutes.
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            ],
            interceptors=[
                aio_server_interceptor(),  # type: ignore[no-untyped-call]
                DomainErrorInterceptor(),
                AuthInterceptor(CallerCheck(tokens, keys, key_scopes)),
            ],
        )
        for service in services:
            service.add_to_server(service.servicer, self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        names = [service.descriptor.full_name for service in services]
        reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server)
        self.port = self.server.add_insecure_port(f"{settings.grpc_host}:{settings.grpc_port}")

    async def start(self) -> None:
        await self.server.start()
        for service in self.services:
            await self.health.set(service.descriptor.full_name, health_pb2.HealthCheckResponse.SERVING)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        log.info("%s serving gRPC on %s:%s", self.settings.service_name, self.settings.grpc_host, self.port)

    async def stop(self) -> None:
        # Report NOT_SERVING first so load balancers drain us, then let in-flight calls finish.
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.settings.grpc_grace_seconds)

    async def run_beside(self, consumers: Awaitable[None]) -> None:
        """Serves like ``run`` while ``consumers`` (a Kafka broker's start) runs beside it.

        A broker's start returns only once its consumer groups have handed out partitions, and after
        a crash a group can take a long time to do that (the dead member has to time out first; five
        fast restarts in a row kept a retrieval replica from ever serving). The gRPC API does not need
        the partitions, so it serves at once. If ``consumers`` fails, the server stops and this raises.
        """
        starting = asyncio.ensure_future(consumers)
        serving = asyncio.create_task(self.run())
        try:
            while not serving.done():
                waiting = {serving} if starting.done() else {serving, starting}
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                failure = None if not starting.done() or starting.cancelled() else starting.exception()
                if failure is not None:
                    log.error("%s: its Kafka consumers failed to start: %s", self.settings.service_name, failure)
                    await self.stop()
                    raise failure
            await serving
        finally:
            for task in (starting, serving):
                task.cancel()
            await asyncio.gather(starting, serving, return_exceptions=True)

    async def run(self) -> None:
        """Serves until SIGTERM or SIGINT, then shuts down gracefully."""
        # Handlers first: a SIGTERM that comes while the server starts is a graceful stop too.
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        await self.start()
        await stopping.wait()
        await self.stop()
