"""A circuit breaker per model route: a route that keeps failing is skipped for a while.

Closed: calls go through. After ``failure_threshold`` failures in a row it opens: calls are skipped
(the next route answers at once instead of waiting for a timeout) until ``open_seconds`` have
passed; then one call is let through (half-open): a success closes it, a failure opens it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    failure_threshold: int = 3
    open_seconds: float = 30.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    failures: int = 0
    opened_at: float | None = None
    trial: bool = False  # half-open: one call is under way

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.open_seconds else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half-open" and not self.trial:
            self.trial = True
            return True
        return False

    def record_success(self) -> None:
        self.failures, self.opened_at, self.trial = 0, None, False

    def record_failure(self) -> None:
        self.failures += 1
        if self.trial or self.failures >= self.failure_threshold:
            self.opened_at, self.trial = self.clock(), False

    def reason(self) -> str:
        left = max(0.0, self.open_seconds - (self.clock() - (self.opened_at or 0.0)))
        return f"circuit open after {self.failures} failure(s) in a row; tried again in {left:.0f} s"
