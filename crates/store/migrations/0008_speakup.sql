-- Speak-up hotline, first slice: reader keys, the install salt, cases and their sealed
-- fields, key wraps and the reporter's message thread.
--
-- Nothing here identifies the reporter or their device: no address, agent or referrer
-- columns (a test fails if any table gains one). Report text, identity and messages are
-- stored only sealed with the case's own key; that key is stored only wrapped, for each
-- reader (X25519) and for the reporter (under a key derived from the receipt). The
-- receipt itself is never stored: only its argon2id-derived lookup value.

-- A reader's X25519 public key (clear) and secret key (locked under their password).
ALTER TABLE users ADD COLUMN reader_public {{BLOB}};
ALTER TABLE users ADD COLUMN reader_secret_locked {{BLOB}};

-- One row: the per-installation salt of receipt derivation (not secret, never changes).
CREATE TABLE speakup_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    install_salt {{BLOB}} NOT NULL
);

CREATE TABLE speakup_cases (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    receipt_lookup {{BLOB}} NOT NULL UNIQUE,
    reporter_wrap {{BLOB}} NOT NULL,
    retaliation_flag BOOLEAN NOT NULL DEFAULT {{FALSE}},
    submitted_at BIGINT NOT NULL,
    ack_due_at BIGINT NOT NULL,
    feedback_due_at BIGINT NOT NULL
);

-- Sealed fields of a case: description, when_where, people, answers, identity.
CREATE TABLE speakup_fields (
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    sealed {{BLOB}} NOT NULL,
    PRIMARY KEY (case_id, field)
);

-- The case key wrapped for one reader. Deleting a case deletes its wraps.
CREATE TABLE speakup_wraps (
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    wrapped {{BLOB}} NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

-- The thread, in `seq` order: the body is sealed under field `message:<id>`.
CREATE TABLE speakup_messages (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
    kind TEXT NOT NULL CHECK (kind IN ('message', 'retaliation')),
    body_sealed {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, seq)
);
