-- API keys of tenants. Only a SHA-256 of the secret part is stored: keys are 256-bit random, so a
-- slow hash adds nothing, and a leaked table does not leak keys.
CREATE TABLE api_keys (
    key_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    name text NOT NULL DEFAULT '',
    scopes text[] NOT NULL,
    secret_sha256 bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
