-- The semantic answer cache (docs/decisions/0026-semantic-cache.md): one row per stored answer.
-- Rows die when a cited document changes (docs.changes) and are not read after the TTL.
CREATE TABLE answer_cache (
    entry_id bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    question text NOT NULL,
    embedding vector(384) NOT NULL,
    answer text NOT NULL,
    outcome text NOT NULL,
    outcome_reason text NOT NULL DEFAULT '',
    citations jsonb NOT NULL,
    document_ids text[] NOT NULL,
    prompt_name text NOT NULL DEFAULT '',
    prompt_version integer NOT NULL DEFAULT 0,
    model text NOT NULL DEFAULT '',
    provider text NOT NULL DEFAULT '',
    route text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answer_cache_embedding_hnsw ON answer_cache USING hnsw (embedding vector_cosine_ops);
CREATE INDEX answer_cache_tenant_created ON answer_cache (tenant_id, created_at);
CREATE INDEX answer_cache_documents ON answer_cache USING gin (document_ids);
