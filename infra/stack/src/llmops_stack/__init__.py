"""The `llmops` command: local stack (up/down/status/logs), model export, proto generation."""
