-- Outgoing e-mail, queued so that an SMTP outage loses nothing: a row stays until the
-- server accepts it (sent_at) or it is given up on (failed_at), and each failed try
-- pushes next_attempt_at back. The recipient, subject and body are sealed together with
-- the app's keyring; last_error holds only the kind of failure, never an address.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    -- One message per notice or digest: a sweep that runs twice queues once.
    dedup_key TEXT NOT NULL UNIQUE,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    sealed {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT,
    failed_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);

-- How each person wants their notices by e-mail; no row is "immediate".
CREATE TABLE mail_preferences (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
