"""Per-tenant drift policies: what the platform does by itself when a signal alarms.

Policies come from configuration (``drift_policies.yaml`` beside the package, or the file
``LLMOPS_EVALUATION_DRIFT_POLICIES_FILE`` names); a tenant without its own gets ``default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from llmops_core.errors import InvalidArgument

SIGNALS = frozenset(
    {
        "hallucination_rate",
        "groundedness",
        "abstention_rate",
        "refusal_rate",
        "negative_feedback_rate",
        "top_similarity",
        "question_similarity",
    }
)


class ActionKind(Enum):
    STRICT_MODE = "strict_mode"  # the query service quotes passages only until an operator clears it
    REVIEW_DOCUMENTS = "review_documents"  # documents cited by the evidence answers are listed for review
    WEBHOOK = "webhook"  # the tenant's URL is called with the alert


class DriftPolicyError(InvalidArgument):
    """A drift policy file that is not valid; the message says where."""


@dataclass(frozen=True)
class DriftPolicy:
    name: str
    on_alert: Mapping[str, tuple[ActionKind, ...]] = field(default_factory=dict)
    webhook_url: str = ""

    def actions_for(self, signal: str) -> list[ActionKind]:
        """The signal's actions; a webhook only where the tenant gave a URL."""
        return [a for a in self.on_alert.get(signal, ()) if a is not ActionKind.WEBHOOK or self.webhook_url]


def _policy(name: str, raw: Mapping[str, Any], base: DriftPolicy | None) -> DriftPolicy:
    on_alert = dict(base.on_alert) if base else {}
    for signal, actions in dict(raw.get("on_alert", {})).items():
        if signal not in SIGNALS:
            raise DriftPolicyError(f"drift policy {name!r}: unknown signal {signal!r}; known: {sorted(SIGNALS)}")
        try:
            on_alert[signal] = tuple(ActionKind(a) for a in actions or [])
        except ValueError as error:
            known = [k.value for k in ActionKind]
            raise DriftPolicyError(f"drift policy {name!r}, {signal}: {error}; actions are {known}") from error
    url = str(raw.get("webhook_url", base.webhook_url if base else "")).strip()
    if url and not url.startswith(("http://", "https://")):
        raise DriftPolicyError(f"drift policy {name!r}: webhook_url must be an http(s) URL, not {url[:80]!r}")
    return DriftPolicy(name, on_alert, url)


def parse_drift_policies(raw: Mapping[str, Any]) -> dict[str, DriftPolicy]:
    entries = dict(raw.get("policies", {}))
    if "default" not in entries:
        raise DriftPolicyError("the drift policy file has no 'default' policy")
    default = _policy("default", entries.pop("default") or {}, None)
    return {"default": default, **{str(n): _policy(str(n), e or {}, default) for n, e in entries.items()}}


def policy_for(policies: Mapping[str, DriftPolicy], tenant_id: str) -> DriftPolicy:
    return policies.get(tenant_id, policies["default"])
