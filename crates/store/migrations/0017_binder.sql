-- The auditor's evidence binder: the ethics officer's narrative for each question of
-- the catalogue (righttrack_core::binder). The figures beside them are computed live at
-- generation time and never stored. question_key is a key of the static catalogue; the
-- application refuses any other. Every save is also an audit entry (binder.narrative_saved).
CREATE TABLE binder_narratives (
    question_key TEXT PRIMARY KEY,
    narrative TEXT NOT NULL,
    -- username of the last editor
    updated_by TEXT NOT NULL,
    -- milliseconds since the epoch, UTC
    updated_at BIGINT NOT NULL
);
