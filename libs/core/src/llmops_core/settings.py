"""Settings shared by every service.

Infrastructure sections (Kafka, Postgres, Triton, telemetry) each read one prefix shared by all
services (``LLMOPS_KAFKA_...``), so an ops team sets the broker address once per host.
Each service subclasses :class:`ServiceSettings` with its own prefix (``LLMOPS_RETRIEVAL_...``)
for what is its own. All classes read ``.env`` as well as the environment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore")


class KafkaSettings(BaseSettings):
    model_config = _config("LLMOPS_KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    # "tansu" for the local broker (no idempotent producer, see docs/decisions), "kafka" for Apache Kafka.
    profile: Literal["tansu", "kafka"] = "tansu"
    # A transient failure is retried with full-jitter exponential backoff (waits drawn up to 0.2 s, 0.4 s,
    # 0.8 s, ... capped at retry_max_interval_seconds) until retry_deadline_seconds after the first attempt,
    # and only then goes to <topic>.dlq; errors marked permanent skip the retries (docs/decisions/0017).
    retry_initial_seconds: float = Field(default=0.2, gt=0)
    retry_max_interval_seconds: float = Field(default=10.0, gt=0)
    # Outlasts a short Postgres or Triton outage (30 s must not dead-letter). Capped well under aiokafka's
    # max_poll_interval_ms (300 s): a consumer that retries longer without polling is dropped from its group.
    retry_deadline_seconds: float = Field(default=120.0, ge=0, le=240)
    compression: Literal["gzip", "snappy", "lz4", "zstd"] | None = "gzip"
    # False where something else owns the topics (Strimzi KafkaTopic objects on Kubernetes, with their
    # replication and retention): services then only wait up to topics_wait_seconds for them to exist
    # and refuse to start without them, instead of creating one-replica topics first.
    create_topics: bool = True
    topics_wait_seconds: float = Field(default=120.0, ge=0)

    @model_validator(mode="after")
    def _interval_covers_initial_wait(self) -> KafkaSettings:
        if self.retry_max_interval_seconds < self.retry_initial_seconds:
            raise ValueError("retry_max_interval_seconds must be at least retry_initial_seconds")
        return self


class PostgresSettings(BaseSettings):
    model_config = _config("LLMOPS_POSTGRES_")

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: SecretStr = SecretStr("")
    database: str = "llmops"
    pool_min_size: int = 1
    pool_max_size: int = 10

    def conninfo(self) -> str:
        parts = [f"host={self.host}", f"port={self.port}", f"user={self.user}", f"dbname={self.database}"]
        if self.password.get_secret_value():
            parts.append(f"password={self.password.get_secret_value()}")
        return " ".join(parts)


class TritonSettings(BaseSettings):
    model_config = _config("LLMOPS_TRITON_")

    grpc_url: str = "127.0.0.1:8001"
    embedding_model: str = "embedder"
    timeout_seconds: float = 30.0


class TelemetrySettings(BaseSettings):
    model_config = _config("LLMOPS_OTEL_")

    # OTLP/gRPC collector, e.g. http://otel-collector:4317. Empty: no exporter is installed.
    exporter_endpoint: str = ""
    # OTLP/HTTP (protobuf) receiver of spans only, e.g. the telemetry service's
    # http://127.0.0.1:9464/v1/traces in the local stack (no collector to run). Empty: none.
    traces_http_endpoint: str = ""
    # Prompt and answer text in spans is opt-in: it may contain what users typed.
    capture_content: bool = False
    metric_export_interval_ms: int = 10_000


class AuthSettings(BaseSettings):
    """Who may call what (docs/decisions/0019): API keys for callers, signed tokens between services."""

    model_config = _config("LLMOPS_AUTH_")

    # HMAC-SHA256 key of the tokens services give each other (and of answer ids); the same on every
    # service of a deployment. `llmops up` generates one per stack; an empty secret is a start-up error.
    service_secret: SecretStr = SecretStr("")
    service_token_seconds: int = Field(default=300, ge=10, le=3600)
    # How long a verified API key is trusted before it is looked up again (so a revocation takes effect
    # within this time without a database round trip per call).
    key_cache_seconds: float = Field(default=30.0, ge=0, le=600)


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set ``model_config = service_config("name")``."""

    model_config = _config("LLMOPS_SERVICE_")

    service_name: str = "llmops"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    grpc_grace_seconds: float = 10.0
    # Each client connection is closed (GOAWAY) after this long, so callers that resolve a name to the
    # replicas (`dns:///` over a Kubernetes headless Service or compose's DNS) look the name up again and
    # spread calls over replicas added since. Calls in flight get grpc_max_connection_age_grace_seconds.
    grpc_max_connection_age_seconds: float = Field(default=120.0, gt=0)
    grpc_max_connection_age_grace_seconds: float = Field(default=90.0, ge=0)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)


def service_config(service: str) -> SettingsConfigDict:
    """The pydantic-settings config of one service: env prefix ``LLMOPS_<SERVICE>_``."""
    return _config(f"LLMOPS_{service.upper()}_")
