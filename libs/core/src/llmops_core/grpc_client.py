"""gRPC channels for calling other services, carrying the W3C trace context in metadata."""

from __future__ import annotations

import json
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


# Methods that only read (or, for the guardrail checks, only judge) and so may run twice. A call to one
# of them that fails UNAVAILABLE (its replica died under it, the connection was reset before the answer
# came back) is tried again, on the next replica in the rotation. Anything that writes (Ask, Generate,
# ingestion, prompt activation, drift reset) is never retried here: its caller decides.
IDEMPOTENT_METHODS: dict[str, tuple[str, ...]] = {
    "llmops.embedding.v1.EmbeddingService": ("Embed",),
    "llmops.retrieval.v1.RetrievalService": ("Search", "GetChunk", "GetIndexStats"),
    "llmops.guardrails.v1.GuardrailsService": ("CheckInput", "CheckOutput", "ScreenDocument"),
    "llmops.generation.v1.GenerationService": ("ListPrompts", "GetPrompt", "DiffPrompts"),
    "llmops.ingestion.v1.IngestionService": ("GetDocument", "ListDocuments"),
    "llmops.evaluation.v1.EvaluationService": (
        "GetAnswerScore",
        "GetDriftState",
        "ListReviewAnswers",
        "GetKnowledgeGaps",
    ),
    "llmops.telemetry.v1.TelemetryService": ("GetSummary", "ListAnswers"),
}
RETRY_POLICY = {
    "maxAttempts": 3,
    "initialBackoff": "0.05s",
    "maxBackoff": "0.5s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}

# Calls go round-robin over every address the target resolves to (the replicas a comma-separated
# "ipv4:" target lists, or a Kubernetes headless Service's DNS records), and a replica whose standard
# health service stops answering SERVING leaves the rotation until it answers again. A call that never
# reached a server is retried by gRPC itself; an idempotent one that did is retried by RETRY_POLICY.
# Retry throttling stops retries once more than half of recent calls failed, so a service that is down
# everywhere is not hit three times as hard.
SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "healthCheckConfig": {"serviceName": ""},
        "methodConfig": [
            {
                "name": [{"service": service, "method": method} for method in methods],
                "retryPolicy": RETRY_POLICY,
            }
            for service, methods in IDEMPOTENT_METHODS.items()
        ],
        "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1},
    }
)
BALANCED_OPTIONS = [
    *DEFAULT_OPTIONS,
    ("grpc.service_config", SERVICE_CONFIG),
    # Round robin reconnects to a lost replica at once and then backs off (by default up to 120 s): a
    # replica that restarts (a crash, `llmops scale`) must be back in the rotation within seconds.
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 2_000),
]


def channel_target(url: str) -> str:
    """``host:port`` as it is; ``host:port,host:port,...`` (the replicas of a service) as one ``ipv4:``
    target that the round-robin policy spreads calls over."""
    if "," in url and ":" in url and not url.startswith(("ipv4:", "ipv6:", "dns:")):
        return "ipv4:" + ",".join(part.strip() for part in url.split(","))
    return url


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
    return grpc.aio.insecure_channel(channel_target(target), options=BALANCED_OPTIONS, interceptors=interceptors)


def balanced_channel(target: str, options: list[tuple[str, Any]] | None = None) -> grpc.Channel:
    """A blocking channel (CLI, benches) spread over the target's replicas like ``traced_channel``."""
    return grpc.insecure_channel(channel_target(target), options=[*BALANCED_OPTIONS, *(options or [])])
