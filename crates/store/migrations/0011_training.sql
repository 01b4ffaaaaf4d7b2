-- Training (issue #6): courses with Markdown content and a quiz or completions imported
-- from an external LMS, assignment rules by audience, attempts, completions with expiry,
-- and certificates (a verification code per completion). Replaces the yes/no
-- users.privacy_training_current: a user whose flag was set gets a manual completion of
-- the built-in data-privacy course dated at this migration (note says so), then the
-- column goes. Staff notifications get a kind, so a training reminder and a hotline
-- notice can both exist on one day.

CREATE TABLE training_courses (
    id TEXT PRIMARY KEY,
    -- Short stable code, used by LMS imports and in URLs ("data-privacy").
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- Markdown, rendered by core::training::markdown (no raw HTML).
    content TEXT NOT NULL,
    -- core::training::Quiz as JSON.
    quiz TEXT NOT NULL,
    pass_mark BIGINT NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
    -- Recurrence: a passing completion is valid this many months (NULL: forever).
    validity_months BIGINT CHECK (validity_months > 0),
    -- A current completion of such a course is what the data-access gate asks for.
    grants_data_access BOOLEAN NOT NULL,
    -- Taken in another LMS: completions arrive by CSV import only.
    external BOOLEAN NOT NULL,
    archived BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

-- Who must take a course: an audience (core::audience JSON), due N days after the
-- assignment is made; on_hire rules assign only people created after the rule.
CREATE TABLE training_rules (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    audience TEXT NOT NULL,
    due_days BIGINT NOT NULL CHECK (due_days BETWEEN 0 AND 3650),
    on_hire BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One assignment per person and course (the first rule that reached them); its state
-- (due, overdue, current, expiring) is decided on read from completions.
CREATE TABLE training_assignments (
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rule_id TEXT REFERENCES training_rules(id),
    assigned_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (course_id, user_id)
);
CREATE INDEX training_assignments_user ON training_assignments(user_id);

-- Every quiz attempt, passed or not (evidence of how training was completed).
CREATE TABLE training_attempts (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    score BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX training_attempts_user ON training_attempts(user_id, course_id, at);

-- Passing completions only. expires_at is fixed when recorded (completed_at + the
-- course's validity then). source: quiz (taken here), import (external LMS CSV),
-- manual (recorded by an officer or carried over from the old yes/no flag, with a note).
CREATE TABLE training_completions (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES training_courses(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    completed_at BIGINT NOT NULL,
    expires_at BIGINT,
    score BIGINT,
    source TEXT NOT NULL CHECK (source IN ('quiz', 'import', 'manual')),
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    verification TEXT NOT NULL UNIQUE,
    UNIQUE (course_id, user_id, completed_at)
);
CREATE INDEX training_completions_user ON training_completions(user_id, course_id, completed_at);

-- The built-in yearly data-privacy course, so the gate has something to ask for from
-- the first start. Officers edit its content and quiz.
INSERT INTO training_courses (id, code, title, content, quiz, pass_mark, validity_months, grants_data_access, external, archived, created_at)
VALUES ('0190c0de-0000-7000-8000-000000000001', 'data-privacy', 'Data privacy',
'Customer data belongs to the customer. You may see it only to serve them, and only while this training is current.

## What counts as customer data
- names, addresses, e-mail addresses and phone numbers
- card and bank account numbers, identity document numbers
- anything said in a call or chat that identifies a person

## Your duties
1. Never write customer data down outside the systems made for it.
2. Never read a full card number back to anyone.
3. Open an unredacted original or a hotline case only when your work needs it, and say why.
4. Report a suspected breach at once to the privacy team.

> Every opening of an original or a case is recorded in the audit trail.',
'{"questions":[{"prompt":"Where may you write down a customer''s card number?","options":["On a sticky note","Nowhere outside the systems made for it","In the chat with a colleague"],"correct":1},{"prompt":"When may you open an unredacted original?","options":["Whenever you are curious","Only when your work needs it, with a written reason"],"correct":1},{"prompt":"You suspect a breach. What do you do?","options":["Report it at once to the privacy team","Wait to see if it happens again"],"correct":0}]}',
80, 12, TRUE, FALSE, FALSE, 0);

INSERT INTO training_completions (id, course_id, user_id, completed_at, expires_at, score, source, note, recorded_by, verification)
SELECT 'legacy-' || id, '0190c0de-0000-7000-8000-000000000001', id,
--@sqlite
       CAST(strftime('%s', 'now') AS INTEGER) * 1000,
       CAST(strftime('%s', 'now', '+12 months') AS INTEGER) * 1000,
--@postgres
       CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT),
       CAST(EXTRACT(EPOCH FROM now() + INTERVAL '12 months') * 1000 AS BIGINT),
--@end
       NULL, 'manual',
       'Carried over: an administrator had marked this person''s data-privacy training current before training records existed.',
       'migration', 'LEGACY-' || upper(replace(id, '-', ''))
FROM users WHERE privacy_training_current;
ALTER TABLE users DROP COLUMN privacy_training_current;

--@sqlite
CREATE TABLE staff_notifications_new (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'hotline',
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT,
    PRIMARY KEY (user_id, day, kind)
);
INSERT INTO staff_notifications_new (user_id, day, kind, text, created_at, seen_at)
SELECT user_id, day, 'hotline', text, created_at, seen_at FROM staff_notifications;
DROP TABLE staff_notifications;
ALTER TABLE staff_notifications_new RENAME TO staff_notifications;
--@postgres
ALTER TABLE staff_notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'hotline';
ALTER TABLE staff_notifications DROP CONSTRAINT staff_notifications_pkey;
ALTER TABLE staff_notifications ADD PRIMARY KEY (user_id, day, kind);
--@end
