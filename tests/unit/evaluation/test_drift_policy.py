"""Drift policies from configuration: the packaged file loads, names only real signals, and acts."""

from __future__ import annotations

import pytest

from llmops_evaluation.adapters.drift_policy_file import load_drift_policies
from llmops_evaluation.domain.drift_policy import ActionKind, DriftPolicyError, parse_drift_policies, policy_for
from llmops_evaluation.domain.tenant_drift import DriftConfig, TenantDrift


def test_the_packaged_policies_cover_every_signal_the_detector_has() -> None:
    policies = load_drift_policies()
    signals = {s.signal for s in TenantDrift(DriftConfig()).state()}
    assert set(policies["default"].on_alert) == signals
    assert policy_for(policies, "acme").actions_for("hallucination_rate")[:2] == [
        ActionKind.STRICT_MODE,
        ActionKind.REVIEW_DOCUMENTS,
    ]
    assert ActionKind.WEBHOOK not in policies["default"].actions_for("hallucination_rate")  # no URL, no call


def test_a_tenant_overrides_signals_and_gets_its_webhook() -> None:
    policies = parse_drift_policies(
        {
            "policies": {
                "default": {"on_alert": {"refusal_rate": ["webhook"]}},
                "beta": {"on_alert": {"refusal_rate": ["strict_mode"]}, "webhook_url": "https://hooks.example/x"},
            }
        }
    )
    assert policy_for(policies, "beta").actions_for("refusal_rate") == [ActionKind.STRICT_MODE]
    assert policy_for(policies, "gamma").actions_for("refusal_rate") == []  # default has no URL


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"policies": {}}, "no 'default'"),
        ({"policies": {"default": {"on_alert": {"latency": ["webhook"]}}}}, "unknown signal"),
        ({"policies": {"default": {"on_alert": {"refusal_rate": ["page_someone"]}}}}, "actions are"),
        ({"policies": {"default": {"webhook_url": "ftp://x"}}}, "http"),
    ],
)
def test_bad_policies_say_what_is_wrong(raw: dict[str, object], message: str) -> None:
    with pytest.raises(DriftPolicyError, match=message):
        parse_drift_policies(raw)
