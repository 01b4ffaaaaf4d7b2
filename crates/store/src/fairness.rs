//! What fairness analytics and training effectiveness read: per-agent monthly totals
//! (`agent_monthly`: interactions, difficult contacts, unsocial hours, QA score sums;
//! `agent_rule_monthly`: interactions where a rule fired), reviews by evaluator, and
//! dispute outcomes by evaluator. The arithmetic is `righttrack_core::fairness`.
//!
//! **Invariant:** the two tables always equal what [`Db::rebuild_agent_monthly`] would
//! compute from `interactions`: storing a batch adds to them ([`agent_deltas`], in
//! `store_interactions`' transaction), a score change adjusts the score columns in the
//! transaction that changes the score (`adjust_agent_score!`), and they are rebuilt
//! once after the migration that created them. A store test compares the two after
//! ingestion and overrides.
//!
//! Nothing here reads a transcript except the rebuild, which reads only the
//! interaction's `timezone` field.

use crate::dashboard::month_of;
use crate::query::Query;
use crate::{from_ms, ms, on_pool, Db, Result};
use jiff::{Timestamp, ToSpan};
use righttrack_core::fairness::{score_pct, AgentTotal, Moments, DIFFICULT_RULE, PASS_PCT};
use righttrack_core::interactions::Prepared;
use serde::Serialize;
use std::collections::BTreeMap;

/// One `agent_monthly` row's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgentCounts {
    pub interactions: i64,
    pub difficult: i64,
    pub unsocial: i64,
    pub score_sum: i64,
    pub score_sq: i64,
    pub passed: i64,
    /// Violation rules fired (`core::fairness::violations`), for training effectiveness.
    pub violations: i64,
}

impl AgentCounts {
    fn add(&mut self, o: &AgentCounts) {
        self.interactions += o.interactions;
        self.difficult += o.difficult;
        self.unsocial += o.unsocial;
        self.score_sum += o.score_sum;
        self.score_sq += o.score_sq;
        self.passed += o.passed;
        self.violations += o.violations;
    }

    fn of(score: i64, score_max: i64, rules: &str, unsocial: bool) -> AgentCounts {
        let pct = score_pct(score, score_max);
        AgentCounts {
            interactions: 1,
            difficult: i64::from(rules.contains(&format!(",{DIFFICULT_RULE},"))),
            unsocial: i64::from(unsocial),
            score_sum: pct,
            score_sq: pct * pct,
            passed: i64::from(pct >= PASS_PCT),
            violations: righttrack_core::fairness::violations(rules),
        }
    }

    pub fn moments(&self) -> Moments {
        Moments {
            n: self.interactions,
            sum: self.score_sum,
            sq: self.score_sq,
            passed: self.passed,
        }
    }
}

/// (month, agent, team) → counters.
pub type AgentMonthly = BTreeMap<(String, String, String), AgentCounts>;
/// (month, agent, rule) → interactions where the rule fired.
pub type AgentRuleMonthly = BTreeMap<(String, String, String), i64>;

/// The first instants of the month holding `t` and of the next one (UTC).
pub fn month_bounds(t: Timestamp) -> (Timestamp, Timestamp) {
    let z = t.to_zoned(jiff::tz::TimeZone::UTC);
    let first = z.date().first_of_month();
    let at = |d: jiff::civil::Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(t)
    };
    let next = first.checked_add(1.month()).unwrap_or(first);
    (at(first), at(next))
}

fn add_one(
    agents: &mut AgentMonthly,
    rules: &mut AgentRuleMonthly,
    started: Timestamp,
    agent: &str,
    team: &str,
    fired: &str,
    counts: AgentCounts,
) {
    let month = month_of(started);
    agents
        .entry((month.clone(), agent.to_owned(), team.to_owned()))
        .or_default()
        .add(&counts);
    for rule in fired.split(',').filter(|r| !r.is_empty()) {
        *rules
            .entry((month.clone(), agent.to_owned(), rule.to_owned()))
            .or_default() += 1;
    }
}

/// What storing these interactions adds to the per-agent totals.
pub fn agent_deltas<'a>(
    stored: impl IntoIterator<Item = &'a Prepared>,
) -> (AgentMonthly, AgentRuleMonthly) {
    let (mut agents, mut rules) = (AgentMonthly::new(), AgentRuleMonthly::new());
    for p in stored {
        add_one(
            &mut agents,
            &mut rules,
            p.started_at,
            &p.agent_ref,
            p.team_ref.as_deref().unwrap_or_default(),
            &p.rules,
            AgentCounts::of(p.score, p.score_max, &p.rules, p.unsocial),
        );
    }
    (agents, rules)
}

/// Adds `agents` and `rules` to the tables, inside the transaction `$tx`.
macro_rules! add_agent_monthly {
    ($tx:expr, $agents:expr, $rules:expr) => {
        for ((month, agent, team), c) in $agents {
            let (start, end) = $crate::fairness::month_bounds_of(month);
            sqlx::query(
                "INSERT INTO agent_monthly (month, month_start, month_end, agent_ref, team_ref, interactions, difficult, unsocial, score_sum, score_sq, passed, violations) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (month, agent_ref, team_ref) DO UPDATE SET \
                 interactions = agent_monthly.interactions + excluded.interactions, \
                 difficult = agent_monthly.difficult + excluded.difficult, \
                 unsocial = agent_monthly.unsocial + excluded.unsocial, \
                 score_sum = agent_monthly.score_sum + excluded.score_sum, \
                 score_sq = agent_monthly.score_sq + excluded.score_sq, \
                 passed = agent_monthly.passed + excluded.passed, \
                 violations = agent_monthly.violations + excluded.violations",
            )
            .bind(month)
            .bind(start)
            .bind(end)
            .bind(agent)
            .bind(team)
            .bind(c.interactions)
            .bind(c.difficult)
            .bind(c.unsocial)
            .bind(c.score_sum)
            .bind(c.score_sq)
            .bind(c.passed)
            .bind(c.violations)
            .execute(&mut *$tx)
            .await?;
        }
        for ((month, agent, rule), v) in $rules {
            let (start, end) = $crate::fairness::month_bounds_of(month);
            sqlx::query(
                "INSERT INTO agent_rule_monthly (month, month_start, month_end, agent_ref, rule, value) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (month, agent_ref, rule) DO UPDATE SET value = agent_rule_monthly.value + excluded.value",
            )
            .bind(month)
            .bind(start)
            .bind(end)
            .bind(agent)
            .bind(rule)
            .bind(v)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use add_agent_monthly;

/// Moves the QA score columns of interaction `$iid` (internal id) to `$new` points,
/// inside the transaction `$tx`, before the interaction's own score is updated.
macro_rules! adjust_agent_score {
    ($tx:expr, $iid:expr, $new:expr) => {{
        let row: Option<(String, Option<String>, i64, i64, i64)> = sqlx::query_as(
            "SELECT agent_ref, team_ref, started_at, score, score_max FROM interactions WHERE id = $1",
        )
        .bind($iid)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((agent, team, started, old, max)) = row {
            let d = $crate::fairness::score_change(old, $new, max);
            sqlx::query(
                "UPDATE agent_monthly SET score_sum = score_sum + $1, score_sq = score_sq + $2, passed = passed + $3 \
                 WHERE month = $4 AND agent_ref = $5 AND team_ref = $6",
            )
            .bind(d.0)
            .bind(d.1)
            .bind(d.2)
            .bind($crate::dashboard::month_of($crate::from_ms(started)))
            .bind(agent)
            .bind(team.unwrap_or_default())
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use adjust_agent_score;

/// The bounds (ms) of a `YYYY-MM` month.
pub(crate) fn month_bounds_of(month: &str) -> (i64, i64) {
    let t = format!("{month}-01T00:00:00Z")
        .parse::<Timestamp>()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let (a, b) = month_bounds(t);
    (ms(a), ms(b))
}

/// How the score columns move when one interaction's score goes from `old` to `new`:
/// (sum, sum of squares, passed).
pub(crate) fn score_change(old: i64, new: i64, max: i64) -> (i64, i64, i64) {
    let (a, b) = (score_pct(old, max), score_pct(new, max));
    (
        b - a,
        b * b - a * a,
        i64::from(b >= PASS_PCT) - i64::from(a >= PASS_PCT),
    )
}

/// One agent-month row as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgentMonthRow {
    pub month: String,
    pub agent_ref: String,
    pub team_ref: String,
    pub interactions: i64,
    pub difficult: i64,
    pub unsocial: i64,
    pub score_sum: i64,
    pub score_sq: i64,
    pub passed: i64,
    pub violations: i64,
}

/// A review an evaluator made: the interaction's scores before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub evaluator: String,
    pub ext_id: String,
    /// The engine's points (from the stored findings) and the current points.
    pub engine_score: i64,
    pub score: i64,
    pub score_max: i64,
    pub at: Timestamp,
}

/// Disputes resolved per evaluator (`''` = the engine's own scoring).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DisputeOutcomes {
    pub evaluator: String,
    pub resolved: i64,
    pub accepted: i64,
}

/// Before and after totals of one course's completions, per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BeforeAfter {
    pub agents: i64,
    pub interactions_before: i64,
    pub interactions_after: i64,
    /// rule → (before, after)
    pub rules: BTreeMap<String, (i64, i64)>,
}

/// One month of the trained / not-yet-trained comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CohortMonth {
    pub month: String,
    pub trained_agents: i64,
    pub untrained_agents: i64,
    pub trained_interactions: i64,
    pub untrained_interactions: i64,
    /// Violation rules fired (`core::fairness::violations`).
    pub trained_violations: i64,
    pub untrained_violations: i64,
}

impl Db {
    /// The per-agent rows of months `from..=to` (`YYYY-MM`), optionally one agent's.
    pub async fn agent_monthly(
        &self,
        from: &str,
        to: &str,
        agent: Option<&str>,
    ) -> Result<Vec<AgentMonthRow>> {
        const COLUMNS: &str = "SELECT month, agent_ref, team_ref, interactions, difficult, unsocial, score_sum, score_sq, passed, violations FROM agent_monthly";
        // Two statements rather than `($3 IS NULL OR agent_ref = $3)`, which keeps
        // SQLite from using the agent's index.
        Ok(match agent {
            Some(agent) => fetch!(
                self,
                fetch_all,
                &format!(
                    "{COLUMNS} WHERE agent_ref = $1 AND month >= $2 AND month <= $3 ORDER BY month, agent_ref, team_ref"
                ),
                agent,
                from,
                to,
            ),
            None => fetch!(
                self,
                fetch_all,
                &format!(
                    "{COLUMNS} WHERE month >= $1 AND month <= $2 ORDER BY month, agent_ref, team_ref"
                ),
                from,
                to,
            ),
        })
    }

    /// Each agent's totals over months `from..=to`, per team they worked in, summed in
    /// the database: one read of the per-agent table, in the order of its covering
    /// index (`agent_monthly_totals`), serves the whole fairness page (workloads, scores
    /// by team and site, agents' means). Sorted by agent, team.
    pub async fn agent_totals(&self, from: &str, to: &str) -> Result<Vec<AgentTotal>> {
        self.totals_where("", from, to, None).await
    }

    /// [`Db::agent_totals`] of the agents who worked in `team` during the period, with
    /// all their teams' rows (so an agent's main team is decided as on the fairness
    /// page): what one agent's numbers compare against.
    pub async fn agent_totals_in_team(
        &self,
        from: &str,
        to: &str,
        team: &str,
    ) -> Result<Vec<AgentTotal>> {
        self.totals_where(
            "AND agent_ref IN (SELECT agent_ref FROM agent_monthly WHERE month >= $1 AND month <= $2 AND team_ref = $3)",
            from,
            to,
            Some(team),
        )
        .await
    }

    async fn totals_where(
        &self,
        and: &str,
        from: &str,
        to: &str,
        team: Option<&str>,
    ) -> Result<Vec<AgentTotal>> {
        type Row = (String, String, i64, i64, i64, i64, i64, i64);
        let sql = format!(
            "SELECT agent_ref, team_ref, CAST(SUM(interactions) AS BIGINT), CAST(SUM(difficult) AS BIGINT), \
             CAST(SUM(unsocial) AS BIGINT), CAST(SUM(score_sum) AS BIGINT), CAST(SUM(score_sq) AS BIGINT), \
             CAST(SUM(passed) AS BIGINT) \
             FROM agent_monthly WHERE month >= $1 AND month <= $2 {and} GROUP BY agent_ref, team_ref ORDER BY agent_ref, team_ref"
        );
        let mut q = Query::bound(sql, [from.into(), to.into()]);
        if let Some(team) = team {
            q.arg(team);
        }
        let rows: Vec<Row> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(
                |(agent, team, n, difficult, unsocial, sum, sq, passed)| AgentTotal {
                    agent,
                    team,
                    difficult,
                    unsocial,
                    scores: Moments { n, sum, sq, passed },
                },
            )
            .collect())
    }

    /// The site of each directory team, by team name (interactions name their team).
    pub async fn team_sites(&self) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = fetch!(
            self,
            fetch_all,
            "SELECT t.name, s.name FROM teams t JOIN sites s ON s.id = t.site_id",
        );
        Ok(rows.into_iter().collect())
    }

    /// Interactions reviewed by a person since `from`: each interaction whose score an
    /// override changed, attributed to the evaluator of its latest override. Reviews are
    /// human actions, so there are few of them; the engine's score is read from each
    /// one's stored findings.
    pub async fn reviews_since(&self, from: Timestamp) -> Result<Vec<Review>> {
        let rows: Vec<(String, String, String, i64, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT o.by_user, i.ext_id, i.findings, i.score, i.score_max, o.at FROM score_overrides o \
             JOIN interactions i ON i.id = o.interaction_id \
             WHERE o.at >= $1 AND o.at = (SELECT MAX(o2.at) FROM score_overrides o2 WHERE o2.interaction_id = o.interaction_id) \
             ORDER BY o.at, i.ext_id",
            ms(from),
        );
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(rows.len());
        for (evaluator, ext_id, findings, score, score_max, at) in rows {
            if !seen.insert(ext_id.clone()) {
                continue;
            }
            // Only the score is read: serde skips the rest without building it.
            #[derive(serde::Deserialize)]
            struct Engine {
                score: EngineScore,
            }
            #[derive(serde::Deserialize)]
            struct EngineScore {
                value: i64,
            }
            let engine_score =
                serde_json::from_str::<Engine>(&findings).map_or(score, |f| f.score.value);
            out.push(Review {
                evaluator,
                ext_id,
                engine_score,
                score,
                score_max,
                at: from_ms(at),
            });
        }
        Ok(out)
    }

    /// Disputes resolved since `from`, per evaluator of the disputed score.
    pub async fn dispute_outcomes_since(&self, from: Timestamp) -> Result<Vec<DisputeOutcomes>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT COALESCE(evaluator, '') AS evaluator, CAST(COUNT(*) AS BIGINT) AS resolved, \
             CAST(SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END) AS BIGINT) AS accepted \
             FROM disputes WHERE status = 'resolved' AND resolved_at >= $1 GROUP BY COALESCE(evaluator, '') ORDER BY 1",
            ms(from),
        ))
    }

    /// Violations before and after each agent's first completion of `course`: the
    /// `months` whole calendar months ending before the month of completion, against
    /// the `months` whole months starting after it (the month of completion itself is
    /// left out, being partly both). Only completions whose "after" months have all
    /// ended by `now` count, so both sides cover the same span.
    pub async fn training_before_after(
        &self,
        course: &str,
        months: i64,
        now: Timestamp,
    ) -> Result<BeforeAfter> {
        let span = months.max(1);
        let firsts: Vec<(String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT u.username, MIN(c.completed_at) FROM training_completions c JOIN users u ON u.id = c.user_id \
             WHERE c.course_id = $1 GROUP BY u.username ORDER BY u.username",
            course,
        );
        let mut out = BeforeAfter::default();
        // Agents are grouped by month of completion: one pair of range queries per
        // month, not per agent.
        let mut by_month: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (agent, done) in firsts {
            let (_, end) = month_bounds(from_ms(done));
            let Ok(after_end) = end
                .to_zoned(jiff::tz::TimeZone::UTC)
                .checked_add(span.months())
            else {
                continue;
            };
            if after_end.timestamp() > now {
                continue;
            }
            by_month
                .entry(month_of(from_ms(done)))
                .or_default()
                .push(agent);
        }
        for (month, agents) in by_month {
            let (start, end) = month_bounds_of(&month);
            let z = |t: i64, k: i64| -> i64 {
                from_ms(t)
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .checked_add(k.months())
                    .map(|z| ms(z.timestamp()))
                    .unwrap_or(t)
            };
            let (before_from, after_to) = (z(start, -span), z(end, span));
            out.agents += agents.len() as i64;
            for chunk in agents.chunks(500) {
                // The two reads take the same arguments.
                let mut q = Query::bound("", [start.into(), before_from.into(), after_to.into()]);
                let list = q.list(chunk);
                // Both sides are whole months starting in [before_from, after_to) other
                // than the month of completion; the indexes on (agent_ref, month_start)
                // cover these reads.
                q.sql = format!(
                    "SELECT CAST(SUM(CASE WHEN month_start < $1 THEN interactions ELSE 0 END) AS BIGINT), \
                     CAST(SUM(CASE WHEN month_start > $1 THEN interactions ELSE 0 END) AS BIGINT) \
                     FROM agent_monthly WHERE agent_ref IN ({list}) AND month_start >= $2 AND month_start < $3 \
                     AND month_start <> $1"
                );
                let totals: (Option<i64>, Option<i64>) = fetch_query!(self, fetch_one, q);
                out.interactions_before += totals.0.unwrap_or(0);
                out.interactions_after += totals.1.unwrap_or(0);
                q.sql = format!(
                    "SELECT rule, CAST(SUM(CASE WHEN month_start < $1 THEN value ELSE 0 END) AS BIGINT), \
                     CAST(SUM(CASE WHEN month_start > $1 THEN value ELSE 0 END) AS BIGINT) \
                     FROM agent_rule_monthly WHERE agent_ref IN ({list}) AND month_start >= $2 AND month_start < $3 \
                     AND month_start <> $1 GROUP BY rule"
                );
                let rules: Vec<(String, i64, i64)> = fetch_query!(self, fetch_all, q);
                for (rule, b, a) in rules {
                    let e = out.rules.entry(rule).or_default();
                    e.0 += b;
                    e.1 += a;
                }
            }
        }
        Ok(out)
    }

    /// Per month of `from..=to`: agents who had completed `course` before the month
    /// began against those who had not yet, with their interactions and violations.
    /// One grouped read of `agent_monthly` (its violations column), never the per-rule
    /// table.
    pub async fn training_cohorts(
        &self,
        course: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<CohortMonth>> {
        const FIRSTS: &str = "SELECT u.username AS agent, MIN(c.completed_at) AS done FROM training_completions c \
                              JOIN users u ON u.id = c.user_id WHERE c.course_id = $1 GROUP BY u.username";
        let totals: Vec<(String, bool, i64, i64, i64)> = fetch!(
            self,
            fetch_all,
            &format!(
            "SELECT a.month, (f.done IS NOT NULL AND f.done < a.month_start) AS trained, \
             CAST(COUNT(DISTINCT a.agent_ref) AS BIGINT), CAST(SUM(a.interactions) AS BIGINT), \
             CAST(SUM(a.violations) AS BIGINT) \
             FROM agent_monthly a LEFT JOIN ({FIRSTS}) f ON f.agent = a.agent_ref \
             WHERE a.month >= $2 AND a.month <= $3 GROUP BY a.month, (f.done IS NOT NULL AND f.done < a.month_start) ORDER BY a.month"
        ),
            course,
            from,
            to,
        );
        let mut by: BTreeMap<String, CohortMonth> = BTreeMap::new();
        for (month, trained, agents, n, violations) in totals {
            let m = by.entry(month.clone()).or_insert_with(|| CohortMonth {
                month,
                ..Default::default()
            });
            if trained {
                m.trained_agents += agents;
                m.trained_interactions += n;
                m.trained_violations += violations;
            } else {
                m.untrained_agents += agents;
                m.untrained_interactions += n;
                m.untrained_violations += violations;
            }
        }
        Ok(by.into_values().collect())
    }

    /// Recomputes both per-agent tables from the stored interactions, in one
    /// transaction, reading the interactions in pages.
    pub async fn rebuild_agent_monthly(&self) -> Result<()> {
        const PAGE: i64 = 2_000;
        let (mut agents, mut rules) = (AgentMonthly::new(), AgentRuleMonthly::new());
        let mut after = String::new();
        loop {
            type Row = (
                String,
                i64,
                String,
                Option<String>,
                i64,
                i64,
                String,
                String,
            );
            let rows: Vec<Row> = fetch!(
                self,
                fetch_all,
                "SELECT id, started_at, agent_ref, team_ref, score, score_max, rules, redacted FROM interactions \
                 WHERE id > $1 ORDER BY id LIMIT $2",
                &after,
                PAGE,
            );
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            for (_, started, agent, team, score, max, fired, redacted) in &rows {
                let tz = serde_json::from_str::<serde_json::Value>(redacted)
                    .ok()
                    .and_then(|v| v["timezone"].as_str().map(str::to_owned));
                let started = from_ms(*started);
                add_one(
                    &mut agents,
                    &mut rules,
                    started,
                    agent,
                    team.as_deref().unwrap_or_default(),
                    fired,
                    AgentCounts::of(
                        *score,
                        *max,
                        fired,
                        righttrack_core::fairness::is_unsocial(started, tz.as_deref()),
                    ),
                );
            }
        }
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin().await?;
                execute!(&mut *tx, "DELETE FROM agent_monthly");
                execute!(&mut *tx, "DELETE FROM agent_rule_monthly");
                add_agent_monthly!(tx, &agents, &rules);
                tx.commit().await?;
                Ok::<_, crate::StoreError>(())
            }
            .await
        })
    }
}

impl Db {
    /// For one agent's interactions started since `from`: ext id → the evaluator of
    /// the latest override (interactions nobody reviewed are absent).
    pub async fn last_reviewers(
        &self,
        agent: &str,
        from: Timestamp,
    ) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = fetch!(
            self,
            fetch_all,
            "SELECT i.ext_id, o.by_user FROM score_overrides o JOIN interactions i ON i.id = o.interaction_id \
             WHERE i.agent_ref = $1 AND i.started_at >= $2 ORDER BY o.at, o.id",
            agent,
            ms(from),
        );
        Ok(rows.into_iter().collect())
    }
}
