"""gRPC channels for calling other services, carrying the W3C trace context in metadata."""

from __future__ import annotations

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

# Fail fast on a dead peer instead of hanging; keepalive notices half-open connections.
DEFAULT_OPTIONS = [
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.enable_retries", 1),
]


def traced_channel(target: str) -> grpc.aio.Channel:
    """An insecure aio channel whose calls join the caller's trace (mTLS comes from the mesh)."""
    return grpc.aio.insecure_channel(
        target,
        options=DEFAULT_OPTIONS,
        interceptors=aio_client_interceptors(),  # type: ignore[no-untyped-call]
    )
