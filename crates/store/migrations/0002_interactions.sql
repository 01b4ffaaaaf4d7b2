-- Interactions (stored redacted) and the commitments ledger.
CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    ext_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    agent_ref TEXT NOT NULL,
    team_ref TEXT,
    started_at BIGINT NOT NULL,
    ingested_at BIGINT NOT NULL,
    redacted TEXT NOT NULL,
    findings TEXT NOT NULL,
    score BIGINT NOT NULL,
    score_max BIGINT NOT NULL,
    flagged BOOLEAN NOT NULL DEFAULT {{FALSE}},
    pii_spans BIGINT NOT NULL,
    -- ",rule.a,rule.b," : the rules that fired, for filtering the review queue
    rules TEXT NOT NULL
);
CREATE INDEX interactions_agent ON interactions(agent_ref, started_at);
CREATE INDEX interactions_flagged ON interactions(flagged, started_at);

-- status: open | kept | broken. "overdue" is an open commitment past its due instant.
CREATE TABLE commitments (
    id TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    agent_ref TEXT NOT NULL,
    turn BIGINT NOT NULL,
    text TEXT NOT NULL,
    due_at BIGINT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT
);
CREATE INDEX commitments_status_due ON commitments(status, due_at);
CREATE INDEX commitments_agent ON commitments(agent_ref, status);
