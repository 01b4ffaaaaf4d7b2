//! Scorecard disputes and the rule examples accepted disputes produce.
//!
//! A dispute is `open` until resolved (`upheld` or `accepted`); an open dispute past its
//! due instant reads as *overdue* (decided on read, like commitments). The database
//! refuses a second open dispute of the same item (a partial unique index). Resolving
//! is one transaction: the dispute is closed only if it was still open, and an accepted
//! dispute's score override (the same `score_overrides` row a QA override writes, so
//! the override history stays the one source of the effective score) and its rule
//! examples are written with it.

use crate::interactions::ScoreOverride;
use crate::query::Query;
use crate::{from_ms, ms, on_pool, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::ids::DisputeId;
use serde::Serialize;

/// A dispute to store; the caller has decided routing and the due instant.
#[derive(Debug, Clone)]
pub struct NewDispute {
    /// The interaction's client id.
    pub interaction: String,
    pub item: String,
    pub agent_ref: String,
    /// Scrubbed reason.
    pub reason: String,
    /// The analyst whose override of the item was in force when it was disputed.
    pub evaluator: Option<String>,
    pub assignee: Option<String>,
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dispute {
    pub id: String,
    pub interaction: String,
    pub channel: String,
    pub item: String,
    pub agent_ref: String,
    pub reason: String,
    pub evaluator: Option<String>,
    pub assignee: Option<String>,
    pub opened_at: Timestamp,
    pub due_at: Timestamp,
    /// open, overdue or resolved.
    pub status: &'static str,
    /// upheld or accepted, once resolved.
    pub outcome: Option<String>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeStatus {
    /// Not resolved yet (overdue ones included).
    Open,
    /// Not resolved and past the due instant.
    Overdue,
    Resolved,
}

impl DisputeStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "overdue" => Some(Self::Overdue),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }
}

/// Which disputes to list. Open ones come soonest due first (so overdue first),
/// resolved ones most recently resolved first.
#[derive(Debug, Clone, Default)]
pub struct DisputeFilter {
    pub status: Option<DisputeStatus>,
    pub assignee: Option<String>,
    pub agent_ref: Option<String>,
    pub interaction: Option<String>,
    pub limit: i64,
}

/// The decision on a dispute.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// upheld or accepted.
    pub outcome: String,
    /// Scrubbed note.
    pub note: String,
    pub by_user: String,
    pub at: Timestamp,
}

/// A "should not fire" example of a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleExample {
    pub rule: String,
    /// Redacted text the rule fired on.
    pub text: String,
    /// voice, chat or email: the channel of the interaction it came from.
    pub channel: String,
    pub dispute: Option<String>,
    pub added_by: String,
    pub at: Timestamp,
}

type DisputeRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
);

const COLS: &str = "d.id, i.ext_id, d.item, d.agent_ref, d.reason, d.evaluator, d.assignee, d.opened_at, d.due_at, d.status, d.outcome, d.resolution, d.resolved_by, d.resolved_at, i.channel";

fn dispute(r: DisputeRow, now: Timestamp) -> Dispute {
    let due_at = from_ms(r.8);
    let status = match r.9.as_str() {
        "resolved" => "resolved",
        _ if righttrack_core::disputes::is_overdue(due_at, now) => "overdue",
        _ => "open",
    };
    Dispute {
        id: r.0,
        interaction: r.1,
        item: r.2,
        agent_ref: r.3,
        reason: r.4,
        evaluator: r.5,
        assignee: r.6,
        opened_at: from_ms(r.7),
        due_at,
        status,
        outcome: r.10,
        resolution: r.11,
        resolved_by: r.12,
        resolved_at: r.13.map(from_ms),
        channel: r.14,
    }
}

impl Db {
    /// Stores a new open dispute. [`StoreError::Conflict`] when the item already has an
    /// open one, [`StoreError::NotFound`] for an unknown interaction.
    pub async fn open_dispute(
        &self,
        d: &NewDispute,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = DisputeId::new_v7(d.opened_at, rng).to_string();
        in_tx!(self, |tx| {
            let iid: Option<String> = scalar!(
                &mut *tx,
                fetch_optional,
                "SELECT id FROM interactions WHERE ext_id = $1",
                &d.interaction,
            );
            let Some(iid) = iid else {
                return Err(StoreError::NotFound);
            };
            try_execute!(
                &mut *tx,
                "INSERT INTO disputes (id, interaction_id, item, agent_ref, reason, evaluator, assignee, opened_at, due_at, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open')",
                &id,
                &iid,
                &d.item,
                &d.agent_ref,
                &d.reason,
                &d.evaluator,
                &d.assignee,
                ms(d.opened_at),
                ms(d.due_at),
            )
            .map_err(|e| {
                StoreError::from(e)
                    .naming(|| format!("An open dispute of item \"{}\"", d.item))
            })?;
        })?;
        Ok(id)
    }

    /// Open disputes per assignee (assigned ones only).
    pub async fn open_dispute_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT assignee, CAST(COUNT(*) AS BIGINT) FROM disputes WHERE status = 'open' AND assignee IS NOT NULL GROUP BY assignee",
        ))
    }

    pub async fn dispute(&self, id: &str, now: Timestamp) -> Result<Option<Dispute>> {
        let sql = format!(
            "SELECT {COLS} FROM disputes d JOIN interactions i ON i.id = d.interaction_id WHERE d.id = $1"
        );
        let row: Option<DisputeRow> = fetch!(self, fetch_optional, &sql, id);
        Ok(row.map(|r| dispute(r, now)))
    }

    pub async fn disputes(&self, f: &DisputeFilter, now: Timestamp) -> Result<Vec<Dispute>> {
        let mut q = Query::new(format!(
            "SELECT {COLS} FROM disputes d JOIN interactions i ON i.id = d.interaction_id WHERE 1 = 1"
        ));
        match f.status {
            None => {}
            Some(DisputeStatus::Open) => q.sql.push_str(" AND d.status = 'open'"),
            Some(DisputeStatus::Resolved) => q.sql.push_str(" AND d.status = 'resolved'"),
            Some(DisputeStatus::Overdue) => {
                q.push(" AND d.status = 'open' AND d.due_at <= ?", ms(now));
            }
        }
        q.and(" AND d.assignee = ?", f.assignee.as_ref());
        q.and(" AND d.agent_ref = ?", f.agent_ref.as_ref());
        q.and(" AND i.ext_id = ?", f.interaction.as_ref());
        let order = if f.status == Some(DisputeStatus::Resolved) {
            "d.resolved_at DESC, d.id DESC"
        } else {
            "CASE WHEN d.status = 'open' THEN 0 ELSE 1 END, d.due_at, d.id"
        };
        q.push(
            &format!(" ORDER BY {order} LIMIT ?"),
            f.limit.clamp(1, 1000),
        );
        let rows: Vec<DisputeRow> = fetch_query!(self, fetch_all, q);
        Ok(rows.into_iter().map(|r| dispute(r, now)).collect())
    }

    /// Closes an open dispute with its outcome, and for an accepted one records the score
    /// override (with the interaction's new effective score) and the rule examples, all in
    /// one transaction. False if the dispute is unknown or no longer open.
    pub async fn resolve_dispute(
        &self,
        id: &str,
        r: &Resolution,
        accepted: Option<(&ScoreOverride, i64)>,
        examples: &[RuleExample],
        rng: &mut impl rand::RngCore,
    ) -> Result<bool> {
        let override_id = DisputeId::new_v7(r.at, rng).to_string();
        let example_ids: Vec<String> = examples
            .iter()
            .map(|_| DisputeId::new_v7(r.at, rng).to_string())
            .collect();
        in_tx!(self, |tx| {
            let iid: Option<String> = scalar!(
                &mut *tx,
                fetch_optional,
                "SELECT interaction_id FROM disputes WHERE id = $1 AND status = 'open'",
                id,
            );
            let Some(iid) = iid else { return Ok(false) };
            let n = execute!(
                &mut *tx,
                "UPDATE disputes SET status = 'resolved', outcome = $1, resolution = $2, resolved_by = $3, resolved_at = $4 \
                 WHERE id = $5 AND status = 'open'",
                &r.outcome,
                &r.note,
                &r.by_user,
                ms(r.at),
                id,
            );
            if n != 1 {
                return Ok(false);
            }
            if let Some((o, score)) = accepted {
                crate::interactions::record_override!(tx, &override_id, &iid, o, score);
            }
            for (e, eid) in examples.iter().zip(&example_ids) {
                execute!(
                    &mut *tx,
                    "INSERT INTO rule_examples (id, rule, text, channel, dispute_id, added_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    eid,
                    &e.rule,
                    &e.text,
                    &e.channel,
                    id,
                    &e.added_by,
                    ms(e.at),
                );
            }
            true
        })
    }

    /// Every stored rule example, by rule then age.
    pub async fn rule_examples(&self) -> Result<Vec<RuleExample>> {
        let rows: Vec<(String, String, String, Option<String>, String, i64)> = on_pool!(
            self,
            |p| {
                sqlx::query_as(
                    "SELECT rule, text, channel, dispute_id, added_by, at FROM rule_examples ORDER BY rule, at, id",
                )
                .fetch_all(p)
                .await?
            }
        );
        Ok(rows
            .into_iter()
            .map(|r| RuleExample {
                rule: r.0,
                text: r.1,
                channel: r.2,
                dispute: r.3,
                added_by: r.4,
                at: from_ms(r.5),
            })
            .collect())
    }
}
