"""The Kubernetes manifests (infra/k8s) render, validate and agree with the code.

Each overlay is rendered with `kubectl kustomize` (Debian's kubectl, installed by `make setup`); the core
objects are validated offline against the Kubernetes JSON schemas (kubernetes-validate, strict: unknown
fields fail). Then the manifests are checked against the code: every environment variable is a field of
the service's settings class, ports are the settings' defaults, KafkaTopics are the topic catalogue,
KEDA triggers are the consumer groups the subscribers declare, network policies admit the compose
wiring and nothing else from outside.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from faststream.kafka import KafkaBroker
from pydantic_settings import BaseSettings

from llmops_core.settings import ServiceSettings
from llmops_core.topics import ALL_TOPICS, DEAD_LETTER_ONLY, DRIFT_ACTIONS, dead_letter_topic
from llmops_embedding.settings import EmbeddingSettings
from llmops_evaluation.settings import EvaluationSettings
from llmops_generation.settings import GenerationSettings
from llmops_guardrails.settings import GuardrailsSettings
from llmops_ingestion.settings import IngestionSettings
from llmops_query.settings import QuerySettings
from llmops_retrieval.settings import RetrievalSettings
from llmops_telemetry.settings import TelemetrySettings
from tests.binaries import required_binary

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"
OVERLAYS = ("dev", "prod")
NAMESPACE = "llmops"
# The Kubernetes version whose schemas the core objects must meet (grpc probes need 1.24+).
KUBERNETES_VERSION = "1.30.0"
CORE_KINDS = {
    "Namespace", "Deployment", "Service", "ConfigMap", "Secret",
    "PodDisruptionBudget", "NetworkPolicy", "HorizontalPodAutoscaler",
}  # fmt: skip
SETTINGS: dict[str, type[ServiceSettings]] = {
    "query": QuerySettings,
    "ingestion": IngestionSettings,
    "embedding": EmbeddingSettings,
    "retrieval": RetrievalSettings,
    "generation": GenerationSettings,
    "guardrails": GuardrailsSettings,
    "evaluation": EvaluationSettings,
    "telemetry": TelemetrySettings,
}
GRPC_AUTOSCALED = {"query", "guardrails", "retrieval", "generation", "embedding"}
# Secrets production creates itself (README), with the keys the manifests read.
EXTERNAL_SECRETS = {"llmops-secrets": {"service-secret", "llm-api-key"}, "llmops-postgres-credentials": {"password"}}
# Sources outside the namespace that may reach a pod: (pod labels, port) -> why. Nothing else may.
OPEN_FROM_OUTSIDE = {("query", 50051): "product apps", ("telemetry", 9464): "the page and /metrics"}
PG_POD = {"cnpg.io/cluster": "llmops-pg"}
OPERATOR_NAMESPACES = {"cnpg-system"}  # CloudNativePG's operator reaches its instances


def _kubectl() -> str:
    return required_binary(
        "kubectl", missing="no kubectl here (make setup installs Debian's kubernetes-client): manifests not rendered"
    )


@functools.cache
def _render(overlay: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [_kubectl(), "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def objects(overlay: str) -> tuple[dict[str, Any], ...]:
    return _render(overlay)


def of_kind(objects: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def env_names(cls: type[BaseSettings]) -> set[str]:
    """Every variable a settings class reads: its prefix + field, and a nested section's own prefix + field.

    Nested sections (kafka, postgres, ...) are BaseSettings built by default_factory, so they read their
    own prefix (LLMOPS_KAFKA_...); no class sets env_nested_delimiter (asserted, or this would be wrong).
    """
    assert not cls.model_config.get("env_nested_delimiter"), f"{cls.__name__}: nested delimiter not handled"
    prefix = cls.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field, info in cls.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseSettings):
            names |= env_names(info.annotation)
        else:
            names.add(f"{prefix}{field}".upper())
    return names


def container_env(objects: tuple[dict[str, Any], ...], container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it; secrets absent from the render (prod) get
    a placeholder. Fails on a reference to a missing ConfigMap, Secret or key."""
    config_maps, secrets = of_kind(objects, "ConfigMap"), of_kind(objects, "Secret")

    def secret_data(name: str) -> dict[str, str]:
        if name in secrets:
            return {**secrets[name].get("data", {}), **secrets[name].get("stringData", {})}
        assert name in EXTERNAL_SECRETS, f"Secret {name} is neither rendered nor created by the README"
        return {key: "x" * 48 for key in EXTERNAL_SECRETS[name]}

    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            assert name in config_maps, f"envFrom names a missing ConfigMap {name}"
            data = config_maps[name].get("data", {})
        else:
            data = secret_data(source["secretRef"]["name"])
        env.update({source.get("prefix", "") + key: str(value) for key, value in data.items()})
    for var in container.get("env", []):
        ref = var.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            name, key = ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"]
            assert key in config_maps[name].get("data", {}), f"{var['name']}: no key {key} in ConfigMap {name}"
            env[var["name"]] = config_maps[name]["data"][key]
        elif "secretKeyRef" in ref:
            name, key = ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
            data = secret_data(name)
            assert key in data, f"{var['name']}: no key {key} in Secret {name}"
            env[var["name"]] = data[key]
        else:
            env[var["name"]] = str(var.get("value", ""))
    return env


def service_containers(objects: tuple[dict[str, Any], ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, deployment in of_kind(objects, "Deployment").items():
        if name in SETTINGS:
            containers = deployment["spec"]["template"]["spec"]["containers"]
            yield name, next(c for c in containers if c["name"] == name)


def test_overlays_render_every_service(objects: tuple[dict[str, Any], ...]) -> None:
    deployments = of_kind(objects, "Deployment")
    assert set(deployments) == {*SETTINGS, "triton"}
    for name in SETTINGS:
        assert name in of_kind(objects, "Service"), name
        assert name in of_kind(objects, "PodDisruptionBudget"), name
    for obj in objects:
        labels = obj["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "llmops", f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, f"{obj['kind']}/{obj['metadata']['name']}"


def test_core_objects_match_the_kubernetes_schemas(objects: tuple[dict[str, Any], ...]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")  # pinned in requirements.lock
    checked = 0
    for obj in objects:
        if obj["kind"] in CORE_KINDS:
            try:
                kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
            checked += 1
    assert checked >= 8 * 4


def test_env_vars_are_fields_of_the_settings_class(objects: tuple[dict[str, Any], ...]) -> None:
    for name, container in service_containers(objects):
        valid = env_names(SETTINGS[name])
        env = container_env(objects, container)
        unknown = sorted(set(env) - valid)
        assert not unknown, f"{name}: not fields of {SETTINGS[name].__name__}: {unknown}"


def test_settings_load_from_the_manifest_env(
    objects: tuple[dict[str, Any], ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The values parse (ports, JSON lists, paths) and the service listens where the pod says."""
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name, container in service_containers(objects):
        with monkeypatch.context() as env:
            for var in list(os.environ):
                if var.startswith("LLMOPS_"):
                    env.delenv(var)
            for var, value in container_env(objects, container).items():
                env.setenv(var, value)
            settings = SETTINGS[name]()
        default_port = SETTINGS[name].model_fields["grpc_port"].default
        assert settings.grpc_port == default_port, name
        assert settings.grpc_host == "0.0.0.0", f"{name} must listen on the pod's address"
        assert settings.auth.service_secret.get_secret_value(), f"{name}: no service secret"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["grpc"] == default_port, name
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == default_port, f"{name} {probe}"
        if isinstance(settings, TelemetrySettings):
            assert ports["http"] == TelemetrySettings.model_fields["metrics_port"].default == settings.metrics_port
        else:
            assert set(ports) == {"grpc"}, name


def test_services_route_to_the_container_ports(objects: tuple[dict[str, Any], ...]) -> None:
    deployments = of_kind(objects, "Deployment")
    for name, service in of_kind(objects, "Service").items():
        pod = deployments[name]["spec"]["template"]
        assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items(), name
        named = {p["name"]: p["containerPort"] for c in pod["spec"]["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert named[port["targetPort"]] == port["port"], f"{name}: {port}"


def test_kafka_topics_are_the_catalogue(objects: tuple[dict[str, Any], ...]) -> None:
    topics = of_kind(objects, "KafkaTopic")
    expected = {*ALL_TOPICS, *(dead_letter_topic(t) for t in ALL_TOPICS), *DEAD_LETTER_ONLY}
    names = {t["spec"].get("topicName", name) for name, t in topics.items()}
    assert names == expected, f"missing {sorted(expected - names)}, not in the catalogue {sorted(names - expected)}"
    (cluster,) = of_kind(objects, "Kafka")
    for topic in topics.values():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == cluster
        assert topic["spec"]["partitions"] >= 3  # ensure_topics' count: consumers never see fewer
    # The query service reads drift.actions whole at every start (decision 0023): never expire it.
    assert str(topics[DRIFT_ACTIONS]["spec"]["config"]["retention.ms"]) == "-1"


def test_kafka_is_kraft_with_a_node_pool(objects: tuple[dict[str, Any], ...]) -> None:
    (kafka,) = of_kind(objects, "Kafka").values()
    assert kafka["metadata"]["annotations"]["strimzi.io/node-pools"] == "enabled"
    assert "zookeeper" not in kafka["spec"]
    pools = of_kind(objects, "KafkaNodePool").values()
    assert {"controller", "broker"} <= {role for pool in pools for role in pool["spec"]["roles"]}
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    config = kafka["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False
    assert config["min.insync.replicas"] < config["default.replication.factor"] <= brokers or brokers == 1
    (config_map,) = [c for c in of_kind(objects, "ConfigMap").values() if "LLMOPS_KAFKA_BOOTSTRAP_SERVERS" in c["data"]]
    listener = kafka["spec"]["kafka"]["listeners"][0]
    bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
    assert config_map["data"]["LLMOPS_KAFKA_BOOTSTRAP_SERVERS"] == bootstrap
    assert config_map["data"]["LLMOPS_KAFKA_PROFILE"] == "kafka"


def test_postgres_is_cloudnative_pg_with_pgvector(objects: tuple[dict[str, Any], ...]) -> None:
    (cluster,) = of_kind(objects, "Cluster").values()
    assert cluster["metadata"]["name"] == PG_POD["cnpg.io/cluster"]
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    assert "CREATE EXTENSION IF NOT EXISTS vector" in initdb["postInitApplicationSQL"]
    assert re.match(r"ghcr\.io/cloudnative-pg/postgresql:\d+-standard-", cluster["spec"]["imageName"])
    (config,) = [c for c in of_kind(objects, "ConfigMap").values() if "LLMOPS_POSTGRES_HOST" in c["data"]]
    assert config["data"]["LLMOPS_POSTGRES_HOST"] == f"{cluster['metadata']['name']}-rw"
    assert config["data"]["LLMOPS_POSTGRES_USER"] == initdb["owner"]
    assert config["data"]["LLMOPS_POSTGRES_DATABASE"] == initdb["database"]


def test_triton_takes_a_gpu_and_the_gpu_config(objects: tuple[dict[str, Any], ...]) -> None:
    pod = of_kind(objects, "Deployment")["triton"]["spec"]["template"]["spec"]
    (server,) = pod["containers"]
    assert str(server["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    command = " ".join(server.get("command", []) + server.get("args", []))
    assert "--model-repository=/models" in command and "--model-config-name" not in command
    assert pod["initContainers"], "the models come from the assets image's init container"


def _consumer_groups() -> dict[str, dict[str, set[str]]]:
    """Service -> consumer group -> topics, as the subscribers register them (dependencies unused)."""
    from llmops_embedding.entrypoints import subscribers as embedding
    from llmops_evaluation.entrypoints import subscribers as evaluation
    from llmops_retrieval.entrypoints import subscribers as retrieval
    from llmops_telemetry.entrypoints import subscribers as telemetry

    UNUSED: Any = None  # noqa: N806  (registration only stores the handlers' dependencies)
    registrations: dict[str, Callable[[KafkaBroker], None]] = {
        "embedding": lambda b: embedding.register(b, UNUSED, EmbeddingSettings()),
        "retrieval": lambda b: retrieval.register(b, UNUSED, RetrievalSettings()),
        "evaluation": lambda b: evaluation.register(b, UNUSED, UNUSED, UNUSED, UNUSED, EvaluationSettings()),
        "telemetry": lambda b: telemetry.register(b, UNUSED, TelemetrySettings()),
    }
    groups: dict[str, dict[str, set[str]]] = {}
    subscriber: Any
    for service, register in registrations.items():
        broker = KafkaBroker()
        register(broker)
        for subscriber in broker.subscribers:
            topics = {topic.name for topic in subscriber.topics}
            groups.setdefault(service, {}).setdefault(subscriber.group_id, set()).update(topics)
    return groups


def test_keda_scales_each_consumer_on_its_groups_lag(objects: tuple[dict[str, Any], ...]) -> None:
    scaled = of_kind(objects, "ScaledObject")
    (config,) = [c for c in of_kind(objects, "ConfigMap").values() if "LLMOPS_KAFKA_BOOTSTRAP_SERVERS" in c["data"]]
    host, port = config["data"]["LLMOPS_KAFKA_BOOTSTRAP_SERVERS"].split(":")
    for service, groups in _consumer_groups().items():
        assert scaled[service]["spec"]["scaleTargetRef"]["name"] == service
        triggers = [t["metadata"] for t in scaled[service]["spec"]["triggers"] if t["type"] == "kafka"]
        covered: dict[str, set[str]] = {}
        for trigger in triggers:
            assert trigger["bootstrapServers"] == f"{host}.{NAMESPACE}.svc:{port}"  # KEDA runs elsewhere
            group = trigger["consumerGroup"]
            assert group in groups, f"{service}: no consumer group {group} in the code ({sorted(groups)})"
            topic = trigger.get("topic")
            assert topic is None or topic in groups[group], f"{service}: group {group} does not read {topic}"
            covered.setdefault(group, set()).update(groups[group] if topic is None else {topic})
        assert covered == groups, f"{service}: lag triggers {covered}, code {groups}"
    assert set(scaled) == set(_consumer_groups())


def test_grpc_services_autoscale_once_on_cpu(objects: tuple[dict[str, Any], ...], overlay: str) -> None:
    hpas, scaled = of_kind(objects, "HorizontalPodAutoscaler"), of_kind(objects, "ScaledObject")
    assert not set(hpas) & set(scaled), "two autoscalers on one Deployment fight over its replicas"
    deployments = of_kind(objects, "Deployment")
    for name in GRPC_AUTOSCALED:
        if name in hpas:
            (metric,) = hpas[name]["spec"]["metrics"]
            assert metric["resource"]["name"] == "cpu"
            assert hpas[name]["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        else:
            assert any(t["type"] == "cpu" for t in scaled[name]["spec"]["triggers"]), name
    for name, deployment in deployments.items():
        autoscaled = name in hpas or name in scaled
        assert ("replicas" in deployment["spec"]) != autoscaled, f"{name}: replicas belong to one owner"
        low = hpas[name]["spec"]["minReplicas"] if name in hpas else None
        if name in scaled:
            low, high = scaled[name]["spec"]["minReplicaCount"], scaled[name]["spec"]["maxReplicaCount"]
        elif name in hpas:
            high = hpas[name]["spec"]["maxReplicas"]
        else:
            low = high = deployment["spec"]["replicas"]
        if overlay == "dev":
            assert low == high == 1, f"dev runs one {name}"
        elif name in GRPC_AUTOSCALED:
            assert low is not None and 2 <= low < high, f"prod {name}: {low}..{high}"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert not selector.get("matchExpressions"), "matchExpressions not handled here"
    return dict(selector.get("matchLabels", {})).items() <= labels.items()


def _admits(policies: dict[str, dict[str, Any]], target: dict[str, str], source: dict[str, str], port: int) -> bool:
    """Whether some policy admits a pod of this namespace labelled `source` to `target`:port."""
    for policy in policies.values():
        if not _selects(policy["spec"]["podSelector"], target):
            continue
        for rule in policy["spec"].get("ingress", []):
            if rule.get("ports") and port not in {p["port"] for p in rule["ports"]}:
                continue
            peers = rule.get("from")
            if not peers or any(
                "podSelector" in p and "namespaceSelector" not in p and _selects(p["podSelector"], source)
                for p in peers
            ):
                return True
    return False


def _compose_edges() -> set[tuple[str, str, int]]:
    """(caller, callee host, port) for each host:port setting a compose service passes its settings class."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    edges = set()
    for service, spec in compose["services"].items():
        if service not in SETTINGS:
            continue
        env = {key: str(value) for key, value in spec["environment"].items()}
        valid = env_names(SETTINGS[service])
        for key, value in env.items():
            match = re.fullmatch(r"(?:http://)?([a-z-]+):(\d+)", value)
            if key in valid and match and match[1] in compose["services"]:
                edges.add((service, match[1], int(match[2])))
        if "LLMOPS_POSTGRES_HOST" in valid:
            edges.add((service, env["LLMOPS_POSTGRES_HOST"], int(env["LLMOPS_POSTGRES_PORT"])))
    return edges


def test_network_policies_admit_the_compose_wiring_only(objects: tuple[dict[str, Any], ...]) -> None:
    policies = of_kind(objects, "NetworkPolicy")
    deny = [p for p in policies.values() if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
    assert deny and "Ingress" in deny[0]["spec"]["policyTypes"], "no default deny of ingress"
    pods = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in of_kind(objects, "Deployment").items()}
    pods["postgres"] = PG_POD
    edges = _compose_edges()
    kafka = {(caller, port) for caller, host, port in edges if host == "kafka"}
    assert {caller for caller, _ in kafka} == set(SETTINGS), "every service talks to Kafka"
    for caller, host, port in edges - {(c, "kafka", p) for c, p in kafka}:
        if host == "otel-collector":  # not deployed: spans go to telemetry's OTLP/HTTP receiver
            continue
        assert _admits(policies, pods[host], pods[caller], port), f"{caller} cannot reach {host}:{port}"
    # Kafka's listener policy is Strimzi's, from networkPolicyPeers: every service, and KEDA.
    (kafka_cr,) = of_kind(objects, "Kafka").values()
    peers = kafka_cr["spec"]["kafka"]["listeners"][0]["networkPolicyPeers"]
    for name in SETTINGS:
        assert any("podSelector" in p and _selects(p["podSelector"], pods[name]) for p in peers), name
    assert any(
        p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "keda"
        for p in peers
    )
    # Nothing else is open from outside the namespace.
    for policy in policies.values():
        target = (
            next(n for n, labels in pods.items() if _selects(policy["spec"]["podSelector"], labels))
            if policy["spec"]["podSelector"]
            else None
        )
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from") or [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
            outside = [p for p in peers if "namespaceSelector" in p or "ipBlock" in p]
            for peer in outside:
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                if target == "postgres" and namespace in OPERATOR_NAMESPACES:
                    continue
                for port in rule.get("ports", [{"port": None}]):
                    assert (target, port["port"]) in OPEN_FROM_OUTSIDE, f"{policy['metadata']['name']}: {peer}"


def test_compose_urls_name_the_same_services_and_ports(objects: tuple[dict[str, Any], ...]) -> None:
    """A *_URL in a service's ConfigMap is the compose value: Service names and ports as compose's."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    services = of_kind(objects, "Service")
    for name, container in service_containers(objects):
        env = container_env(objects, container)
        for key, value in env.items():
            if key.endswith("_URL") and key.startswith(f"LLMOPS_{name.upper()}_"):
                assert compose[name]["environment"][key] == value, f"{name}: {key}"
                host, port = value.removeprefix("dns:///").split(":")
                assert int(port) in {p["port"] for p in services[host]["spec"]["ports"]}, value


def test_callers_resolve_every_replica_of_the_services_they_call(objects: tuple[dict[str, Any], ...]) -> None:
    """A gRPC service other services call is a headless Service reached by ``dns:///``: callers see
    every ready pod and spread calls round robin, instead of one connection pinned to one pod."""
    services = of_kind(objects, "Service")
    called = set()
    for name, container in service_containers(objects):
        for key, value in container_env(objects, container).items():
            if (
                key.endswith("_URL")
                and key.startswith(f"LLMOPS_{name.upper()}_")
                and key != "LLMOPS_EVALUATION_QUERY_URL"
            ):
                assert value.startswith("dns:///"), f"{name}: {key}={value}"
                called.add(value.removeprefix("dns:///").split(":")[0])
    assert called == {"embedding", "retrieval", "generation", "guardrails"}
    for host in called:
        assert services[host]["spec"].get("clusterIP") == "None", host
    # The front door stays a ClusterIP: it is what ingress and port-forward reach.
    assert services["query"]["spec"].get("clusterIP") != "None"


def test_images_are_the_compose_builds(objects: tuple[dict[str, Any], ...]) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name, container in service_containers(objects):
        assert compose[name]["build"]["args"]["SERVICE"] == name
        assert re.search(rf"(^|/)llmops-{name}(:[\w.-]+)?$", container["image"]), container["image"]


def test_generation_routes_file_parses(objects: tuple[dict[str, Any], ...], tmp_path: Path) -> None:
    from llmops_generation.adapters.route_file import env_route, read_route_file

    routes_file = tmp_path / "routes.yaml"
    routes_file.write_text(of_kind(objects, "ConfigMap")["generation-routes"]["data"]["routes.yaml"])
    triton = of_kind(objects, "ConfigMap")["llmops-triton"]["data"]["LLMOPS_TRITON_GRPC_URL"]
    routes = read_route_file(routes_file, env_route(GenerationSettings()), triton)
    assert routes[0].backend == "triton" and routes[0].base_url == triton


def test_readme_creates_the_external_secrets() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, keys in EXTERNAL_SECRETS.items():
        assert f"secret generic {name}" in readme or f"secret {name}" in readme, name
        for key in keys:
            assert f"--from-literal={key}=" in readme, f"{name}: {key}"
