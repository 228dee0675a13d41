-- Drift lives in Postgres (decision 0023), so a restart keeps it and any replica can take over
-- a tenant: one row of detector state per tenant, updated under its row lock.
CREATE TABLE drift_state (
    tenant_id text PRIMARY KEY,
    detector jsonb NOT NULL,
    -- Up to five recent answer ids per signal, shown as evidence on an alert.
    evidence jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every event the monitor counted: a redelivered event finds its key and is not counted again.
CREATE TABLE drift_events (
    tenant_id text NOT NULL,
    event_key text NOT NULL,  -- answer:<answer_id> or feedback:<feedback_id>
    observed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, event_key)
);

-- Alerts, written in the transaction that raised them (an outbox) and published after it commits;
-- one left unpublished by a crash is published with the tenant's next event.
CREATE TABLE drift_alerts (
    alert_id uuid PRIMARY KEY,
    tenant_id text NOT NULL,
    signal text NOT NULL,
    alert jsonb NOT NULL,
    raised_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    cleared_at timestamptz
);
CREATE INDEX drift_alerts_unpublished ON drift_alerts (tenant_id) WHERE published_at IS NULL;
CREATE INDEX drift_alerts_open ON drift_alerts (tenant_id) WHERE cleared_at IS NULL;

-- Feedback on answers (the `feedback` topic), kept to join with scores for review.
CREATE TABLE answer_feedback (
    tenant_id text NOT NULL,
    feedback_id text NOT NULL,
    answer_id text NOT NULL,
    rating integer NOT NULL,
    comment text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, feedback_id)
);
CREATE INDEX answer_feedback_answer ON answer_feedback (tenant_id, answer_id);

-- The documents an answer cited, so an alert's evidence answers lead to documents to review.
ALTER TABLE answer_scores ADD COLUMN cited_documents text[] NOT NULL DEFAULT '{}';

-- Documents marked for review by an alert (the review_documents action).
CREATE TABLE documents_to_review (
    tenant_id text NOT NULL,
    document_id text NOT NULL,
    alert_id uuid NOT NULL,
    answer_ids text[] NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, document_id, alert_id)
);

-- Questions the platform abstained on (already redacted by the query service), for the
-- knowledge-gap report.
CREATE TABLE abstained_questions (
    tenant_id text NOT NULL,
    answer_id text NOT NULL,
    question text NOT NULL,
    top_similarity double precision,
    asked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, answer_id)
);
CREATE INDEX abstained_questions_recent ON abstained_questions (tenant_id, asked_at DESC);
