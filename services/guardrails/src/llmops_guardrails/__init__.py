"""llmops guardrails service: Policies: CheckInput and CheckOutput verdicts and redactions."""
