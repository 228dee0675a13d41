"""Drift is watched per tenant for a bounded number of tenants; a lookup never creates a monitor."""

from __future__ import annotations

from llmops_evaluation.domain.drift import DriftMonitors


def test_monitors_are_bounded_and_lookups_create_nothing() -> None:
    monitors = DriftMonitors(reference_size=5, current_size=5, alpha=0.01, max_tenants=3)
    assert monitors.get("acme") is None and not monitors.monitors
    for tenant in ("a", "b", "c"):
        monitors.observe(tenant, 0.9, False)
    monitors.observe("a", 0.8, False)  # a scored again: b is the least recent
    monitors.observe("d", 0.9, False)
    assert list(monitors.monitors) == ["c", "a", "d"]
    assert len(monitors.monitors["a"].reference) == 2


def test_a_tenant_still_alerts_through_the_collection() -> None:
    monitors = DriftMonitors(reference_size=20, current_size=20, alpha=0.01, max_tenants=2)
    alerts = [monitors.observe("acme", 0.95, False) for _ in range(20)]
    alerts += [monitors.observe("acme", 0.1, True) for _ in range(20)]
    assert next(a for a in alerts if a is not None).drifting
