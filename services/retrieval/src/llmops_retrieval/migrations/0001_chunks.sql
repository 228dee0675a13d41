-- One row per chunk version; chunk_id is a hash of document id + version + text, so a re-delivered
-- event upserts the same row.
CREATE TABLE chunks (
    tenant_id text NOT NULL,
    chunk_id text NOT NULL,
    document_id text NOT NULL,
    document_version integer NOT NULL,
    chunk_index integer NOT NULL,
    chunk_count integer NOT NULL,
    title text NOT NULL DEFAULT '',
    source_uri text NOT NULL DEFAULT '',
    language text NOT NULL DEFAULT '',
    metadata jsonb NOT NULL DEFAULT '{}',
    body text NOT NULL,
    search_text tsvector NOT NULL,
    embedding vector(384) NOT NULL,
    embedding_model text NOT NULL,
    embedding_model_version text NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, chunk_id)
);
CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX chunks_search_text ON chunks USING gin (search_text);
CREATE INDEX chunks_document ON chunks (tenant_id, document_id, document_version);
