-- Coaching sessions: a lead's feedback to an agent, tied to an interaction and one of
-- its scorecard items, with goals and dates, the agent's acknowledgement and comment.
-- The feedback, the goals' texts, the agent's comment and the follow-up notes are
-- personal data about an employee: each is sealed (purpose "coaching.text"). Who, when,
-- which interaction and item, the due dates and the outcomes are clear, so that lists
-- and follow-ups can be selected without opening anything.
CREATE TABLE coaching_sessions (
    id TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    lead TEXT NOT NULL,
    interaction TEXT,
    item TEXT,
    feedback {{BLOB}} NOT NULL,
    held_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    comment {{BLOB}},
    commented_at BIGINT
);
CREATE INDEX coaching_sessions_agent ON coaching_sessions(agent, held_at);
CREATE INDEX coaching_sessions_lead ON coaching_sessions(lead, held_at);

CREATE TABLE coaching_goals (
    session_id TEXT NOT NULL REFERENCES coaching_sessions(id) ON DELETE CASCADE,
    n BIGINT NOT NULL,
    goal {{BLOB}} NOT NULL,
    due_on TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('met', 'partly', 'not_met')),
    note {{BLOB}},
    followed_up_at BIGINT,
    PRIMARY KEY (session_id, n)
);
CREATE INDEX coaching_goals_due ON coaching_goals(due_on);

-- Upward feedback: agents rate their leads once per round (a calendar quarter).
-- Anonymity is kept as in the climate surveys, by what is NOT here: upward_ballots says
-- who rated which lead in a round and nothing else; upward_ratings has no rater, no
-- time and a random id, so nothing points from a ballot to a rating. Both are stored
--@sqlite
-- in primary-key order (WITHOUT ROWID), so neither a rowid nor the storage order
-- follows insertion order.
--@postgres
-- in insertion order with their transaction ids; closing a round rewrites both tables'
-- rows of the round in key order and vacuums them (store/src/coaching.rs), which erases
-- that order.
--@end
CREATE TABLE upward_ballots (
    round TEXT NOT NULL,
    lead TEXT NOT NULL,
    rater TEXT NOT NULL,
    PRIMARY KEY (round, lead, rater)
){{WITHOUT_ROWID}};

CREATE TABLE upward_ratings (
    round TEXT NOT NULL,
    lead TEXT NOT NULL,
    id TEXT NOT NULL,
    coaching BIGINT NOT NULL CHECK (coaching BETWEEN 1 AND 5),
    fairness BIGINT NOT NULL CHECK (fairness BETWEEN 1 AND 5),
    PRIMARY KEY (round, lead, id)
){{WITHOUT_ROWID}};

-- Rounds whose rows have been rewritten after they ended; only these are released.
CREATE TABLE upward_rounds (
    round TEXT PRIMARY KEY,
    closed_at BIGINT NOT NULL
);
