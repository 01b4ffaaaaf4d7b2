-- Training effectiveness compares trained with not-yet-trained agents month by month.
-- Reading that from the per-rule table (agent_rule_monthly) took about 2 s with a
-- million interactions, so agent_monthly gains the number of violation rules fired
-- (core::fairness::violations: the default pack's conduct. and disclosure. rules).
-- Both tables are derived: they are emptied here, and Db::migrate rebuilds them from
-- the interactions right after (Db::rebuild_agent_monthly).

DROP TABLE agent_monthly;
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
    -- violation rules fired, summed over the interactions
    violations BIGINT NOT NULL,
    PRIMARY KEY (month, agent_ref, team_ref)
){{WITHOUT_ROWID}};
-- Each agent's months by team, covering the fairness page's grouped read (no sort).
CREATE INDEX agent_monthly_totals ON agent_monthly(agent_ref, team_ref, month, interactions, difficult, unsocial, score_sum, score_sq, passed);
-- An agent's months: covers the before/after read of training effectiveness.
CREATE INDEX agent_monthly_agent ON agent_monthly(agent_ref, month_start, interactions);

DELETE FROM agent_rule_monthly;
DROP INDEX agent_rule_monthly_agent;
CREATE INDEX agent_rule_monthly_agent ON agent_rule_monthly(agent_ref, month_start, rule, value);
