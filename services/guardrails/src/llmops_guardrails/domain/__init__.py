"""Guardrail rules: pure functions over text, no I/O."""
