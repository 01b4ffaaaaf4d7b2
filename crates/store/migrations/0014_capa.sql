-- Issue #7: internal audits, corrective actions (CAPA), discipline records, kudos.
-- Usernames are stored as text (like disputes) so a record stays readable after the
-- user is disabled; site and team names are snapshots taken when the record is made.

-- Audit checklists: a template is a named list of items.
CREATE TABLE audit_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE audit_template_items (
    template_id TEXT NOT NULL REFERENCES audit_templates(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (template_id, position)
);
-- A schedule repeats a template every n months (for one site, or organisation-wide).
CREATE TABLE audit_schedules (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES audit_templates(id) ON DELETE CASCADE,
    site_name TEXT,
    every_months BIGINT NOT NULL,
    next_due BIGINT NOT NULL,
    auditor TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- One audit; the items are copied from the template so a later edit of the template
-- does not change an audit already done. status: open | completed.
CREATE TABLE audits (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES audit_templates(id),
    schedule_id TEXT REFERENCES audit_schedules(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    site_name TEXT,
    auditor TEXT,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    completed_by TEXT,
    completed_at BIGINT
);
CREATE UNIQUE INDEX audits_one_per_schedule_due ON audits(schedule_id, due_at);
CREATE INDEX audits_status_due ON audits(status, due_at);
-- answer: pass | fail | na (NULL until answered).
CREATE TABLE audit_items (
    audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    answer TEXT,
    note TEXT,
    PRIMARY KEY (audit_id, position)
);
-- A failed item of a completed audit.
CREATE TABLE audit_findings (
    id TEXT PRIMARY KEY,
    audit_id TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    note TEXT,
    site_name TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (audit_id, position)
);

-- Corrective actions. source_ref is opaque (a finding id, a rule, a survey hot-spot id,
-- a hotline case reference; never case content). recurrence_key groups CAPAs on the
-- same subject; recurring_of names the closed CAPA this one repeats.
CREATE TABLE capas (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    source_label TEXT NOT NULL,
    site_name TEXT,
    rule TEXT,
    recurrence_key TEXT,
    recurring_of TEXT REFERENCES capas(id) ON DELETE SET NULL,
    owner TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    root_cause TEXT,
    plan TEXT,
    metric_rule TEXT,
    metric_baseline DOUBLE PRECISION,
    metric_days BIGINT,
    implemented_at BIGINT,
    escalated_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX capas_state_due ON capas(state, due_at);
CREATE INDEX capas_recurrence ON capas(recurrence_key, closed_at);
CREATE TABLE capa_events (
    id TEXT PRIMARY KEY,
    capa_id TEXT NOT NULL REFERENCES capas(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    step TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT
);
CREATE INDEX capa_events_capa ON capa_events(capa_id, at);
-- Content-free overdue notices, one a day per person (like staff_notifications, kept
-- apart so a hotline notice and a CAPA notice on the same day do not collide).
CREATE TABLE capa_notifications (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT,
    PRIMARY KEY (user_id, day)
);

-- Configurable lists: violation classes and the values kudos are tied to.
CREATE TABLE violation_classes (
    name TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE TABLE conduct_values (
    name TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- Discipline decisions. sanction is the step on the ladder (0 coaching .. 4 termination);
-- approval: not_needed | pending | approved | rejected. Factors are comma-separated keys.
CREATE TABLE discipline_records (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    site_name TEXT,
    team_name TEXT,
    role_level TEXT NOT NULL,
    violation_class TEXT NOT NULL,
    severity BIGINT NOT NULL,
    aggravating TEXT NOT NULL,
    mitigating TEXT NOT NULL,
    prior_records BIGINT NOT NULL,
    sanction BIGINT NOT NULL,
    comparable_cases BIGINT NOT NULL,
    comparable_median BIGINT,
    deviation BOOLEAN NOT NULL,
    rationale TEXT,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    approval TEXT NOT NULL,
    approver TEXT,
    approved_at BIGINT,
    approval_note TEXT
);
CREATE INDEX discipline_subject ON discipline_records(subject, decided_at);
CREATE INDEX discipline_class ON discipline_records(violation_class, severity);
CREATE INDEX discipline_approval ON discipline_records(approval, decided_at);

-- Kudos: never linked to hotline data (no case, reporter or category column).
-- visibility: pending | visible | hidden.
CREATE TABLE kudos (
    id TEXT PRIMARY KEY,
    giver TEXT NOT NULL,
    recipient TEXT NOT NULL,
    value_name TEXT NOT NULL,
    message TEXT NOT NULL,
    visibility TEXT NOT NULL,
    given_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX kudos_recipient ON kudos(recipient, given_at);
