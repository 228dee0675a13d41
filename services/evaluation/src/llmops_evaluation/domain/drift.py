"""Drift of answer quality: a reference window against the most recent window.

Two stated tests, each at significance ``alpha``:
- hallucination rate: two-proportion z-test (pooled), two-sided;
- groundedness distribution: two-sample Kolmogorov-Smirnov test.
The first ``reference_size`` scores form the reference; the current window slides over the
latest ``current_size`` scores. After an alert the current window must refill before the next.
One monitor per tenant, for at most ``max_tenants`` tenants (see ``DriftMonitors``).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from scipy import stats


@dataclass(frozen=True)
class DriftTest:
    name: str
    metric: str
    statistic: float
    p_value: float
    threshold: float
    drifted: bool


@dataclass(frozen=True)
class DriftState:
    reference_size: int
    current_size: int
    reference_rate: float
    current_rate: float
    tests: list[DriftTest]

    @property
    def drifting(self) -> bool:
        return any(t.drifted for t in self.tests)

    def summary(self) -> str:
        fired = ", ".join(t.name for t in self.tests if t.drifted) or "no test"
        return (
            f"Hallucination rate moved from {self.reference_rate:.0%} (reference, n={self.reference_size}) to "
            f"{self.current_rate:.0%} (latest, n={self.current_size}); significant by {fired}."
        )


def two_proportion_z(hits_a: int, n_a: int, hits_b: int, n_b: int) -> tuple[float, float]:
    pooled = (hits_a + hits_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 0.0, 1.0
    z = (hits_b / n_b - hits_a / n_a) / spread
    return z, float(2 * stats.norm.sf(abs(z)))


@dataclass
class DriftMonitor:
    reference_size: int
    current_size: int
    alpha: float
    reference: list[tuple[float, bool]] = field(default_factory=list)
    current: deque[tuple[float, bool]] = field(default_factory=deque)
    since_alert: int = 0

    def observe(self, groundedness: float, hallucinated: bool) -> DriftState | None:
        """Adds one score; returns the state when it is a new alert, else None."""
        if len(self.reference) < self.reference_size:
            self.reference.append((groundedness, hallucinated))
            return None
        self.current.append((groundedness, hallucinated))
        if len(self.current) > self.current_size:
            self.current.popleft()
        self.since_alert += 1
        if len(self.current) < self.current_size or self.since_alert < self.current_size:
            return None
        state = self.state()
        if state.drifting:
            self.since_alert = 0
            return state
        return None

    def state(self) -> DriftState:
        ref_scores = [g for g, _ in self.reference]
        cur_scores = [g for g, _ in self.current]
        ref_hits, cur_hits = sum(h for _, h in self.reference), sum(h for _, h in self.current)
        n_ref, n_cur = len(self.reference), len(self.current)
        tests = []
        if n_ref and n_cur:
            z, p = two_proportion_z(ref_hits, n_ref, cur_hits, n_cur)
            tests.append(DriftTest("two-proportion z-test", "hallucination_rate", z, p, self.alpha, p < self.alpha))
            ks = stats.ks_2samp(ref_scores, cur_scores)
            p_ks = float(ks.pvalue)
            tests.append(
                DriftTest(
                    "Kolmogorov-Smirnov", "groundedness", float(ks.statistic), p_ks, self.alpha, p_ks < self.alpha
                )
            )
        return DriftState(n_ref, n_cur, ref_hits / n_ref if n_ref else 0.0, cur_hits / n_cur if n_cur else 0.0, tests)


@dataclass
class DriftMonitors:
    """A monitor per tenant whose answers were scored, for a bounded number of tenants.

    Each monitor holds up to ``reference_size + current_size`` scores, so the tenants kept are capped;
    beyond the cap the tenant scored least recently is dropped (its reference is rebuilt when its
    scores come back). Looking a tenant up never creates a monitor.
    """

    reference_size: int
    current_size: int
    alpha: float
    max_tenants: int
    monitors: OrderedDict[str, DriftMonitor] = field(default_factory=OrderedDict)

    def observe(self, tenant_id: str, groundedness: float, hallucinated: bool) -> DriftState | None:
        monitor = self.monitors.get(tenant_id)
        if monitor is None:
            monitor = self.monitors[tenant_id] = DriftMonitor(self.reference_size, self.current_size, self.alpha)
            while len(self.monitors) > self.max_tenants:
                self.monitors.popitem(last=False)
        else:
            self.monitors.move_to_end(tenant_id)
        return monitor.observe(groundedness, hallucinated)

    def get(self, tenant_id: str) -> DriftMonitor | None:
        return self.monitors.get(tenant_id)
