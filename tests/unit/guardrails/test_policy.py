"""Policies from configuration: inheritance from default, validation, which policy a request gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmops_guardrails.adapters.policy_file import load_policies
from llmops_guardrails.domain.pii import allow_key
from llmops_guardrails.domain.policy import Action, PolicyError, parse_policies, select_policy


def test_packaged_policies_load() -> None:
    policies = load_policies()
    assert {"default", "acme"} <= set(policies)
    assert not policies["default"].enabled("scope")  # no purpose, no scope check
    acme = policies["acme"]
    assert acme.enabled("scope") and "outdoor-gear retailer" in acme.purpose
    assert allow_key("phone", "+1 800 555 0199") in acme.allowed_contacts
    assert acme.actions["injection"] is Action.BLOCK


def test_tenant_policy_inherits_and_overrides() -> None:
    policies = parse_policies(
        {
            "policies": {
                "default": {"actions": {"pii_output": "flag"}, "injection_threshold": 0.7},
                "beta": {"checks": ["injection", "pii_input"], "actions": {"injection": "flag"}},
            }
        }
    )
    beta = policies["beta"]
    assert beta.actions["injection"] is Action.FLAG
    assert beta.actions["pii_output"] is Action.FLAG
    assert beta.injection_threshold == 0.7
    assert not beta.enabled("pii_output")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"policies": {"acme": {}}}, "no 'default' policy"),
        ({"policies": {"default": {"checks": ["spelling"]}}}, "unknown checks"),
        ({"policies": {"default": {"actions": {"injection": "shout"}}}}, "use block, redact or flag"),
        ({"policies": {"default": {"injection_threshold": 3}}}, "from 0 to 1"),
    ],
)
def test_invalid_policies_are_refused_with_a_sentence(raw: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policies(raw)


def test_policy_selection() -> None:
    policies = load_policies()
    assert select_policy(policies, "acme").name == "acme"
    assert select_policy(policies, "other").name == "default"
    assert select_policy(policies, "acme", "default").name == "default"
    with pytest.raises(PolicyError, match="no guardrail policy 'strict'"):
        select_policy(policies, "acme", "strict")


def test_unreadable_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policies(tmp_path / "missing.yaml")
