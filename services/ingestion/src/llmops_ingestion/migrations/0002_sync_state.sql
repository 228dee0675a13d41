-- Sync state: which source a document came from and its change marker there, the chunk ids of
-- its current version (so the next version re-embeds only new chunks), and deletions as a flag
-- (the version keeps counting up through a deletion, so a returning document is ordered after it).
ALTER TABLE documents RENAME COLUMN retired TO deleted;
ALTER TABLE documents ADD COLUMN source_key text NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN fingerprint text NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN chunk_ids text[] NOT NULL DEFAULT '{}';
CREATE INDEX documents_source ON documents (tenant_id, source_key) WHERE NOT deleted;
