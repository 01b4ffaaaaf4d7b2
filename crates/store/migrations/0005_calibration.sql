-- QA calibration: several analysts score the same interactions blind; results are
-- revealed when the session closes. Users are referred to by username, like
-- score_overrides.by_user. Comments are scrubbed by the engine before they are stored.
CREATE TABLE calibration_sessions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE TABLE calibration_interactions (
    session_id TEXT NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    ext_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (session_id, ext_id)
);
CREATE TABLE calibration_participants (
    session_id TEXT NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    submitted_at BIGINT,
    PRIMARY KEY (session_id, username)
);
CREATE INDEX calibration_participants_user ON calibration_participants(username);
-- points NULL is N/A.
CREATE TABLE calibration_ratings (
    session_id TEXT NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    ext_id TEXT NOT NULL,
    item TEXT NOT NULL,
    points BIGINT,
    comment TEXT NOT NULL,
    PRIMARY KEY (session_id, username, ext_id, item)
);
