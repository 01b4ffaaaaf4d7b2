-- Signing in, the second factor, tokens and sessions.

-- Wrong second-factor codes are counted apart from wrong passwords, and a correct
-- password never resets them: the second factor locks on its own.
ALTER TABLE users ADD COLUMN totp_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_locked_until BIGINT;
-- A service account is no person: it holds no role that needs a second factor and
-- cannot sign in with a password; API tokens may be made for it.
ALTER TABLE users ADD COLUMN service BOOLEAN NOT NULL DEFAULT {{FALSE}};
-- Sessions end after a time without requests (the idle timeout).
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
-- One-time upgrades of stored data done by the server at start, by name (e.g.
-- `totp_bound`: every TOTP secret sealed bound to its user's row).
CREATE TABLE data_upgrades (
    name TEXT PRIMARY KEY,
    done_at BIGINT NOT NULL
);
