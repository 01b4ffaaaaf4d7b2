-- QA overrides of scorecard items: who changed what, when and why. Never updated or
-- deleted: the latest override per item is the one in force.
CREATE TABLE score_overrides (
    id TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    failed BOOLEAN NOT NULL,
    justification TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX score_overrides_interaction ON score_overrides(interaction_id, at);
