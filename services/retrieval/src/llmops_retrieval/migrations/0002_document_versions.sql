-- Atomic versions: a chunk is searchable only when `live`; new chunks wait (live = false) until
-- every chunk of their version's manifest is indexed. `documents` holds the searchable version
-- and the manifest waiting for chunks. Chunks indexed before this migration stay searchable.
ALTER TABLE chunks ADD COLUMN live boolean NOT NULL DEFAULT true;
ALTER TABLE chunks ALTER COLUMN live SET DEFAULT false;
CREATE TABLE documents (
    tenant_id text NOT NULL,
    document_id text NOT NULL,
    live_version integer NOT NULL DEFAULT 0,
    deleted boolean NOT NULL DEFAULT false,
    pending_version integer,
    pending_chunk_ids text[] NOT NULL DEFAULT '{}',
    pending_chunk_indexes integer[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, document_id)
);
INSERT INTO documents (tenant_id, document_id, live_version)
    SELECT tenant_id, document_id, max(document_version) FROM chunks GROUP BY tenant_id, document_id;
DROP INDEX chunks_document;
CREATE INDEX chunks_document ON chunks (tenant_id, document_id);
CREATE INDEX chunks_live ON chunks (tenant_id) WHERE live;
