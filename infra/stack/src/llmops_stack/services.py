"""The platform's services as processes of the local stack, each with a replica count.

Replica r of a service listens on its gRPC port + 100*r. Callers get every replica's address and spread
their calls over them round-robin, skipping a replica whose health check fails (llmops_core.grpc_client);
Kafka consumer groups share the partitions among replicas.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

from llmops_core.healthcheck import check
from llmops_stack.components import Component
from llmops_stack.config import REPO_ROOT, StackSettings
from llmops_stack.credentials import service_secret

# Start order: what a service calls at start-up comes before it.
SERVICE_OFFSETS = {
    "guardrails": 6, "embedding": 3, "retrieval": 4, "ingestion": 2,
    "generation": 5, "evaluation": 7, "telemetry": 8, "query": 1,
}  # fmt: skip
CORPUS = REPO_ROOT / "corpus"
# Two routes (limits) on the stack's one llama.cpp model; see the file and docs/decisions/0025.
GENERATION_ROUTES = REPO_ROOT / "services/generation/src/llmops_generation/routes.yaml"


def grpc_port(settings: StackSettings, service: str, replica: int = 0) -> int:
    return settings.service_port_base + SERVICE_OFFSETS[service] + 100 * replica


def target(settings: StackSettings, service: str) -> str:
    """Every replica's address, comma-separated: callers spread their calls over them (round robin)."""
    count = settings.replicas.get(service, 1)
    return ",".join(f"{settings.host}:{grpc_port(settings, service, r)}" for r in range(count))


def service_environment(settings: StackSettings, service: str, replica: int) -> dict[str, str]:
    prefix = f"LLMOPS_{service.upper()}_"
    env = {
        "LLMOPS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap,
        "LLMOPS_KAFKA_PROFILE": "tansu",
        "LLMOPS_POSTGRES_HOST": settings.host,
        "LLMOPS_POSTGRES_PORT": str(settings.postgres_port),
        "LLMOPS_POSTGRES_DATABASE": settings.postgres_database,
        "LLMOPS_TRITON_GRPC_URL": settings.triton_grpc_url,
        "LLMOPS_AUTH_SERVICE_SECRET": service_secret(settings),
        f"{prefix}GRPC_HOST": settings.host,
        f"{prefix}GRPC_PORT": str(grpc_port(settings, service, replica)),
    }
    if service != "telemetry":  # spans to telemetry's OTLP receiver (its own would feed back into it)
        env["LLMOPS_OTEL_TRACES_HTTP_ENDPOINT"] = f"http://{settings.host}:{settings.telemetry_http_port}/v1/traces"
    wiring = {
        "query": {
            # The 0.5B model only (decision 0038: SmolLM2 first with escalation answered as many questions
            # right on the blind set at twice the latency). A bench may set LLMOPS_QUERY_GENERATION_ROUTES.
            "GENERATION_ROUTES": os.environ.get("LLMOPS_QUERY_GENERATION_ROUTES", json.dumps(["large"])),
            "GUARDRAILS_URL": target(settings, "guardrails"),
            "RETRIEVAL_URL": target(settings, "retrieval"),
            "GENERATION_URL": target(settings, "generation"),
            "EMBEDDING_URL": target(settings, "embedding"),
        },
        "retrieval": {"EMBEDDING_URL": target(settings, "embedding")},
        "guardrails": {"EMBEDDING_URL": target(settings, "embedding")},
        "evaluation": {
            "EMBEDDING_URL": target(settings, "embedding"),
            "QUERY_URL": target(settings, "query"),
            "SUITES_DIR": str(CORPUS),
        },
        "generation": {
            "LLM_BASE_URL": settings.llm_base_url,
            "LLM_MODEL": settings.llm_model_alias,
            # A bench may name its own routes (environment of `up`, which the supervisor inherits).
            "ROUTES_FILE": os.environ.get("LLMOPS_GENERATION_ROUTES_FILE", str(GENERATION_ROUTES)),
        },
        # The local stack runs as the developer on their own machine, so `llmops ingest DIR` may sync
        # any folder and URL they name; deployments list their roots and URL prefixes (compose: /sources).
        "ingestion": {
            "SOURCE_ROOTS": json.dumps(["/"]),
            "GUARDRAILS_URL": target(settings, "guardrails"),
            "ALLOWED_URL_PREFIXES": json.dumps(["http://", "https://"]),
        },
        "telemetry": {"METRICS_PORT": str(settings.telemetry_http_port + replica)},
    }
    env.update({prefix + key: value for key, value in wiring.get(service, {}).items()})
    if service == "generation":  # read by routes.yaml's os.environ/ references, not by the settings
        env["LLMOPS_ROUTE_LARGE_BASE_URL"] = settings.llm_large_base_url
        env["LLMOPS_ROUTE_LARGE_MODEL"] = settings.llm_large_model_alias
    return env


@dataclass
class ServiceProcess(Component):
    service: str = ""
    replica: int = 0

    def command(self) -> list[str]:
        return [sys.executable, "-m", f"llmops_{self.service}"]

    def environment(self) -> dict[str, str]:
        return service_environment(self.settings, self.service, self.replica)

    def healthy(self) -> bool:
        return check(f"{self.settings.host}:{self.port}", timeout=1.0)


def service_processes(settings: StackSettings) -> list[Component]:
    processes: list[Component] = []
    for service in SERVICE_OFFSETS:
        for replica in range(settings.replicas.get(service, 1)):
            name = service if replica == 0 else f"{service}-{replica + 1}"
            port = grpc_port(settings, service, replica)
            processes.append(ServiceProcess(name, port, settings, service=service, replica=replica))
    return processes
