"""``llmops up | down | status``: start, health-check and stop the local stack by pid."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from llmops_stack.components import Component, ComponentError, components
from llmops_stack.config import StackSettings
from llmops_stack.processes import ProcessTable


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    pid: int | None
    port: int
    running: bool
    healthy: bool


@dataclass(frozen=True)
class StartReport:
    name: str
    pid: int
    seconds: float
    already_running: bool


SUPERVISOR = "supervisor"


class Stack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.table = ProcessTable(settings.state_dir)
        self.components = components(settings)

    def up(self, on_ready: Callable[[StartReport], None] | None = None) -> list[StartReport]:
        """Starts every component not already running, in order, each healthy before the next.

        Raises ComponentError naming the component, with the tail of its log, when one fails.
        """
        reports = []
        for component in self.components:
            reports.append(self.start(component))
            if on_ready is not None:
                on_ready(reports[-1])
        self._start_supervisor()
        return reports

    def _start_supervisor(self) -> None:
        record = self.table.get(SUPERVISOR)
        if record is not None and record.process() is not None:
            return
        # The supervisor gets our settings through LLMOPS_STACK_* (tests build settings in code).
        self.table.spawn(
            SUPERVISOR,
            [sys.executable, "-m", "llmops_stack.supervisor"],
            port=0,
            env=self.settings.environment(),
        )

    def start(self, component: Component) -> StartReport:
        record = self.table.get(component.name)
        if record is not None and record.process() is not None and component.healthy():
            return StartReport(component.name, record.pid, 0.0, already_running=True)
        self.table.stop(component.name)  # a stale or unhealthy leftover of ours
        if component.healthy():
            raise ComponentError(
                f"{component.name}: port {component.port} on {self.settings.host} is taken by a process this"
                " stack did not start; stop it or choose another port (LLMOPS_STACK_*_PORT)"
            )
        started = time.monotonic()
        component.prepare()
        record = self.table.spawn(
            component.name, component.command(), component.port, env=component.environment(), user=component.user()
        )
        deadline = started + self.settings.startup_timeout_seconds
        while not component.healthy():
            if record.process() is None:
                log = self.table.log_path(component.name)
                why = component.failure(log.read_text(errors="replace")) if log.exists() else ""
                raise ComponentError(
                    f"{component.name} exited during start-up. {why + chr(10) if why else ''}Last lines of"
                    f" {record.log}:\n" + self.table.tail(component.name)
                )
            if time.monotonic() > deadline:
                self.table.stop(component.name, component.stop_signal)
                raise ComponentError(
                    f"{component.name} was not healthy after {self.settings.startup_timeout_seconds:.0f}s."
                    f" Last lines of {record.log}:\n" + self.table.tail(component.name)
                )
            time.sleep(0.2)
        component.after_start()
        return StartReport(component.name, record.pid, time.monotonic() - started, already_running=False)

    def scale(self, service: str, count: int, on_change: Callable[[str], None] | None = None) -> Stack:
        """Runs ``count`` replicas of ``service`` on the running stack and returns the stack as it now is.

        New replicas start (each healthy before the next), surplus ones stop, then every process whose
        settings name the service's replicas restarts with the new list, one at a time, so each caller
        spreads its calls over exactly the replicas that run. The supervisor pauses meanwhile."""
        replicas = {**self.settings.replicas, service: count}
        scaled = Stack(self.settings.model_copy(update={"replicas": replicas}))
        old = {c.name: c for c in self.components}
        new = {c.name: c for c in scaled.components}
        say = on_change or (lambda _: None)
        self.table.stop(SUPERVISOR)
        for name in [n for n in old if n not in new]:
            self.table.stop(name, old[name].stop_signal)
            say(f"stopped {name}")
        for component in scaled.components:
            if component.name not in old:
                scaled.start(component)
                say(f"started {component.name}")
            elif not scaled.start(component).already_running:
                # Died meanwhile (the supervisor is paused): scaling leaves every component running.
                say(f"started {component.name}, which was not running")
        for component in scaled.components:
            before = old.get(component.name)
            if before is not None and before.environment() != component.environment():
                self.table.stop(component.name, component.stop_signal)
                scaled.start(component)
                say(f"restarted {component.name} with the new replica list")
        scaled._start_supervisor()
        return scaled

    def down(self) -> list[str]:
        """Stops what ``up`` started, last started first; returns the names that were running."""
        signals = {c.name: c.stop_signal for c in self.components}
        # The supervisor first, or it would restart what we stop.
        stopped = [SUPERVISOR] if self.table.stop(SUPERVISOR) else []
        for record in reversed(self.table.all()):
            if self.table.stop(record.name, signals.get(record.name, signal.SIGTERM)):
                stopped.append(record.name)
        return stopped

    def status(self) -> list[ComponentStatus]:
        rows = []
        for component in self.components:
            record = self.table.get(component.name)
            running = record is not None and record.process() is not None
            rows.append(
                ComponentStatus(
                    name=component.name,
                    pid=record.pid if record else None,
                    port=component.port,
                    running=running,
                    healthy=running and component.healthy(),
                )
            )
        supervisor = self.table.get(SUPERVISOR)
        supervising = supervisor is not None and supervisor.process() is not None
        rows.append(ComponentStatus(SUPERVISOR, supervisor.pid if supervisor else None, 0, supervising, supervising))
        return rows
