"""llmops ingestion service: Documents, versions and source sync; publishes docs.chunks."""
