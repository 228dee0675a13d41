"""Keeps the stack's components running: ``up`` starts this as a recorded process of its own.

A component whose process ended is started again (same command, same state), at most
``MAX_RESTARTS`` times in ``WINDOW_SECONDS``; after that it is left down and the log says why,
because a crash loop hides the cause and burns the machine. A restarted in-memory broker starts
empty: use ``up --durable`` where events must survive.
"""

from __future__ import annotations

import collections
import signal
import sys
import time

from llmops_stack.components import ComponentError
from llmops_stack.config import StackSettings
from llmops_stack.stack import Stack

NAME = "supervisor"
CHECK_SECONDS = 1.0
MAX_RESTARTS = 5
WINDOW_SECONDS = 600.0


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)


def supervise(stack: Stack) -> None:
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    restarts: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
    given_up: set[str] = set()
    log(f"supervising {', '.join(c.name for c in stack.components)}")
    while not stopping:
        for component in stack.components:
            record = stack.table.get(component.name)
            if stopping or component.name in given_up or (record is not None and record.process() is not None):
                continue
            recent = restarts[component.name]
            while recent and time.monotonic() - recent[0] > WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= MAX_RESTARTS:
                given_up.add(component.name)
                log(f"{component.name}: {MAX_RESTARTS} restarts in {WINDOW_SECONDS:.0f}s; leaving it down")
                continue
            recent.append(time.monotonic())
            log(f"{component.name}: process ended; restarting")
            try:
                report = stack.start(component)
                log(f"{component.name}: healthy again as pid {report.pid} in {report.seconds:.1f}s")
            except ComponentError as error:
                log(f"{component.name}: restart failed: {error}")
        time.sleep(CHECK_SECONDS)
    log("supervisor stopped")


def main() -> None:
    supervise(Stack(StackSettings()))
    sys.exit(0)


if __name__ == "__main__":
    main()
