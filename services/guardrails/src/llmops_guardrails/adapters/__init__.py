"""I/O behind the domain's ports: the packaged injection classifier, embedders, the policy file."""
