-- The ethics-health dashboard reads monthly totals, never the interactions themselves:
-- with a million interactions a page must still answer in well under 300 ms.
-- store_interactions adds to these rows in the transaction that stores the batch, so the
-- totals and the interactions cannot disagree; Db::rebuild_interaction_monthly
-- recomputes them from the interactions (run once after this migration).
CREATE TABLE interaction_monthly (
    -- YYYY-MM of started_at, UTC
    month TEXT NOT NULL,
    -- the interaction's team as sent ('' when none)
    team_ref TEXT NOT NULL,
    -- interactions | flagged | exposed (had customer data redacted) | pii_spans |
    -- rule:<id> (interactions where that rule's event fired)
    metric TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (month, team_ref, metric)
);

-- Commitments closed in a month, by status, counted from the index alone.
CREATE INDEX commitments_closed ON commitments(closed_at, status);
