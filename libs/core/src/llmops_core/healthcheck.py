"""``python -m llmops_core.healthcheck HOST:PORT``: exit 0 if the gRPC health service says SERVING.

Used by container health checks and Kubernetes probes, so images need no extra probe binary.
"""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def check(target: str, service: str = "", timeout: float = 3.0) -> bool:
    with grpc.insecure_channel(target) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as error:
            print(f"{target}: {error.code().name}: {error.details()}", file=sys.stderr)
            return False
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: python -m llmops_core.healthcheck HOST:PORT [SERVICE]")
    raise SystemExit(0 if check(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "") else 1)
