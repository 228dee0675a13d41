"""Embedding rules: what may be embedded, and the event an embedded chunk becomes."""
