"""The shared gRPC bootstrap, in a real server process: health, reflection, errors, SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from llmops.embedding.v1 import embedding_pb2, embedding_pb2_grpc
from llmops_core.auth.tokens import ServiceTokens
from llmops_core.settings import AuthSettings
from tests.bearer import Bearer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SampleServer:
    process: subprocess.Popen[bytes]
    channel: grpc.Channel  # with a service token
    target: str
    plain: grpc.Channel  # without credentials


def service_token() -> str:
    """A token as a service's own channels send (sync channels, for this test)."""
    return ServiceTokens(AuthSettings().service_secret.get_secret_value()).mint("tests", "*")


@pytest.fixture
def server() -> Iterator[SampleServer]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("sample_grpc_server.py")), str(port)])
    plain = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        grpc.channel_ready_future(plain).result(timeout=30)
        yield SampleServer(process, grpc.intercept_channel(plain, Bearer(service_token)), f"127.0.0.1:{port}", plain)
    finally:
        plain.close()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_health_reflection_and_errors(server: SampleServer) -> None:
    channel = server.channel
    health = health_pb2_grpc.HealthStub(channel)
    overall = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    named = health.Check(health_pb2.HealthCheckRequest(service="llmops.embedding.v1.EmbeddingService"), timeout=5)
    assert overall.status == named.status == health_pb2.HealthCheckResponse.SERVING

    services = set(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert {"llmops.embedding.v1.EmbeddingService", "grpc.health.v1.Health"} <= services

    # Health checks need no credential (load balancers, probes); everything else does.
    assert health_pb2_grpc.HealthStub(server.plain).Check(health_pb2.HealthCheckRequest(), timeout=5).status
    with pytest.raises(grpc.RpcError) as anonymous:
        embedding_pb2_grpc.EmbeddingServiceStub(server.plain).Embed(embedding_pb2.EmbedRequest(texts=["a"]), timeout=5)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED

    stub = embedding_pb2_grpc.EmbeddingServiceStub(channel)
    assert stub.Embed(embedding_pb2.EmbedRequest(texts=["abc"]), timeout=5).vectors[0].values == [3.0, 3.0]
    with pytest.raises(grpc.RpcError) as empty:
        stub.Embed(embedding_pb2.EmbedRequest(texts=[]), timeout=5)
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert empty.value.details() == "texts must contain at least one text to embed"
    with pytest.raises(grpc.RpcError) as blank:
        stub.Embed(embedding_pb2.EmbedRequest(texts=["ok", "   "]), timeout=5)
    assert blank.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "texts[1] is empty" in (blank.value.details() or "")


def test_sigterm_shuts_down_gracefully(server: SampleServer) -> None:
    assert healthcheck(server.target) == 0
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    assert healthcheck(server.target) == 1


def healthcheck(target: str) -> int:
    """Exit code of the probe containers and Kubernetes use."""
    return subprocess.run([sys.executable, "-m", "llmops_core.healthcheck", target], timeout=30).returncode
