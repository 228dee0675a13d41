-- One row per answer: re-delivered answer events overwrite the same row (keyed by answer_id).
CREATE TABLE answer_scores (
    tenant_id text NOT NULL,
    answer_id text NOT NULL,
    groundedness double precision NOT NULL,
    hallucinated boolean NOT NULL,
    claims jsonb NOT NULL,
    scorer text NOT NULL,
    scorer_version text NOT NULL,
    trace_id text NOT NULL DEFAULT '',
    scored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, answer_id)
);
