-- The current version of each document; chunks themselves live downstream (retrieval).
CREATE TABLE documents (
    tenant_id text NOT NULL,
    document_id text NOT NULL,
    version integer NOT NULL,
    content_hash text NOT NULL,
    title text NOT NULL,
    source_uri text NOT NULL DEFAULT '',
    chunk_count integer NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    retired boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, document_id)
);
CREATE INDEX documents_recent ON documents (tenant_id, updated_at DESC, document_id);
