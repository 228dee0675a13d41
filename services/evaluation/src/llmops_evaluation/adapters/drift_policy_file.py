"""Reads the per-tenant drift policy file (YAML)."""

from __future__ import annotations

from pathlib import Path

import yaml

from llmops_evaluation.domain.drift_policy import DriftPolicy, DriftPolicyError, parse_drift_policies

PACKAGED_POLICIES = Path(__file__).resolve().parent.parent / "drift_policies.yaml"


def load_drift_policies(path: Path | None = None) -> dict[str, DriftPolicy]:
    source = path or PACKAGED_POLICIES
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DriftPolicyError(f"cannot read the drift policy file {source}: {error}") from error
    if not isinstance(raw, dict):
        raise DriftPolicyError(f"{source}: expected a mapping with a 'policies' key")
    return parse_drift_policies(raw)
