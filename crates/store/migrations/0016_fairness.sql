-- Fairness analytics and training effectiveness read per-agent monthly totals, never
-- the interactions themselves (a page must answer in well under 300 ms with a million
-- interactions). store_interactions adds to these rows in the transaction that stores
-- the batch; a score override or an accepted dispute adjusts the score columns in its
-- own transaction; Db::rebuild_agent_monthly recomputes both tables from the
-- interactions (run once after this migration, when interactions already exist).

CREATE TABLE agent_monthly (
    -- YYYY-MM of started_at, UTC, and that month's bounds (ms) for range joins
    month TEXT NOT NULL,
    month_start BIGINT NOT NULL,
    month_end BIGINT NOT NULL,
    agent_ref TEXT NOT NULL,
    -- as sent ('' when none)
    -- (sites are the team's: teams.name = team_ref, teams.site_id)
    team_ref TEXT NOT NULL,
    interactions BIGINT NOT NULL,
    -- the customer was hostile (rule context.hostile_customer)
    difficult BIGINT NOT NULL,
    -- started before 08:00 or from 20:00 local time, or on a weekend
    unsocial BIGINT NOT NULL,
    -- sums of the QA score in whole percent, of its square, and of scores >= 80 %
    score_sum BIGINT NOT NULL,
    score_sq BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    PRIMARY KEY (month, agent_ref, team_ref)
);
CREATE INDEX agent_monthly_agent ON agent_monthly(agent_ref, month);

-- Interactions of an agent in a month where a rule's event fired (once per interaction).
CREATE TABLE agent_rule_monthly (
    month TEXT NOT NULL,
    month_start BIGINT NOT NULL,
    month_end BIGINT NOT NULL,
    agent_ref TEXT NOT NULL,
    rule TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (month, agent_ref, rule)
);
CREATE INDEX agent_rule_monthly_agent ON agent_rule_monthly(agent_ref, month);
CREATE INDEX score_overrides_by_user ON score_overrides(by_user);
