-- Platform: sites, teams, users, roles, sessions, API tokens, audit trail.
-- Timestamps are milliseconds since the Unix epoch (BIGINT), ids are UUIDv7 text.
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    site_id TEXT NOT NULL REFERENCES sites(id),
    parent_team_id TEXT REFERENCES teams(id),
    lead_user_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    team_id TEXT REFERENCES teams(id),
    totp_sealed {{BLOB}},
    totp_enabled BOOLEAN NOT NULL DEFAULT {{FALSE}},
    totp_last_step BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    privacy_training_current BOOLEAN NOT NULL DEFAULT {{FALSE}},
    disabled BOOLEAN NOT NULL DEFAULT {{FALSE}},
    created_at BIGINT NOT NULL
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash {{BLOB}} PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    mfa_passed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash {{BLOB}} NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash {{BLOB}} NOT NULL,
    hash {{BLOB}} NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash {{BLOB}} NOT NULL
);
--@sqlite
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
--@postgres
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
--@end

CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash {{BLOB}} NOT NULL,
    signature {{BLOB}} NOT NULL,
    at_ms BIGINT NOT NULL
);

--@sqlite
-- The trail is append-only for the application. Tamper tests drop these triggers to play
-- an attacker with direct file access; `righttrack audit verify` still catches them.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--@postgres
-- The trail is append-only for the application. Tamper tests disable this trigger to play
-- an attacker with direct database access; `righttrack audit verify` still catches them.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--@end
