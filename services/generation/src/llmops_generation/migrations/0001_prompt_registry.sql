-- The prompt registry (decision 0025). Versions are loaded from the package's prompt files at
-- start and never change: a file edited under an existing version number stops the service.
CREATE TABLE prompt_versions (
    name text NOT NULL,
    version integer NOT NULL CHECK (version > 0),
    content_sha256 text NOT NULL,
    system text NOT NULL,
    user_text text NOT NULL,  -- "user" is reserved in SQL
    note text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);

-- Every activation ever made, newest last. A rollback marks the current one rolled back and
-- restores the latest one before it that is not: repeated rollbacks walk back through history.
CREATE TABLE prompt_activations (
    activation_id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- history order (now() ties within a transaction)
    name text NOT NULL,
    weights jsonb NOT NULL,  -- [[version, weight], ...]
    actor text NOT NULL,
    activated_at timestamptz NOT NULL DEFAULT now(),
    rolled_back_at timestamptz,
    rolled_back_by text
);
CREATE INDEX prompt_activations_by_name ON prompt_activations (name, seq);

-- What Generate uses now: one row per prompt name.
CREATE TABLE active_prompts (
    name text PRIMARY KEY,
    activation_id uuid NOT NULL REFERENCES prompt_activations (activation_id),
    weights jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
