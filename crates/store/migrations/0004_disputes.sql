-- Scorecard disputes: an agent contests one item of their own interaction; a QA analyst
-- other than the original evaluator resolves it. Open until resolved; overdue is decided
-- on read from due_at. At most one open dispute per item.
CREATE TABLE disputes (
    id TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    agent_ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    evaluator TEXT,
    assignee TEXT,
    opened_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    resolution TEXT,
    resolved_by TEXT,
    resolved_at BIGINT
);
CREATE UNIQUE INDEX disputes_one_open_per_item ON disputes(interaction_id, item) WHERE status = 'open';
CREATE INDEX disputes_status_due ON disputes(status, due_at);
CREATE INDEX disputes_agent ON disputes(agent_ref, opened_at);

-- "Should not fire" examples for a rule, from accepted disputes (redacted evidence).
CREATE TABLE rule_examples (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    text TEXT NOT NULL,
    channel TEXT NOT NULL,
    dispute_id TEXT REFERENCES disputes(id) ON DELETE SET NULL,
    added_by TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rule_examples_rule ON rule_examples(rule, at);
