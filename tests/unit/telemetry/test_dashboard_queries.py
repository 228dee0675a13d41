"""Every query of the Grafana dashboard names a metric that exists, with labels it has.

`llmops_*` series come from the telemetry service's registry (what `/metrics` serves); `nv_*`
series are Triton's, checked against a running Triton in tests/integration/test_triton.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.metrics_core import Metric

from llmops_telemetry.adapters.prometheus import REGISTRY

DASHBOARD = Path(__file__).parents[3] / "infra" / "grafana" / "dashboards" / "platform.json"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
# Triton series the dashboard may use (the integration test scrapes a real Triton for them).
TRITON = {"nv_inference_request_success", "nv_inference_request_duration_us"}


def expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def served() -> dict[str, set[str]]:
    """Series name -> label names, for every metric family of telemetry's registry."""
    names: dict[str, set[str]] = {}
    families: list[Metric] = list(REGISTRY.collect())
    # prometheus_client keeps label names on the collector, not on the family it yields.
    collectors = {getattr(c, "_name", ""): c for c in REGISTRY._names_to_collectors.values()}
    for family in families:
        collector = collectors.get(family.name)
        labels = set(getattr(collector, "_labelnames", ()))
        for suffix in SUFFIXES[family.type]:
            names[family.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return names


def test_every_llmops_series_and_label_exists() -> None:
    known = served()
    for expr in expressions():
        series = set(re.findall(r"\b(llmops_[a-z0-9_]+|nv_[a-z0-9_]+)\b", expr))
        assert series, f"no known metric in {expr!r}"
        for name in series:
            if name.startswith("nv_"):
                assert name in TRITON, f"{name} is not a Triton series the tests check"
                continue
            assert name in known, f"{name} is not served by telemetry's /metrics: {sorted(known)}"
            for grouped in re.findall(r"by \(([^)]*)\)", expr):
                for label in (g.strip() for g in grouped.split(",")):
                    assert label in known[name], f"{expr!r}: {name} has no label {label!r}"


def test_triton_series_named_here_are_the_dashboard_ones() -> None:
    used = {n for e in expressions() for n in re.findall(r"\bnv_[a-z0-9_]+\b", e)}
    assert used == TRITON
