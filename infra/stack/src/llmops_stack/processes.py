"""Starting, finding and stopping the stack's processes by pid.

Each started process gets a record (pid, start time, port, log) in ``<state>/run/<name>.json``.
``down`` stops exactly those processes: a pid whose start time differs from the record belongs
to someone else now and is left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class ProcessRecord:
    name: str
    pid: int
    create_time: float
    port: int
    log: str
    command: list[str]

    def process(self) -> psutil.Process | None:
        """The live process this record describes, or None if it ended (or the pid was reused)."""
        try:
            process = psutil.Process(self.pid)
            if abs(process.create_time() - self.create_time) > 1.0 or process.status() == psutil.STATUS_ZOMBIE:
                return None
            return process
        except psutil.NoSuchProcess:
            return None


class ProcessTable:
    def __init__(self, state_dir: Path) -> None:
        self.run_dir = state_dir / "run"
        self.log_dir = state_dir / "logs"

    def _path(self, name: str) -> Path:
        return self.run_dir / f"{name}.json"

    def get(self, name: str) -> ProcessRecord | None:
        path = self._path(name)
        if not path.exists():
            return None
        return ProcessRecord(**json.loads(path.read_text()))

    def all(self) -> list[ProcessRecord]:
        if not self.run_dir.exists():
            return []
        records = [ProcessRecord(**json.loads(p.read_text())) for p in self.run_dir.glob("*.json")]
        return sorted(records, key=lambda record: record.create_time)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def spawn(
        self,
        name: str,
        command: list[str],
        port: int,
        env: dict[str, str] | None = None,
        user: str | None = None,
        cwd: Path | None = None,
    ) -> ProcessRecord:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path(name)
        with log.open("ab") as sink:
            sink.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(command)}\n".encode())
            sink.flush()
            # A session of its own: signals to our terminal do not reach it, and down can stop
            # the whole group (Triton's python stubs, for instance).
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                user=user,
                start_new_session=True,
            )
        record = ProcessRecord(
            name=name,
            pid=process.pid,
            create_time=psutil.Process(process.pid).create_time(),
            port=port,
            log=str(log),
            command=command,
        )
        self._path(name).write_text(json.dumps(asdict(record)))
        return record

    def stop(self, name: str, stop_signal: int = signal.SIGTERM, timeout: float = 20.0) -> bool:
        """Stops the recorded process and its process group; True if something was running."""
        record = self.get(name)
        if record is None:
            return False
        process = record.process()
        was_running = process is not None
        if process is not None:
            # Only our own process group: a component the supervisor restarted is the supervisor's
            # child but leads its own group, and has a record of its own.
            group = [process, *(c for c in process.children(recursive=True) if _process_group(c) == record.pid)]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(record.pid, stop_signal)
            _, alive = psutil.wait_procs(group, timeout=timeout)
            for leftover in alive:
                leftover.kill()
            psutil.wait_procs(alive, timeout=5)
        self._path(name).unlink(missing_ok=True)
        return was_running

    def tail(self, name: str, lines: int = 40) -> str:
        log = self.log_path(name)
        if not log.exists():
            return f"(no log at {log})"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _process_group(process: psutil.Process) -> int | None:
    try:
        return os.getpgid(process.pid)
    except ProcessLookupError:
        return None
