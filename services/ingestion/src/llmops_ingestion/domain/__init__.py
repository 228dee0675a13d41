"""Ingestion logic: decoding, text extraction, chunking and versioning of documents."""
