"""`llmops up` / `status` / `down` as a user runs them: processes start healthy and all go away."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from llmops_stack.config import StackSettings
from llmops_stack.processes import ProcessTable

CLI_STACK = StackSettings.isolated("test-cli", port_base=31000)
STATE_DIR = CLI_STACK.state_dir
ENV = {**os.environ, **CLI_STACK.environment()}
LLMOPS = str(Path(sys.executable).with_name("llmops"))


def llmops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LLMOPS, *args], env=ENV, capture_output=True, text=True, timeout=300, check=False)


def processes_of(state_dir: Path) -> list[psutil.Process]:
    """Every live process the stack started: recorded pids, their children, anything using the state dir."""
    found = {}
    for record in ProcessTable(state_dir).all():
        process = record.process()
        if process is not None:
            for member in [process, *process.children(recursive=True)]:
                found[member.pid] = member
    for process in psutil.process_iter(["cmdline"]):
        if str(state_dir) in " ".join(process.info["cmdline"] or []):
            found[process.pid] = process
    return [p for p in found.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_up_status_down_leaves_nothing_running() -> None:
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    try:
        started = llmops("up")
        assert started.returncode == 0, started.stdout + started.stderr
        status = llmops("status")
        assert status.returncode == 0, status.stdout
        for name in ("postgres", "kafka", "triton", "llm", "llm-large", "supervisor"):
            assert name in status.stdout
        assert status.stdout.count("healthy") == 6  # five components and the supervisor
        running = processes_of(STATE_DIR)
        assert len(running) >= 6

        again = llmops("up")
        assert again.stdout.count("already running") == 5

        crashed = ProcessTable(STATE_DIR).get("kafka")
        assert crashed is not None
        os.kill(crashed.pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            restarted = ProcessTable(STATE_DIR).get("kafka")
            if restarted is not None and restarted.pid != crashed.pid and llmops("status").returncode == 0:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(
                "the supervisor did not bring kafka back:\n" + ProcessTable(STATE_DIR).tail("supervisor")
            )
        running = processes_of(STATE_DIR)

        stopped = llmops("down")
        assert stopped.returncode == 0
        for name in ("supervisor", "llm-large", "llm", "triton", "postgres", "kafka"):
            assert name in stopped.stdout
        _, alive = psutil.wait_procs(running, timeout=10)
        assert alive == []
        assert processes_of(STATE_DIR) == []
        assert llmops("status").returncode == 1
    finally:
        llmops("down")
        shutil.rmtree(STATE_DIR, ignore_errors=True)


def test_startup_failure_names_the_component_and_shows_its_log() -> None:
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    broken = STATE_DIR / "broken-repository"
    (broken / "encoder" / "1").mkdir(parents=True)
    (broken / "encoder" / "1" / "model.onnx").write_bytes(b"not an onnx graph")
    env = {**ENV, "LLMOPS_STACK_MODEL_REPOSITORY": str(broken)}
    try:
        result = subprocess.run([LLMOPS, "up"], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 1
        assert "triton exited during start-up" in result.stdout
        assert "failed to load" in result.stdout  # a line of Triton's own log
    finally:
        subprocess.run([LLMOPS, "down"], env=env, capture_output=True, timeout=120, check=False)
        shutil.rmtree(STATE_DIR, ignore_errors=True)
