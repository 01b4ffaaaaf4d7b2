-- Policies and attestation (issue #6). A policy is a series of versions; a published
-- material version opens an attestation cycle: one assignment per person of the
-- policy's audience, each closed by one attestation. Published text is never edited:
-- a change is a new version, so a version hash in the evidence always matches the
-- stored body.
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    audience TEXT NOT NULL,
    attest_days BIGINT NOT NULL,
    pass_mark BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_by TEXT,
    retired_at BIGINT
);

CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY,
    policy_id TEXT NOT NULL REFERENCES policies(id),
    number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    quiz TEXT NOT NULL,
    status TEXT NOT NULL,
    contributors TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    submitted_by TEXT,
    submitted_at BIGINT,
    approved_by TEXT,
    approved_at BIGINT,
    published_by TEXT,
    published_at BIGINT,
    hash TEXT,
    due_at BIGINT,
    UNIQUE (policy_id, number)
);
-- At most one version of a policy is being worked on (draft, in review or approved)
-- and at most one is published.
CREATE UNIQUE INDEX policy_versions_one_open ON policy_versions(policy_id) WHERE status IN ('draft', 'in_review', 'approved');
CREATE UNIQUE INDEX policy_versions_one_published ON policy_versions(policy_id) WHERE status = 'published';

-- Who must attest a material version (cycle), and by when.
CREATE TABLE policy_assignments (
    version_id TEXT NOT NULL REFERENCES policy_versions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    assigned_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (version_id, user_id)
);
CREATE INDEX policy_assignments_user ON policy_assignments(user_id);

-- Every quiz attempt, passed or not, with each question's result.
CREATE TABLE policy_attempts (
    id TEXT PRIMARY KEY,
    version_id TEXT NOT NULL REFERENCES policy_versions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    total BIGINT NOT NULL,
    score BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    method TEXT NOT NULL
);
CREATE INDEX policy_attempts_user ON policy_attempts(user_id, version_id);
CREATE TABLE policy_attempt_answers (
    attempt_id TEXT NOT NULL REFERENCES policy_attempts(id),
    position BIGINT NOT NULL,
    correct BOOLEAN NOT NULL,
    PRIMARY KEY (attempt_id, position)
);

-- The evidence: person, the exact version read and its hash, time, method, score.
CREATE TABLE policy_attestations (
    id TEXT PRIMARY KEY,
    cycle_version_id TEXT NOT NULL REFERENCES policy_versions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    version_id TEXT NOT NULL REFERENCES policy_versions(id),
    version_hash TEXT NOT NULL,
    attested_at BIGINT NOT NULL,
    method TEXT NOT NULL,
    score BIGINT,
    attempt_id TEXT REFERENCES policy_attempts(id),
    UNIQUE (cycle_version_id, user_id)
);
CREATE INDEX policy_attestations_user ON policy_attestations(user_id, attested_at);

-- Reminders to the person and escalations to their lead, as sent (at most weekly).
CREATE TABLE policy_reminders (
    cycle_version_id TEXT NOT NULL REFERENCES policy_versions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    recipient_id TEXT NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (cycle_version_id, user_id, kind, day)
);
CREATE INDEX policy_reminders_day ON policy_reminders(day);
