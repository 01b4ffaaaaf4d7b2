-- Speak-up hotline, case management: assignment, triage, legal clocks per jurisdiction,
-- the staff timeline, the identity envelope and its custodians, attachments, configurable
-- categories, retention with legal hold, statistics that outlive deleted cases, and
-- content-free staff notifications.
--
-- As in 0008: nothing identifies a reporter or their device, and every free text is
-- sealed under the case's key (notes, outcomes, reasons, attachment names and bodies) or,
-- for the identity, under the case's separate identity key. What stays clear is what the
-- server needs to route, count and keep time: category, status, assignee, risk, dates.

ALTER TABLE speakup_cases ADD COLUMN assignee_id TEXT REFERENCES users(id);
ALTER TABLE speakup_cases ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT 'eu';
-- Retaliation risk from triage: low, medium, high (NULL until triaged).
ALTER TABLE speakup_cases ADD COLUMN risk TEXT CHECK (risk IN ('low', 'medium', 'high'));
ALTER TABLE speakup_cases ADD COLUMN closed_at BIGINT;
-- Has the reporter come back with their receipt after filing (the follow-up rate).
ALTER TABLE speakup_cases ADD COLUMN reporter_returned BOOLEAN NOT NULL DEFAULT {{FALSE}};
ALTER TABLE speakup_cases ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT {{FALSE}};
-- When a closed case is destroyed (NULL while open or under no policy).
ALTER TABLE speakup_cases ADD COLUMN retain_until BIGINT;
-- The reporter's language (for automatic messages).
ALTER TABLE speakup_cases ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
-- The readers epoch the case's wraps were last reconciled at (see speakup_settings).
ALTER TABLE speakup_cases ADD COLUMN wraps_epoch BIGINT NOT NULL DEFAULT 0;
-- The last thing the reporter did (message, answer, retaliation), for staff queues.
ALTER TABLE speakup_cases ADD COLUMN reporter_activity_at BIGINT;
CREATE INDEX speakup_cases_assignee ON speakup_cases(assignee_id);
CREATE INDEX speakup_wraps_user ON speakup_wraps(user_id);

-- Bumped whenever who may read cases could have changed (roles, keys, teams, leads,
-- disabling): cases whose wraps_epoch is older are reconciled by the next reader who
-- holds their key.
ALTER TABLE speakup_settings ADD COLUMN readers_epoch BIGINT NOT NULL DEFAULT 1;
ALTER TABLE speakup_settings ADD COLUMN default_jurisdiction TEXT NOT NULL DEFAULT 'eu';

-- Legal deadlines per jurisdiction. Feedback is counted in calendar months.
CREATE TABLE speakup_jurisdictions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    ack_days BIGINT NOT NULL CHECK (ack_days > 0),
    feedback_months BIGINT NOT NULL CHECK (feedback_months > 0),
    -- How long before a deadline it is "due soon".
    warn_days BIGINT NOT NULL CHECK (warn_days >= 0)
);
INSERT INTO speakup_jurisdictions (code, name, ack_days, feedback_months, warn_days) VALUES
    ('eu', 'EU Whistleblowing Directive 2019/1937', 7, 3, 7),
    ('de', 'Germany, HinSchG', 7, 3, 7),
    ('es', 'Spain, Ley 2/2023', 7, 3, 7),
    ('fr', 'France, Sapin II / Loi Waserman', 7, 3, 7),
    ('uk', 'United Kingdom, PIDA (good practice)', 7, 3, 7),
    ('us', 'United States, SOX 301 (company policy)', 5, 3, 5);

-- A case's deadlines: `acknowledge` and `feedback`. Met when `met_at` is set.
CREATE TABLE speakup_clocks (
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('acknowledge', 'feedback')),
    due_at BIGINT NOT NULL,
    met_at BIGINT,
    PRIMARY KEY (case_id, kind)
);
CREATE INDEX speakup_clocks_due ON speakup_clocks(due_at);
INSERT INTO speakup_clocks (case_id, kind, due_at, met_at)
    SELECT id, 'acknowledge', ack_due_at, submitted_at FROM speakup_cases;
INSERT INTO speakup_clocks (case_id, kind, due_at, met_at)
    SELECT id, 'feedback', feedback_due_at, NULL FROM speakup_cases;
ALTER TABLE speakup_cases DROP COLUMN ack_due_at;
ALTER TABLE speakup_cases DROP COLUMN feedback_due_at;

-- The staff timeline: status changes, assignment, triage, notes, outcome, recusal,
-- identity requests. `detail_sealed` (notes, reasons, outcome) is sealed under the case
-- key with field `event:<id>`; `actor_id` is NULL for the system and the reporter.
CREATE TABLE speakup_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT REFERENCES users(id),
    kind TEXT NOT NULL,
    -- A short machine value (new status, risk level, assignee id); never free text.
    value TEXT,
    detail_sealed {{BLOB}},
    UNIQUE (case_id, seq)
);

-- The identity envelope's key, wrapped for identity custodians and for anyone a custodian
-- has approved. The identity field itself is sealed under this key, not the case key.
CREATE TABLE speakup_identity_wraps (
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    wrapped {{BLOB}} NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE speakup_identity_requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    requester_id TEXT NOT NULL REFERENCES users(id),
    -- Sealed under the case key, field `identity_request:<id>`.
    reason_sealed {{BLOB}} NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    decided_by TEXT REFERENCES users(id),
    -- Sealed under the case key, field `identity_decision:<id>`.
    decision_sealed {{BLOB}},
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);

-- Attachments: name, type and body sealed under the case key (`attachment:<id>:meta`,
-- `attachment:<id>`). Only the sealed size is clear.
CREATE TABLE speakup_attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES speakup_cases(id) ON DELETE CASCADE,
    author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
    meta_sealed {{BLOB}} NOT NULL,
    body_sealed {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX speakup_attachments_case ON speakup_attachments(case_id);

-- Configurable categories. `labels` and `questions` are JSON keyed by language:
-- {"en": "...", "es": "..."} and {"en": ["..."], "es": ["..."]}.
CREATE TABLE speakup_categories (
    key TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    labels TEXT NOT NULL,
    hints TEXT NOT NULL,
    questions TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT {{TRUE}},
    -- Route to audit-committee members instead of ethics officers (SOX 301).
    audit_committee BOOLEAN NOT NULL DEFAULT {{FALSE}}
);

-- How long a closed case is kept, per category and final status; '*' matches any.
-- The most specific row wins (category and status, then category, then status, then both '*').
CREATE TABLE speakup_retention (
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    days BIGINT NOT NULL CHECK (days > 0),
    PRIMARY KEY (category, status)
);
INSERT INTO speakup_retention (category, status, days) VALUES
    ('*', '*', 730),
    ('*', 'substantiated', 1825),
    ('*', 'unsubstantiated', 365);

-- What remains of a destroyed case for the statistics: no reference, no text, no people.
CREATE TABLE speakup_stats (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    final_status TEXT NOT NULL,
    reporter_returned BOOLEAN NOT NULL,
    submitted_at BIGINT NOT NULL,
    closed_at BIGINT,
    deleted_at BIGINT NOT NULL
);

-- Content-free staff notifications: at most one a day per person, no case, no count of
-- events, no timing finer than the day.
CREATE TABLE staff_notifications (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT,
    PRIMARY KEY (user_id, day)
);

-- A reader's X25519 secret for the length of a session, sealed under a key derived from
-- the session id, which only the browser's cookie holds: a copy of the database opens
-- nothing, and signing out (or expiry) leaves nothing to open.
ALTER TABLE sessions ADD COLUMN reader_sealed {{BLOB}};
