"""docker-compose.yml checked against the settings classes (no Docker engine runs here)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from llmops_core.settings import (
    AuthSettings,
    KafkaSettings,
    PostgresSettings,
    ServiceSettings,
    TelemetrySettings,
    TritonSettings,
)
from llmops_stack.config import REPO_ROOT

SERVICES = ["query", "ingestion", "embedding", "retrieval", "generation", "guardrails", "evaluation", "telemetry"]
INFRASTRUCTURE = ["kafka", "postgres", "triton", "otel-collector", "jaeger", "prometheus", "grafana"]
SHARED_SECTIONS: dict[str, type[BaseSettings]] = {
    "LLMOPS_KAFKA_": KafkaSettings,
    "LLMOPS_POSTGRES_": PostgresSettings,
    "LLMOPS_TRITON_": TritonSettings,
    "LLMOPS_OTEL_": TelemetrySettings,
    "LLMOPS_AUTH_": AuthSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"llmops_{service}.settings")
    cls = getattr(module, f"{service.capitalize()}Settings")
    assert issubclass(cls, ServiceSettings)
    return cls


def test_every_component_and_service_is_present(compose: dict[str, Any]) -> None:
    assert set(INFRASTRUCTURE + SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_built_from_the_one_dockerfile(compose: dict[str, Any], service: str) -> None:
    build = compose["services"][service]["build"]
    assert (build["context"], build["dockerfile"], build["args"]["SERVICE"]) == (".", "Dockerfile", service)
    assert (REPO_ROOT / "services" / service / "pyproject.toml").exists()


@pytest.mark.parametrize("service", SERVICES)
def test_env_names_are_settings_fields(compose: dict[str, Any], service: str) -> None:
    cls = settings_class(service)
    prefix = f"LLMOPS_{service.upper()}_"
    assert cls.model_config.get("env_prefix") == prefix
    for name in compose["services"][service]["environment"]:
        section = next((s for p, s in SHARED_SECTIONS.items() if name.startswith(p)), None)
        if section is not None:
            field = name.removeprefix(str(section.model_config.get("env_prefix")))
            assert field.lower() in section.model_fields, f"{service}: {name} is not a {section.__name__} field"
        else:
            assert name.startswith(prefix), f"{service}: {name} has neither its prefix nor a shared one"
            assert name.removeprefix(prefix).lower() in cls.model_fields, f"{service}: {name} is no setting"


@pytest.mark.parametrize("service", SERVICES)
def test_ports_match_settings_and_health_check(compose: dict[str, Any], service: str) -> None:
    cls = settings_class(service)
    spec = compose["services"][service]
    port = int(spec["environment"][f"LLMOPS_{service.upper()}_GRPC_PORT"])
    assert port == cls.model_fields["grpc_port"].default, "compose and the settings default should agree"
    assert spec["environment"][f"LLMOPS_{service.upper()}_GRPC_HOST"] == "0.0.0.0"
    assert f"localhost:{port}" in spec["healthcheck"]["test"]


def test_service_urls_point_at_the_right_service_port(compose: dict[str, Any]) -> None:
    for service in SERVICES:
        for name, value in compose["services"][service]["environment"].items():
            if name.endswith("_URL") and not name.startswith(("LLMOPS_TRITON_", "LLMOPS_GENERATION_LLM")):
                host, port = str(value).removeprefix("dns:///").split(":")
                assert host in SERVICES, f"{name}={value} names no service"
                assert int(port) == settings_class(host).model_fields["grpc_port"].default


def test_infrastructure_endpoints_match_the_containers(compose: dict[str, Any]) -> None:
    env = compose["x-service-env"]
    services = compose["services"]
    assert env["LLMOPS_KAFKA_PROFILE"] == "kafka", "Apache Kafka runs with the idempotent producer profile"
    assert env["LLMOPS_KAFKA_BOOTSTRAP_SERVERS"] in services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller", "KRaft, no ZooKeeper"
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert env["LLMOPS_POSTGRES_USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
    assert env["LLMOPS_POSTGRES_DATABASE"] == services["postgres"]["environment"]["POSTGRES_DB"]
    assert env["LLMOPS_TRITON_GRPC_URL"] == "triton:8001"
    assert env["LLMOPS_OTEL_EXPORTER_ENDPOINT"] == "http://otel-collector:4317"


def test_triton_serves_the_same_model_repository_on_gpu(compose: dict[str, Any]) -> None:
    triton = compose["services"]["triton"]
    assert "./infra/triton/model_repository:/models:ro" in triton["volumes"]
    assert triton["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    gpu_config = (REPO_ROOT / "infra/triton/model_repository/encoder/config.pbtxt").read_text()
    assert 'backend: "onnxruntime"' in gpu_config and "KIND_GPU" in gpu_config


OPERATOR_SECRETS = {"./infra/prometheus/telemetry-key"}


def test_mounted_config_files_exist(compose: dict[str, Any]) -> None:
    for spec in compose["services"].values():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source in OPERATOR_SECRETS:  # written by the operator (prometheus.yml says how), never committed
                continue
            if source.startswith("./infra"):
                assert (REPO_ROOT / Path(source)).exists(), source
