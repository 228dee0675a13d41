"""llmops embedding service: Stateless: docs.chunks -> Triton -> docs.embedded; Embed for query time."""
