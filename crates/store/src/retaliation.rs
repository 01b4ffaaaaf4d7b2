//! The measures of the retaliation watch, gathered from RightTrack's own data; the
//! comparison is `righttrack_core::retaliation`.
//!
//! For a watched person and the instant of their report (`since`):
//! - **QA scores**: interactions whose `agent_ref` is the person's username, their
//!   effective score (after overrides) as a per cent of the scorecard maximum; the
//!   baseline is the mean over the 90 days before `since`, each window the mean over
//!   `[since, end)`.
//! - **Disputes denied**: their disputes resolved as `upheld` (the score stands, the
//!   agent's dispute is denied) with `resolved_at` in the window.
//! - **Team changes**: entries of the audit trail with action [`TEAM_CHANGED`], target
//!   the user id and detail `{"from": team id or null, "to": team id or null}`
//!   ([`team_changed_detail`]).
//! - **Discipline**: the person's discipline decisions (`discipline_records`, subject
//!   = username) decided in the window and not rejected ([`Db::discipline_times`]).
//!
//! *Team history.* `users.team_id` holds only the current team. The team at report
//! time is therefore rebuilt from the current team by undoing, newest first, the
//! [`TEAM_CHANGED`] entries recorded since the report; without such entries it is the
//! current team, and nobody has changed team. The users page's "Move"
//! (`POST /admin/users/{id}/team`) audits every change as [`TEAM_CHANGED`] with
//! [`team_changed_detail`]; any other way to change a team must do the same, or the
//! watch will neither see the change nor find the right peers.
//!
//! Peers: users other than the person, not disabled (today: the flag is not
//! historical), created by `since`, whose team at `since` was the person's team then.
//! A person without a team at `since` has no peers.

use crate::directory::User;
use crate::query::Query;
use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::ids::{TeamId, UserId};
use righttrack_core::retaliation::{self, Person, Window, BASELINE_DAYS, WINDOW_DAYS};
use std::collections::BTreeMap;

pub use righttrack_core::retaliation::WindowResult;

/// The audit action of a change of a user's team.
pub const TEAM_CHANGED: &str = "user.team_changed";

/// The audit detail of a [`TEAM_CHANGED`] entry.
pub fn team_changed_detail(from: Option<TeamId>, to: Option<TeamId>) -> serde_json::Value {
    serde_json::json!({
        "from": from.map(|t| t.to_string()),
        "to": to.map(|t| t.to_string()),
    })
}

struct TeamChange {
    user: UserId,
    at: Timestamp,
    from: Option<TeamId>,
}

fn days(n: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(n) * 24)
}

impl Db {
    /// Team changes recorded at or after `since`, newest first.
    async fn team_changes_since(&self, since: Timestamp) -> Result<Vec<TeamChange>> {
        let mut out = Vec::new();
        for e in self.audit_by_action(TEAM_CHANGED, ms(since)).await? {
            let bad = |what: &str| {
                StoreError::Corrupt(format!("audit entry {} ({TEAM_CHANGED}): {what}", e.seq))
            };
            let user = UserId::parse(&e.entry.target).ok_or_else(|| bad("target"))?;
            let detail: serde_json::Value =
                serde_json::from_str(&e.entry.detail).map_err(|_| bad("detail"))?;
            let from = match detail.get("from") {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => Some(
                    v.as_str()
                        .and_then(TeamId::parse)
                        .ok_or_else(|| bad("detail.from"))?,
                ),
            };
            out.push(TeamChange {
                user,
                at: from_ms(e.entry.at_ms),
                from,
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Per agent: (interactions, sum of score per cent) started in `[from, to)`.
    async fn score_sums(
        &self,
        agents: &[&str],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<BTreeMap<String, (i64, f64)>> {
        if to <= from || agents.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut q = Query::bound("", [ms(from).into(), ms(to).into()]);
        let list = q.list(agents.iter().copied());
        q.sql = format!(
            "SELECT agent_ref, CAST(COUNT(*) AS BIGINT), \
             CAST(SUM(CAST(score AS DOUBLE PRECISION) * 100 / score_max) AS DOUBLE PRECISION) \
             FROM interactions WHERE score_max > 0 AND started_at >= $1 AND started_at < $2 \
             AND agent_ref IN ({list}) GROUP BY agent_ref"
        );
        let rows: Vec<(String, i64, f64)> = fetch_query!(self, fetch_all, q);
        Ok(rows.into_iter().map(|(a, n, s)| (a, (n, s))).collect())
    }

    /// Per agent: disputes denied (resolved `upheld`) in `[from, to)`.
    async fn denied_counts(
        &self,
        agents: &[&str],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<BTreeMap<String, i64>> {
        if to <= from || agents.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut q = Query::bound("", [ms(from).into(), ms(to).into()]);
        let list = q.list(agents.iter().copied());
        q.sql = format!(
            "SELECT agent_ref, CAST(COUNT(*) AS BIGINT) FROM disputes \
             WHERE status = 'resolved' AND outcome = 'upheld' AND resolved_at >= $1 AND resolved_at < $2 \
             AND agent_ref IN ({list}) GROUP BY agent_ref"
        );
        let rows: Vec<(String, i64)> = fetch_query!(self, fetch_all, q);
        Ok(rows.into_iter().collect())
    }

    /// The retaliation watch of `user`, who reported (or witnessed) at `since`, as of
    /// `now`: one result per window of `core::retaliation::WINDOW_DAYS`. A window not
    /// over by `now` is measured up to `now`. [`StoreError::NotFound`] for an unknown user.
    pub async fn retaliation_watch(
        &self,
        user: UserId,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<WindowResult>> {
        let users = self.list_users().await?;
        let person = users
            .iter()
            .find(|u| u.id == user)
            .ok_or(StoreError::NotFound)?;
        let changes = self.team_changes_since(since).await?;
        // Undo the changes since the report, newest first.
        let team_then = |u: &User| {
            changes
                .iter()
                .filter(|c| c.user == u.id)
                .fold(u.team_id, |_, c| c.from)
        };
        let team = team_then(person);
        let peers: Vec<&User> = users
            .iter()
            .filter(|u| {
                team.is_some()
                    && u.id != user
                    && !u.disabled
                    && u.created_at <= since
                    && team_then(u) == team
            })
            .collect();

        let horizon = now.max(since);
        let elapsed_days =
            u32::try_from(horizon.duration_since(since).as_secs() / 86_400).unwrap_or(u32::MAX);
        let ends: Vec<Timestamp> = WINDOW_DAYS
            .iter()
            .map(|&d| {
                since
                    .checked_add(days(d))
                    .map_or(horizon, |e| e.min(horizon))
            })
            .collect();
        let baseline_from = since
            .checked_sub(days(BASELINE_DAYS))
            .map_err(|e| StoreError::Corrupt(format!("report instant: {e}")))?;

        let everyone: Vec<&User> = std::iter::once(person)
            .chain(peers.iter().copied())
            .collect();
        let names: Vec<&str> = everyone.iter().map(|u| u.username.as_str()).collect();
        let baseline = self.score_sums(&names, baseline_from, since).await?;
        let mut scores = Vec::with_capacity(ends.len());
        let mut denied = Vec::with_capacity(ends.len());
        for end in &ends {
            scores.push(self.score_sums(&names, since, *end).await?);
            denied.push(self.denied_counts(&names, since, *end).await?);
        }
        // Discipline decisions over the longest window; each window keeps its own part.
        let last_end = ends.iter().copied().max().unwrap_or(since);
        let mut discipline: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
        for name in &names {
            discipline.insert(
                (*name).to_owned(),
                self.discipline_times(name, since, last_end).await?,
            );
        }

        let mean = |m: &BTreeMap<String, (i64, f64)>, name: &str| match m.get(name) {
            Some(&(n, sum)) if n > 0 => (Some(sum / n as f64), u32::try_from(n).unwrap_or(0)),
            _ => (None, 0),
        };
        let measures = |u: &User| {
            let (baseline_score, baseline_scored) = mean(&baseline, &u.username);
            Person {
                baseline_score,
                baseline_scored,
                windows: std::array::from_fn(|i| {
                    let (mean_score, scored) = mean(&scores[i], &u.username);
                    let moves = changes
                        .iter()
                        .filter(|c| c.user == u.id && c.at < ends[i])
                        .count();
                    Window {
                        mean_score,
                        scored,
                        disputes_denied: denied[i]
                            .get(&u.username)
                            .map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX)),
                        team_changes: u32::try_from(moves).unwrap_or(u32::MAX),
                        discipline: discipline
                            .get(&u.username)
                            .map(|ts| {
                                ts.iter()
                                    .filter(|t| **t < ends[i])
                                    .map(|t| retaliation::DisciplineEvent { at: *t })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                }),
            }
        };
        let peer_measures: Vec<Person> = peers.iter().map(|u| measures(u)).collect();
        Ok(retaliation::evaluate(
            &measures(person),
            &peer_measures,
            elapsed_days,
        ))
    }
}
