"""gRPC channels for calling other services, carrying the W3C trace context in metadata."""

from __future__ import annotations

from typing import Any

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from llmops_core.auth.interceptors import ServiceTokenStream, ServiceTokenUnary
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.settings import AuthSettings

# Fail fast on a dead peer instead of hanging; keepalive notices half-open connections.
DEFAULT_OPTIONS = [
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.enable_retries", 1),
]


_service_tokens: tuple[ServiceTokens, str] | None = None


def configure_service_auth(auth: AuthSettings, caller: str) -> None:
    """Makes every channel this process opens afterwards carry this service's tokens (bootstrap calls it)."""
    global _service_tokens
    _service_tokens = (ServiceTokens(auth.service_secret.get_secret_value(), auth.service_token_seconds), caller)


def traced_channel(target: str) -> grpc.aio.Channel:
    """An aio channel whose calls join the caller's trace and carry a service token once configured.

    The token is minted per call for the tenant the caller acts for (docs/decisions/0019).
    """
    interceptors: list[Any] = list(aio_client_interceptors())  # type: ignore[no-untyped-call]
    if _service_tokens is not None:
        tokens, caller = _service_tokens
        interceptors += [ServiceTokenUnary(tokens, caller), ServiceTokenStream(tokens, caller)]
    return grpc.aio.insecure_channel(target, options=DEFAULT_OPTIONS, interceptors=interceptors)
