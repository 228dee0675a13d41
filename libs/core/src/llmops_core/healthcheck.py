"""``python -m llmops_core.healthcheck HOST:PORT``: exit 0 if the gRPC health service says SERVING.

Used by container health checks and Kubernetes probes, so images need no extra probe binary.
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def probe(target: str, service: str = "", timeout: float = 3.0) -> str:
    """The serving status name, or the error that prevented asking."""
    with grpc.insecure_channel(target) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as error:
            return f"{error.code().name}: {error.details()}"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


def check(target: str, service: str = "", timeout: float = 3.0) -> bool:
    return probe(target, service, timeout) == "SERVING"


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: python -m llmops_core.healthcheck HOST:PORT [SERVICE]")
    status = probe(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "")
    print(f"{sys.argv[1]}: {status}", file=sys.stderr)
    raise SystemExit(0 if status == "SERVING" else 1)
