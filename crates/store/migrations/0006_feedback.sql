-- Customer feedback: one survey link per interaction, answered at most once.
-- Only the SHA-256 of a link's token is kept. agent_ref, team_ref and interaction_at are
-- copied from the interaction when the link is minted, so reports keep the team the
-- agent was on at the time. The comment is stored scrubbed (personal data masked).
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL UNIQUE REFERENCES interactions(id) ON DELETE CASCADE,
    agent_ref TEXT NOT NULL,
    team_ref TEXT,
    interaction_at BIGINT NOT NULL,
    token_hash {{BLOB}} NOT NULL UNIQUE,
    minted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    submitted_at BIGINT,
    csat BIGINT CHECK (csat BETWEEN 1 AND 5),
    nps BIGINT CHECK (nps BETWEEN 0 AND 10),
    comment TEXT,
    comment_flagged BOOLEAN NOT NULL DEFAULT {{FALSE}},
    CHECK (submitted_at IS NULL OR (csat IS NOT NULL AND nps IS NOT NULL))
);
CREATE INDEX feedback_interaction_at ON feedback(interaction_at);
CREATE INDEX feedback_agent ON feedback(agent_ref, interaction_at);
CREATE INDEX feedback_submitted ON feedback(submitted_at);
