"""llmops retrieval service: Chunk store (pgvector + full text): indexer on docs.embedded and Search."""
