"""Reads the per-tenant policy file (YAML)."""

from __future__ import annotations

from pathlib import Path

import yaml

from llmops_guardrails.domain.policy import Policy, PolicyError, parse_policies

PACKAGED_POLICIES = Path(__file__).resolve().parent.parent / "policies.yaml"


def load_policies(path: Path | None = None) -> dict[str, Policy]:
    source = path or PACKAGED_POLICIES
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PolicyError(f"cannot read the guardrail policy file {source}: {error}") from error
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping with a 'policies' key")
    return parse_policies(raw)
