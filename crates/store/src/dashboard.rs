//! What the ethics-health dashboard reads: monthly totals of the stored interactions
//! (`interaction_monthly`), commitments closed per month, and hotline cases and
//! deadlines per month, and the ethics-program figures (attestation and training
//! coverage, corrective actions) as aggregate queries grouped by the position of each
//! timestamp among the month boundaries, so a page costs a few grouped scans whatever
//! the number of employees. The arithmetic is `righttrack_core::dashboard`.
//!
//! **Invariant:** `interaction_monthly` always equals what
//! [`Db::rebuild_interaction_monthly`] would compute from `interactions`: it is added to
//! in the transaction that stores a batch ([`monthly_deltas`], called by
//! `store_interactions`), rebuilt once after the migration that created it, and nothing
//! else writes it. A store test compares the two after ingestion.
//!
//! The dashboard never reads a transcript: every figure here is a count.

use crate::query::{Arg, Query};
use crate::{ms, on_pool, Db, Result};
use jiff::Timestamp;
use righttrack_core::dashboard::{
    capa_months, coverage_months, pos, AssignedGroup, CapaGroup, CapaMonth, CaseMonth,
    ClosedCommitments, CoverageMonth, DoneGroup, Pos, NEVER,
};
use righttrack_core::ids::UserId;
use righttrack_core::interactions::Prepared;
use serde::Serialize;
use std::collections::BTreeMap;

/// `interactions`: every stored interaction.
pub const INTERACTIONS: &str = "interactions";
/// `flagged`: needing a human look (a conduct or disclosure event, or a failed
/// critical item).
pub const FLAGGED: &str = "flagged";
/// `exposed`: interactions in which customer data was found (and redacted).
pub const EXPOSED: &str = "exposed";
/// `pii_spans`: pieces of customer data redacted.
pub const PII_SPANS: &str = "pii_spans";
/// `rule:<id>`: interactions in which the rule's event fired.
pub const RULE_PREFIX: &str = "rule:";

/// (month `YYYY-MM`, team as sent or `''`, metric) → value.
pub type Monthly = BTreeMap<(String, String, String), i64>;

/// The month (`YYYY-MM`, UTC) an instant falls in.
pub fn month_of(t: Timestamp) -> String {
    t.strftime("%Y-%m").to_string()
}

/// What storing these interactions adds to the monthly totals.
pub fn monthly_deltas<'a>(stored: impl IntoIterator<Item = &'a Prepared>) -> Monthly {
    let mut out = Monthly::new();
    for p in stored {
        let month = month_of(p.started_at);
        let team = p.team_ref.clone().unwrap_or_default();
        add(&mut out, &month, &team, INTERACTIONS, 1);
        add(&mut out, &month, &team, FLAGGED, i64::from(p.flagged));
        add(&mut out, &month, &team, EXPOSED, i64::from(p.pii_spans > 0));
        add(&mut out, &month, &team, PII_SPANS, p.pii_spans);
        for rule in p.rules.split(',').filter(|r| !r.is_empty()) {
            add(&mut out, &month, &team, &format!("{RULE_PREFIX}{rule}"), 1);
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

fn add(m: &mut Monthly, month: &str, team: &str, metric: &str, v: i64) {
    if v != 0 {
        *m.entry((month.to_owned(), team.to_owned(), metric.to_owned()))
            .or_default() += v;
    }
}

/// One row of `interaction_monthly`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonthlyRow {
    pub month: String,
    pub team_ref: String,
    pub metric: String,
    pub value: i64,
}

impl Db {
    /// Users not disabled: the "employees" of per-100 rates.
    pub async fn active_headcount(&self) -> Result<u64> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE disabled = $1",
            false,
        );
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The monthly totals for months `from..=to` (`YYYY-MM`), all teams.
    pub async fn interaction_monthly(&self, from: &str, to: &str) -> Result<Vec<MonthlyRow>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT month, team_ref, metric, value FROM interaction_monthly \
             WHERE month >= $1 AND month <= $2 ORDER BY month, team_ref, metric",
            from,
            to,
        ))
    }

    /// Recomputes `interaction_monthly` from the stored interactions, in one
    /// transaction. Reads the interactions in pages, so memory stays bounded by the
    /// number of (month, team, metric) rows, not by the interactions.
    pub async fn rebuild_interaction_monthly(&self) -> Result<()> {
        const PAGE: i64 = 5_000;
        let mut totals = Monthly::new();
        let mut after = String::new();
        loop {
            let rows: Vec<(String, i64, Option<String>, bool, i64, String)> = fetch!(
                self,
                fetch_all,
                "SELECT id, started_at, team_ref, flagged, pii_spans, rules FROM interactions \
                     WHERE id > $1 ORDER BY id LIMIT $2",
                &after,
                PAGE,
            );
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            for (_, started, team, flagged, pii, rules) in &rows {
                let month = month_of(crate::from_ms(*started));
                let team = team.clone().unwrap_or_default();
                add(&mut totals, &month, &team, INTERACTIONS, 1);
                add(&mut totals, &month, &team, FLAGGED, i64::from(*flagged));
                add(&mut totals, &month, &team, EXPOSED, i64::from(*pii > 0));
                add(&mut totals, &month, &team, PII_SPANS, *pii);
                for rule in rules.split(',').filter(|r| !r.is_empty()) {
                    add(
                        &mut totals,
                        &month,
                        &team,
                        &format!("{RULE_PREFIX}{rule}"),
                        1,
                    );
                }
            }
        }
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin().await?;
                execute!(&mut *tx, "DELETE FROM interaction_monthly");
                for ((month, team, metric), value) in &totals {
                    execute!(
                        &mut *tx,
                        "INSERT INTO interaction_monthly (month, team_ref, metric, value) VALUES ($1, $2, $3, $4)",
                        month,
                        team,
                        metric,
                        value,
                    );
                }
                tx.commit().await?;
                Ok::<_, crate::StoreError>(())
            }
            .await
        })
    }

    /// Commitments closed in each period `[bounds[i], bounds[i + 1])`, kept and broken.
    /// Each period is one range count on the `(closed_at, status)` index.
    pub async fn commitments_closed(&self, bounds: &[Timestamp]) -> Result<Vec<ClosedCommitments>> {
        let mut out = Vec::with_capacity(bounds.len().saturating_sub(1));
        for w in bounds.windows(2) {
            let rows: Vec<(String, i64)> = fetch!(
                self,
                fetch_all,
                "SELECT status, CAST(COUNT(*) AS BIGINT) FROM commitments \
                 WHERE closed_at >= $1 AND closed_at < $2 GROUP BY status",
                ms(w[0]),
                ms(w[1]),
            );
            let mut c = ClosedCommitments::default();
            for (status, n) in rows {
                match status.as_str() {
                    "kept" => c.kept = n,
                    "broken" => c.broken = n,
                    _ => {}
                }
            }
            out.push(c);
        }
        Ok(out)
    }

    /// Hotline cases per period `[bounds[i], bounds[i + 1])`: submitted (and anonymous)
    /// by submission instant; decided and closed by closing instant; deadlines already
    /// due by due instant. As in the hotline analytics (`speakup_stats`), a live case
    /// counts only for a viewer its key is wrapped for, so a person excluded from a case
    /// by a conflict of interest does not learn of it from a count; destroyed cases'
    /// statistics count for everyone. No content is read.
    pub async fn cases_by_period(
        &self,
        viewer: UserId,
        bounds: &[Timestamp],
        now: Timestamp,
    ) -> Result<Vec<CaseMonth>> {
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Ok(Vec::new());
        };
        // (anonymous, status, submitted_at, closed_at)
        type Row = (bool, String, i64, Option<i64>);
        let mut rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT c.anonymous, c.status, c.submitted_at, c.closed_at \
             FROM speakup_cases c JOIN speakup_wraps w ON w.case_id = c.id \
             WHERE w.user_id = $3 AND ((c.submitted_at >= $1 AND c.submitted_at < $2) \
             OR (c.closed_at >= $1 AND c.closed_at < $2))",
            ms(*first),
            ms(*last),
            viewer.to_string(),
        );
        let gone: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT anonymous, final_status, submitted_at, closed_at FROM speakup_stats \
             WHERE (submitted_at >= $1 AND submitted_at < $2) OR (closed_at >= $1 AND closed_at < $2)",
            ms(*first),
            ms(*last),
        );
        rows.extend(gone);
        let bounds_ms: Vec<i64> = bounds.iter().map(|b| ms(*b)).collect();
        let period = |t: i64| bounds_ms.windows(2).position(|w| t >= w[0] && t < w[1]);
        let mut out = vec![CaseMonth::default(); bounds.len().saturating_sub(1)];
        for (anonymous, status, submitted, closed) in rows {
            if let Some(i) = period(submitted) {
                out[i].submitted += 1;
                out[i].anonymous += i64::from(anonymous);
            }
            if let Some(i) = closed.and_then(period) {
                let c = &mut out[i];
                c.closed += 1;
                c.closed_days_sum +=
                    (closed.unwrap_or(submitted) - submitted) as f64 / 86_400_000.0;
                match status.as_str() {
                    "substantiated" => c.substantiated += 1,
                    "unsubstantiated" => c.unsubstantiated += 1,
                    _ => {}
                }
            }
        }
        // Deadlines by due instant, only those already due: (due_at, met_at).
        let clocks: Vec<(i64, Option<i64>)> = fetch!(
            self,
            fetch_all,
            "SELECT k.due_at, k.met_at FROM speakup_clocks k \
             JOIN speakup_wraps w ON w.case_id = k.case_id \
             WHERE w.user_id = $4 AND k.due_at >= $1 AND k.due_at < $2 AND k.due_at <= $3",
            ms(*first),
            ms(*last),
            ms(now),
            viewer.to_string(),
        );
        for (due, met) in clocks {
            if let Some(i) = period(due) {
                out[i].deadlines_due += 1;
                out[i].deadlines_met += i64::from(met.is_some_and(|m| m <= due));
            }
        }
        Ok(out)
    }
}

/// `CAST(CASE WHEN col IS NULL THEN NEVER WHEN col < $1 THEN 0 … ELSE n END AS BIGINT)`:
/// the [`Pos`] of `col` among the bounds bound as `$1..=$n` (see
/// `core::dashboard::pos`, which computes the same in Rust).
fn pos_sql(col: &str, n: usize) -> String {
    let mut s = format!("CAST(CASE WHEN {col} IS NULL THEN {NEVER}");
    for i in 0..n {
        s.push_str(&format!(" WHEN {col} < ${} THEN {i}", i + 1));
    }
    s.push_str(&format!(" ELSE {n} END AS BIGINT)"));
    s
}

/// The people whose assignments (`a.user_id`) count: not disabled, and in the team
/// named `team` when one is given (bound as `$n+1`). A set test, not a join, so the
/// per-row cost is a lookup in a small in-memory set of the disabled (or the team).
fn people_sql(n: usize, team: Option<&str>) -> String {
    match team {
        None => "a.user_id NOT IN (SELECT id FROM users WHERE disabled = TRUE)".into(),
        Some(_) => format!(
            "a.user_id IN (SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id \
             WHERE u.disabled = FALSE AND t.name = ${})",
            n + 1
        ),
    }
}

/// A query over the month `bounds` (`$1` … `$n`, read by [`pos_sql`]) and the `team`
/// [`people_sql`] names as `$n+1`; its text is set by the caller.
fn bounds_query(bounds: &[i64], team: Option<&str>) -> Query {
    let mut q = Query::bound("", bounds.iter().map(|b| Arg::from(*b)));
    if let Some(t) = team {
        q.arg(t);
    }
    q
}

/// Assignments of courses not archived.
const COURSES_SQL: &str =
    "a.course_id NOT IN (SELECT id FROM training_courses WHERE archived = TRUE)";

impl Db {
    /// Policy attestation coverage as it stood at each month's end: `bounds` are the
    /// first month's start and each month's end (the last one: now). Grouped in SQL by
    /// the positions of assignment, due date and attestation, per cycle; a cycle counts
    /// in the months it was its policy's latest published material version and the
    /// policy was not retired. Only people not disabled today, of `team` if given.
    pub async fn attestation_coverage(
        &self,
        bounds: &[Timestamp],
        team: Option<&str>,
    ) -> Result<Vec<CoverageMonth>> {
        let b: Vec<i64> = bounds.iter().map(|t| ms(*t)).collect();
        let n = b.len();
        // (version, policy, published_at, retired_at) of every published material version.
        let versions: Vec<(String, String, i64, Option<i64>)> = fetch!(
            self,
            fetch_all,
            "SELECT v.id, v.policy_id, v.published_at, p.retired_at FROM policy_versions v \
                 JOIN policies p ON p.id = v.policy_id \
                 WHERE v.kind = 'material' AND v.published_at IS NOT NULL ORDER BY v.policy_id, v.published_at",
        );
        let mut window: BTreeMap<&str, (Pos, Pos)> = BTreeMap::new();
        for (i, (id, policy, published, retired)) in versions.iter().enumerate() {
            let next = versions
                .get(i + 1)
                .filter(|v| &v.1 == policy)
                .map(|v| pos(&b, Some(v.2)))
                .unwrap_or(NEVER);
            let retired = pos(&b, *retired);
            window.insert(id, (pos(&b, Some(*published)), next.min(retired)));
        }
        // Only cycles that were current at some month's end shown: older cycles' rows
        // (kept as evidence) are not read.
        let shown = n.saturating_sub(1) as Pos;
        let live: Vec<&str> = window
            .iter()
            .filter(|(_, (from, until))| *from <= shown && *until > 1)
            .map(|(id, _)| *id)
            .collect();
        if live.is_empty() {
            return Ok(vec![CoverageMonth::default(); n.saturating_sub(1)]);
        }
        let mut q = bounds_query(&b, team);
        let list = q.list(live.iter().copied());
        q.sql = format!(
            "SELECT a.version_id, {}, {}, {}, CAST(COUNT(*) AS BIGINT) FROM policy_assignments a \
             LEFT JOIN policy_attestations t ON t.cycle_version_id = a.version_id AND t.user_id = a.user_id \
             WHERE a.version_id IN ({}) AND {} GROUP BY 1, 2, 3, 4",
            pos_sql("a.assigned_at", n),
            pos_sql("a.due_at", n),
            pos_sql("t.attested_at", n),
            list,
            people_sql(n, team),
        );
        let rows: Vec<(String, Pos, Pos, Pos, i64)> = fetch_query!(self, fetch_all, q);
        let mut assigned = Vec::new();
        let mut done = Vec::new();
        for (version, a, due, attested, people) in rows {
            let Some(&(counts_from, counts_until)) = window.get(version.as_str()) else {
                continue;
            };
            let g = AssignedGroup {
                counts_from,
                counts_until,
                assigned: a,
                due,
                people,
            };
            assigned.push(g);
            if attested != NEVER {
                done.push(DoneGroup {
                    of: g,
                    from: attested,
                    until: NEVER,
                });
            }
        }
        Ok(coverage_months(n.saturating_sub(1), &assigned, &done))
    }

    /// Training coverage as it stood at each month's end (`bounds` as for
    /// [`Db::attestation_coverage`]). Each completion counts from its completion until
    /// its expiry or the person's next completion of the course, whichever is first, so
    /// one assignment is done at most once in a month; grouped in SQL by positions.
    /// Archived courses and people disabled today are left out; `team` narrows.
    pub async fn training_coverage(
        &self,
        bounds: &[Timestamp],
        team: Option<&str>,
    ) -> Result<Vec<CoverageMonth>> {
        let b: Vec<i64> = bounds.iter().map(|t| ms(*t)).collect();
        let n = b.len();
        // Every assignment once, then every completion period joined to its assignment
        // (driven from the completions, so the assignment is a primary-key lookup).
        let assigned_sql = format!(
            "SELECT {}, {}, CAST(COUNT(*) AS BIGINT) FROM training_assignments a \
             WHERE {COURSES_SQL} AND {} GROUP BY 1, 2",
            pos_sql("a.assigned_at", n),
            pos_sql("a.due_at", n),
            people_sql(n, team),
        );
        let done_sql = format!(
            "SELECT {}, {}, {}, {}, CAST(COUNT(*) AS BIGINT) FROM \
             (SELECT course_id, user_id, completed_at, \
                 CASE WHEN next_at IS NOT NULL AND (expires_at IS NULL OR next_at < expires_at) THEN next_at ELSE expires_at END AS until_at \
               FROM (SELECT course_id, user_id, completed_at, expires_at, \
                 LEAD(completed_at) OVER (PARTITION BY course_id, user_id ORDER BY completed_at) AS next_at \
                 FROM training_completions) w) c \
             JOIN training_assignments a ON a.course_id = c.course_id AND a.user_id = c.user_id \
             WHERE {COURSES_SQL} AND {} GROUP BY 1, 2, 3, 4",
            pos_sql("a.assigned_at", n),
            pos_sql("a.due_at", n),
            pos_sql("c.completed_at", n),
            pos_sql("c.until_at", n),
            people_sql(n, team),
        );
        let mut q = bounds_query(&b, team);
        q.sql = assigned_sql;
        let assigned_rows: Vec<(Pos, Pos, i64)> = fetch_query!(self, fetch_all, q);
        q.sql = done_sql;
        let done_rows: Vec<(Pos, Pos, Pos, Pos, i64)> = fetch_query!(self, fetch_all, q);
        let group = |assigned, due, people| AssignedGroup {
            counts_from: 0,
            counts_until: NEVER,
            assigned,
            due,
            people,
        };
        let assigned: Vec<AssignedGroup> = assigned_rows
            .into_iter()
            .map(|(a, due, people)| group(a, due, people))
            .collect();
        let done: Vec<DoneGroup> = done_rows
            .into_iter()
            .map(|(a, due, from, until, people)| DoneGroup {
                of: group(a, due, people),
                from,
                until,
            })
            .collect();
        Ok(coverage_months(n.saturating_sub(1), &assigned, &done))
    }

    /// Corrective actions per month (`bounds` as for [`Db::attestation_coverage`]):
    /// grouped in SQL by the positions of raising, due date, leaving the active states
    /// (the first move to verified or closed) and closing, and by whether it was raised
    /// as recurring.
    pub async fn capa_by_month(&self, bounds: &[Timestamp]) -> Result<Vec<CapaMonth>> {
        let b: Vec<i64> = bounds.iter().map(|t| ms(*t)).collect();
        let n = b.len();
        let sql = format!(
            "SELECT {}, {}, {}, {}, CAST(CASE WHEN c.recurring_of IS NULL THEN 0 ELSE 1 END AS BIGINT), \
             CAST(COUNT(*) AS BIGINT) FROM (SELECT x.created_at, x.due_at, x.closed_at, x.recurring_of, \
               (SELECT MIN(e.at) FROM capa_events e WHERE e.capa_id = x.id AND e.to_state IN ('verified', 'closed')) AS done_at \
               FROM capas x) c GROUP BY 1, 2, 3, 4, 5",
            pos_sql("c.created_at", n),
            pos_sql("c.due_at", n),
            pos_sql("c.done_at", n),
            pos_sql("c.closed_at", n),
        );
        let mut q = bounds_query(&b, None);
        q.sql = sql;
        let rows: Vec<(Pos, Pos, Pos, Pos, i64, i64)> = fetch_query!(self, fetch_all, q);
        let groups: Vec<CapaGroup> = rows
            .into_iter()
            .map(|(created, due, done, closed, recurring, count)| CapaGroup {
                created,
                due,
                done,
                closed,
                recurring: recurring == 1,
                count,
            })
            .collect();
        Ok(capa_months(n.saturating_sub(1), &groups))
    }
}
