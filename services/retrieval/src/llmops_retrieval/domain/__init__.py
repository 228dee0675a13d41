"""Retrieval logic: text for full-text search, rank fusion, search request rules."""
