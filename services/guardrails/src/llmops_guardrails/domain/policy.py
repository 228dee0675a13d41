"""Per-tenant guardrail policies: which checks run, their bars, what each finding does, the messages.

Policies come from configuration (a YAML file, see ``policies.yaml`` beside the package); this
module only turns the parsed mapping into typed values and says which policy a request gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from llmops_core.errors import InvalidArgument
from llmops_guardrails.domain.pii import allow_key, phone_shape


class Action(Enum):
    BLOCK = "block"
    REDACT = "redact"
    FLAG = "flag"  # allowed through, recorded on the verdict and the trace


CHECKS = frozenset({"injection", "scope", "pii_input", "pii_output", "document"})
DEFAULT_ACTIONS = {
    "injection": Action.BLOCK,
    "scope": Action.BLOCK,
    "pii_input": Action.REDACT,
    "pii_output": Action.REDACT,
    "document": Action.REDACT,
}
DEFAULT_MESSAGES = {
    "injection": "I can't follow instructions that try to change how I work. Please ask your question directly.",
    "scope": "Sorry, I can only help with {purpose}. Please ask about one of those.",
}


class PolicyError(InvalidArgument):
    """A policy file that is not valid, or a request naming no known policy; the message says which."""


@dataclass(frozen=True)
class Policy:
    name: str
    checks: frozenset[str] = CHECKS
    actions: Mapping[str, Action] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    messages: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MESSAGES))
    # What the tenant's assistant is for, in plain words; empty turns the scope check off.
    purpose: str = ""
    # The same purpose in the other languages the tenant serves: the multilingual model that judges
    # non-Latin questions finds a Chinese question far from an English purpose whatever it asks.
    purpose_translations: tuple[str, ...] = ()
    # Bars that override the calibrated ones (calibration.json) for this tenant only.
    injection_threshold: float | None = None
    scope_min_similarity: float | None = None
    corpus_min_similarity: float | None = None
    # allow_key() values of contact details the tenant publishes on purpose.
    allowed_contacts: frozenset[str] = frozenset()

    def enabled(self, check: str) -> bool:
        if check == "scope":
            return check in self.checks and bool(self.purpose)
        return check in self.checks

    def message(self, check: str) -> str:
        return self.messages.get(check, DEFAULT_MESSAGES.get(check, "")).format(purpose=self.purpose or "this service")


def _contact_key(value: str) -> str:
    return allow_key("email" if "@" in value else "phone" if phone_shape(value) else "other", value)


def _float(raw: Mapping[str, Any], key: str, name: str, inherited: float | None) -> float | None:
    value = raw.get(key)
    if value is None:
        return inherited
    if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise PolicyError(f"policy {name!r}: {key} is {value!r}; give a number from 0 to 1")
    return float(value)


def parse_policy(name: str, raw: Mapping[str, Any], base: Policy | None = None) -> Policy:
    """One policy from its mapping; unset fields come from ``base`` (the ``default`` policy)."""
    base = base or Policy(name="default")
    checks = frozenset(raw.get("checks", base.checks))
    if unknown := checks - CHECKS:
        raise PolicyError(f"policy {name!r}: unknown checks {sorted(unknown)}; known: {sorted(CHECKS)}")
    actions = dict(base.actions)
    for check, action in dict(raw.get("actions", {})).items():
        if check not in CHECKS:
            raise PolicyError(f"policy {name!r}: action for unknown check {check!r}")
        try:
            actions[check] = Action(action)
        except ValueError as error:
            raise PolicyError(f"policy {name!r}: action {action!r} for {check}; use block, redact or flag") from error
    contacts = raw.get("allowed_contacts")
    return Policy(
        name=name,
        checks=checks,
        actions=actions,
        messages={**base.messages, **dict(raw.get("messages", {}))},
        purpose=str(raw.get("purpose", base.purpose)).strip(),
        purpose_translations=tuple(
            str(t).strip() for t in raw.get("purpose_translations", base.purpose_translations) if str(t).strip()
        ),
        injection_threshold=_float(raw, "injection_threshold", name, base.injection_threshold),
        scope_min_similarity=_float(raw, "scope_min_similarity", name, base.scope_min_similarity),
        corpus_min_similarity=_float(raw, "corpus_min_similarity", name, base.corpus_min_similarity),
        allowed_contacts=(
            frozenset(_contact_key(str(v)) for v in contacts) if contacts is not None else base.allowed_contacts
        ),
    )


def parse_policies(raw: Mapping[str, Any]) -> dict[str, Policy]:
    """``{"policies": {name: mapping}}``; every policy inherits from ``default``, which must exist."""
    entries = dict(raw.get("policies", {}))
    if "default" not in entries:
        raise PolicyError("the policy file has no 'default' policy")
    default = parse_policy("default", entries.pop("default") or {})
    policies = {"default": default}
    for name, entry in entries.items():
        policies[str(name)] = parse_policy(str(name), entry or {}, default)
    return policies


def select_policy(policies: Mapping[str, Policy], tenant_id: str, requested: str = "") -> Policy:
    """The policy the request names, else the tenant's own, else ``default``."""
    if requested:
        if requested not in policies:
            raise PolicyError(f"no guardrail policy {requested!r}; known: {sorted(policies)}")
        return policies[requested]
    return policies.get(tenant_id, policies["default"])
