//! Interactions and the commitments ledger.
//!
//! Ingestion is idempotent on the client's id (`ext_id`): a re-sent interaction changes
//! nothing and is reported as a duplicate. A batch is stored in one transaction, so an
//! acknowledged batch is durable as a whole (SQLite runs with `synchronous=FULL`).
//!
//! Commitment states: `open` until marked `kept`; an open commitment past its due instant
//! is *overdue*; one still open [`BROKEN_AFTER`] after its due instant is *broken*. Reads
//! decide overdue and broken from the due instant, so a read never writes;
//! [`Db::break_overdue_commitments`] persists the broken state in the background (for
//! reports and exports), and a broken promise can no longer be marked kept.

use crate::query::Query;
use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::ids::{CommitmentId, InteractionId};
use righttrack_core::interactions::Prepared;
use serde::Serialize;

/// Inside the transaction `$tx`: records the score override `$o` (row id `$id`) of
/// interaction `$iid` (internal id) and sets the interaction's score to `$score`, the
/// agent's monthly totals following.
macro_rules! record_override {
    ($tx:ident, $id:expr, $iid:expr, $o:expr, $score:expr) => {{
        sqlx::query("INSERT INTO score_overrides (id, interaction_id, item, failed, justification, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind($id)
            .bind($iid)
            .bind(&$o.item)
            .bind($o.failed)
            .bind(&$o.justification)
            .bind(&$o.by_user)
            .bind($crate::ms($o.at))
            .execute(&mut *$tx)
            .await?;
        $crate::fairness::adjust_agent_score!($tx, $iid, $score);
        sqlx::query("UPDATE interactions SET score = $1 WHERE id = $2")
            .bind($score)
            .bind($iid)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use record_override;

/// How long after its due instant an open commitment counts as broken.
pub const BROKEN_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);
/// An open commitment due within this window is *due soon*.
pub const DUE_SOON: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// What happened to one interaction of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Stored,
    /// The same id and the same content were stored before: nothing changed.
    Duplicate,
    /// The id was stored before with other content: nothing changed, and the sender is
    /// told (the stored interaction stays as it was first received).
    Conflict,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredInteraction {
    pub ext_id: String,
    pub channel: String,
    pub agent_ref: String,
    pub team_ref: Option<String>,
    pub started_at: Timestamp,
    pub ingested_at: Timestamp,
    pub interaction: serde_json::Value,
    pub findings: serde_json::Value,
    pub score: i64,
    pub score_max: i64,
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentRow {
    pub id: String,
    pub interaction: String,
    pub agent_ref: String,
    pub turn: i64,
    pub text: String,
    pub due: Option<Timestamp>,
    /// open, overdue, kept or broken.
    pub status: &'static str,
    pub closed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentStatus {
    /// Open and due within [`DUE_SOON`].
    DueSoon,
    Open,
    Overdue,
    Kept,
    Broken,
}

impl CommitmentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "due_soon" => Some(Self::DueSoon),
            "open" => Some(Self::Open),
            "overdue" => Some(Self::Overdue),
            "kept" => Some(Self::Kept),
            "broken" => Some(Self::Broken),
            _ => None,
        }
    }
}

/// One line of the review queue.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionSummary {
    pub ext_id: String,
    pub channel: String,
    pub agent_ref: String,
    pub team_ref: Option<String>,
    pub started_at: Timestamp,
    pub score: i64,
    pub score_max: i64,
    pub flagged: bool,
    pub severity: i64,
    pub rules: Vec<String>,
}

/// Which commitments to list.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub status: Option<CommitmentStatus>,
    pub agent_ref: Option<String>,
    /// The team the interaction was handled in.
    pub team_ref: Option<String>,
    pub limit: i64,
}

/// How commitments are grouped for kept rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Agent,
    Team,
}

/// Kept rate of one agent or team over a period.
#[derive(Debug, Clone, Serialize)]
pub struct KeptRate {
    /// The agent or team reference.
    pub key: String,
    pub kept: i64,
    pub broken: i64,
    pub overdue: i64,
    pub open: i64,
    /// kept / (kept + broken); `None` before any promise was decided.
    pub kept_rate: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub flagged_only: bool,
    pub agent_ref: Option<String>,
    /// Only these agents (a team lead's reporting line); `Some(empty)` matches nothing.
    pub agent_refs: Option<Vec<String>>,
    pub team_ref: Option<String>,
    /// A rule id that must have fired.
    pub rule: Option<String>,
    /// At least this severity (see `core::interactions::severity`).
    pub min_severity: Option<i64>,
    /// Started at or after this instant.
    pub from: Option<Timestamp>,
    /// Started before this instant.
    pub to: Option<Timestamp>,
    /// Paging, newest first: only rows after this (started_at, ext_id) in that order.
    pub before: Option<(Timestamp, String)>,
    pub limit: i64,
}

type SummaryRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    bool,
    String,
    i64,
);

type InteractionRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    bool,
);
type LedgerRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    String,
    Option<i64>,
);

impl Db {
    /// Stores a batch in one transaction. Returns one outcome per item, in order.
    pub async fn store_interactions(
        &self,
        batch: &[Prepared],
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<Vec<Outcome>> {
        let mut ids = Vec::with_capacity(batch.len());
        for _ in batch {
            ids.push(InteractionId::new_v7(now, rng).to_string());
        }
        let mut cids: Vec<Vec<String>> = Vec::with_capacity(batch.len());
        for p in batch {
            cids.push(
                p.commitments
                    .iter()
                    .map(|_| CommitmentId::new_v7(now, rng).to_string())
                    .collect(),
            );
        }
        in_tx!(self, |tx| {
            let mut out = Vec::with_capacity(batch.len());
            for (i, p) in batch.iter().enumerate() {
                let n = execute!(
                    &mut *tx,
                    "INSERT INTO interactions (id, ext_id, channel, agent_ref, team_ref, started_at, ingested_at, redacted, findings, score, score_max, flagged, pii_spans, rules, severity, content_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (ext_id) DO NOTHING",
                    &ids[i],
                    &p.ext_id,
                    p.channel,
                    &p.agent_ref,
                    &p.team_ref,
                    ms(p.started_at),
                    ms(now),
                    &p.redacted_json,
                    &p.findings_json,
                    p.score,
                    p.score_max,
                    p.flagged,
                    p.pii_spans,
                    &p.rules,
                    p.severity,
                    p.content_hash.as_ref().map(|h| &h[..]),
                );
                if n == 0 {
                    let (before,): (Option<Vec<u8>>,) = fetch!(
                        &mut *tx,
                        fetch_one,
                        "SELECT content_hash FROM interactions WHERE ext_id = $1",
                        &p.ext_id,
                    );
                    out.push(match (before, &p.content_hash) {
                        (Some(b), Some(h)) if b[..] != h[..] => Outcome::Conflict,
                        _ => Outcome::Duplicate,
                    });
                    continue;
                }
                for (j, c) in p.commitments.iter().enumerate() {
                    execute!(
                        &mut *tx,
                        "INSERT INTO commitments (id, interaction_id, agent_ref, turn, text, due_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
                        &cids[i][j],
                        &ids[i],
                        &p.agent_ref,
                        c.turn,
                        &c.text,
                        c.due_at.map(ms),
                        ms(now),
                    );
                }
                if let Some(v) = &p.vault {
                    execute!(
                        &mut *tx,
                        "INSERT INTO interaction_vault (interaction_id, sealed, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                        &ids[i],
                        &v.sealed,
                        ms(now),
                        ms(v.expires_at),
                    );
                }
                if let Some(h) = &p.customer_ref_hash {
                    // Conflicts of interest: one indexed lookup (primary key prefix
                    // ref_hash, agent) writes a finding per disclosed relation.
                    execute!(
                        &mut *tx,
                        "INSERT INTO conflict_hits (interaction_id, disclosure_id, agent, at) \
                     SELECT $1, r.disclosure_id, r.agent, $2 FROM conflict_customer_refs r WHERE r.ref_hash = $3 AND r.agent = $4",
                        &ids[i],
                        ms(now),
                        &h[..],
                        &p.agent_ref,
                    );
                }
                out.push(Outcome::Stored);
            }
            let stored = batch
                .iter()
                .zip(&out)
                .filter(|(_, o)| **o == Outcome::Stored)
                .map(|(p, _)| p);
            let stored: Vec<&Prepared> = stored.collect();
            let (agents, agent_rules) = crate::fairness::agent_deltas(stored.iter().copied());
            crate::fairness::add_agent_monthly!(tx, &agents, &agent_rules);
            for ((month, team, metric), value) in crate::dashboard::monthly_deltas(stored) {
                execute!(
                    &mut *tx,
                    "INSERT INTO interaction_monthly (month, team_ref, metric, value) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (month, team_ref, metric) DO UPDATE SET value = interaction_monthly.value + excluded.value",
                    month,
                    team,
                    metric,
                    value,
                );
            }
            out
        })
    }

    pub async fn interaction(&self, ext_id: &str) -> Result<Option<StoredInteraction>> {
        let row: Option<InteractionRow> = fetch!(
            self,
            fetch_optional,
            "SELECT ext_id, channel, agent_ref, team_ref, started_at, ingested_at, redacted, findings, score, score_max, flagged FROM interactions WHERE ext_id = $1",
            ext_id,
        );
        let Some(r) = row else { return Ok(None) };
        let json = |s: &str| {
            serde_json::from_str(s)
                .map_err(|e| StoreError::Corrupt(format!("interaction {}: {e}", r.0)))
        };
        Ok(Some(StoredInteraction {
            interaction: json(&r.6)?,
            findings: json(&r.7)?,
            ext_id: r.0,
            channel: r.1,
            agent_ref: r.2,
            team_ref: r.3,
            started_at: from_ms(r.4),
            ingested_at: from_ms(r.5),
            score: r.8,
            score_max: r.9,
            flagged: r.10,
        }))
    }

    /// Newest first, filtered: the QA review queue.
    pub async fn list_interactions(
        &self,
        f: &InteractionFilter,
    ) -> Result<Vec<InteractionSummary>> {
        let mut q = Query::new(
            "SELECT ext_id, channel, agent_ref, team_ref, started_at, score, score_max, flagged, rules, severity FROM interactions WHERE 1 = 1",
        );
        if f.flagged_only {
            q.sql.push_str(" AND flagged = TRUE");
        }
        q.and(" AND agent_ref = ?", f.agent_ref.as_ref());
        if let Some(list) = &f.agent_refs {
            if list.is_empty() {
                q.sql.push_str(" AND 1 = 0");
            } else {
                let marks = q.list(list);
                q.sql.push_str(&format!(" AND agent_ref IN ({marks})"));
            }
        }
        q.and(" AND team_ref = ?", f.team_ref.as_ref());
        let like = f
            .rule
            .as_ref()
            .map(|r| format!("%,{},%", r.replace(['%', '_', ','], "")));
        q.and(" AND rules LIKE ?", like);
        q.and(" AND severity >= ?", f.min_severity);
        q.and(" AND started_at >= ?", f.from.map(ms));
        q.and(" AND started_at < ?", f.to.map(ms));
        if let Some((t, id)) = &f.before {
            // After the cursor in the order below: newest first, then ext_id descending.
            q.push_all(
                " AND (started_at < ? OR (started_at = ? AND ext_id < ?))",
                [ms(*t).into(), ms(*t).into(), id.into()],
            );
        }
        q.push(
            " ORDER BY started_at DESC, ext_id DESC LIMIT ?",
            f.limit.clamp(1, 500),
        );
        let rows: Vec<SummaryRow> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(|r| InteractionSummary {
                ext_id: r.0,
                channel: r.1,
                agent_ref: r.2,
                team_ref: r.3,
                started_at: from_ms(r.4),
                score: r.5,
                score_max: r.6,
                flagged: r.7,
                severity: r.9,
                rules: r
                    .8
                    .split(',')
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect())
    }

    pub async fn count_interactions(&self) -> Result<i64> {
        Ok(scalar!(
            self,
            fetch_one,
            "SELECT COUNT(*) FROM interactions"
        ))
    }

    /// Marks open commitments still open `grace` after their due instant as broken.
    pub async fn break_overdue_commitments(
        &self,
        now: Timestamp,
        grace: jiff::SignedDuration,
    ) -> Result<u64> {
        let cutoff = now.checked_sub(grace).unwrap_or(now);
        Ok(execute!(
            self,
            "UPDATE commitments SET status = 'broken', closed_at = $1 WHERE status = 'open' AND due_at IS NOT NULL AND due_at <= $2",
            ms(now),
            ms(cutoff),
        ))
    }

    /// The ledger, soonest due first, optionally by status, agent and team.
    pub async fn commitments(
        &self,
        f: &LedgerFilter,
        now: Timestamp,
    ) -> Result<Vec<CommitmentRow>> {
        let (status, agent_ref, team_ref, limit) = (
            f.status,
            f.agent_ref.as_deref(),
            f.team_ref.as_deref(),
            f.limit,
        );
        let cutoff = now.checked_sub(BROKEN_AFTER).unwrap_or(now);
        let mut q = Query::default();
        let mut param = |v: i64| q.arg(v);
        let cond = match status {
            None => "1 = 1".to_owned(),
            Some(CommitmentStatus::DueSoon) => format!(
                "c.status = 'open' AND c.due_at > {} AND c.due_at <= {}",
                param(ms(now)),
                param(ms(now.checked_add(DUE_SOON).unwrap_or(now)))
            ),
            Some(CommitmentStatus::Open) => {
                format!(
                    "c.status = 'open' AND (c.due_at IS NULL OR c.due_at > {})",
                    param(ms(now))
                )
            }
            Some(CommitmentStatus::Overdue) => format!(
                "c.status = 'open' AND c.due_at <= {} AND c.due_at > {}",
                param(ms(now)),
                param(ms(cutoff))
            ),
            Some(CommitmentStatus::Kept) => "c.status = 'kept'".to_owned(),
            Some(CommitmentStatus::Broken) => format!(
                "(c.status = 'broken' OR (c.status = 'open' AND c.due_at <= {}))",
                param(ms(cutoff))
            ),
        };
        q.sql = format!(
            "SELECT c.id, i.ext_id, c.agent_ref, c.turn, c.text, c.due_at, c.status, c.closed_at FROM commitments c JOIN interactions i ON i.id = c.interaction_id WHERE {cond}"
        );
        q.and(" AND c.agent_ref = ?", agent_ref);
        q.and(" AND i.team_ref = ?", team_ref);
        q.push(" ORDER BY c.due_at, c.id LIMIT ?", limit.clamp(1, 1000));
        let rows: Vec<LedgerRow> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(|r| {
                let due = r.5.map(from_ms);
                let status = match r.6.as_str() {
                    "kept" => "kept",
                    "broken" => "broken",
                    _ if due.is_some_and(|d| d <= cutoff) => "broken",
                    _ if due.is_some_and(|d| d <= now) => "overdue",
                    _ => "open",
                };
                CommitmentRow {
                    id: r.0,
                    interaction: r.1,
                    agent_ref: r.2,
                    turn: r.3,
                    text: r.4,
                    due,
                    status,
                    closed_at: r.7.map(from_ms),
                }
            })
            .collect())
    }

    /// Kept rates per agent or team, over commitments made in interactions that started
    /// at or after `since`, optionally only those of one team or one agent
    /// (`only = Some((Grouping::Team, "north"))`). Ordered by key.
    pub async fn kept_rates(
        &self,
        by: Grouping,
        since: Timestamp,
        only: Option<(Grouping, &str)>,
        now: Timestamp,
    ) -> Result<Vec<KeptRate>> {
        let cutoff = now.checked_sub(BROKEN_AFTER).unwrap_or(now);
        let key = match by {
            Grouping::Agent => "c.agent_ref",
            Grouping::Team => "COALESCE(i.team_ref, '')",
        };
        let only_cond = match only {
            None => "",
            Some((Grouping::Team, _)) => " AND i.team_ref = $4",
            Some((Grouping::Agent, _)) => " AND c.agent_ref = $4",
        };
        let sql = format!(
            "SELECT {key}, \
             CAST(SUM(CASE WHEN c.status = 'kept' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN c.status = 'broken' OR (c.status = 'open' AND c.due_at <= $1) THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN c.status = 'open' AND c.due_at <= $2 AND c.due_at > $1 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN c.status = 'open' AND (c.due_at IS NULL OR c.due_at > $2) THEN 1 ELSE 0 END) AS BIGINT) \
             FROM commitments c JOIN interactions i ON i.id = c.interaction_id \
             WHERE i.started_at >= $3{only_cond} GROUP BY {key} ORDER BY {key}"
        );
        let mut q = Query::bound(sql, [ms(cutoff).into(), ms(now).into(), ms(since).into()]);
        if let Some((_, v)) = only {
            q.arg(v);
        }
        let rows: Vec<(String, i64, i64, i64, i64)> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(|(key, kept, broken, overdue, open)| KeptRate {
                key,
                kept,
                broken,
                overdue,
                open,
                kept_rate: (kept + broken > 0).then(|| kept as f64 / (kept + broken) as f64),
            })
            .collect())
    }

    /// Marks open commitments kept at the given instants, in one transaction (history
    /// loaded from elsewhere, and the demo). Returns how many changed.
    pub async fn mark_kept_at(&self, items: &[(String, Timestamp)], by: &str) -> Result<u64> {
        in_tx!(self, |tx| {
            let mut n = 0;
            for (id, at) in items {
                n += execute!(
                    &mut *tx,
                    "UPDATE commitments SET status = 'kept', closed_at = $1, closed_by = $2 WHERE id = $3 AND status = 'open'",
                    ms(*at),
                    by,
                    id,
                );
            }
            n
        })
    }

    /// Marks an open (or overdue) commitment kept. False if unknown, already closed, or
    /// broken (past [`BROKEN_AFTER`]).
    pub async fn fulfil_commitment(&self, id: &str, by: &str, now: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE commitments SET status = 'kept', closed_at = $1, closed_by = $2 \
             WHERE id = $3 AND status = 'open' AND (due_at IS NULL OR due_at > $4)",
            ms(now),
            by,
            id,
            ms(now.checked_sub(BROKEN_AFTER).unwrap_or(now)),
        );
        Ok(n == 1)
    }
}

/// One QA override of a scorecard item.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreOverride {
    pub item: String,
    pub failed: bool,
    pub justification: String,
    pub by_user: String,
    pub at: Timestamp,
}

impl Db {
    /// The overrides of an interaction, oldest first (the last per item is in force).
    pub async fn score_overrides(&self, ext_id: &str) -> Result<Vec<ScoreOverride>> {
        let rows: Vec<(String, bool, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT o.item, o.failed, o.justification, o.by_user, o.at FROM score_overrides o \
             JOIN interactions i ON i.id = o.interaction_id WHERE i.ext_id = $1 ORDER BY o.at, o.id",
            ext_id,
        );
        Ok(rows
            .into_iter()
            .map(|r| ScoreOverride {
                item: r.0,
                failed: r.1,
                justification: r.2,
                by_user: r.3,
                at: from_ms(r.4),
            })
            .collect())
    }

    /// Records an override and the interaction's new effective score, in one transaction.
    pub async fn add_score_override(
        &self,
        ext_id: &str,
        o: &ScoreOverride,
        new_score: i64,
        rng: &mut impl rand::RngCore,
    ) -> Result<()> {
        let id = CommitmentId::new_v7(o.at, rng).to_string();
        in_tx!(self, |tx| {
            let iid: Option<String> = scalar!(
                &mut *tx,
                fetch_optional,
                "SELECT id FROM interactions WHERE ext_id = $1",
                ext_id,
            );
            let Some(iid) = iid else {
                return Err(StoreError::NotFound);
            };
            record_override!(tx, &id, &iid, o, new_score);
        })
    }
}

/// A sealed original from the privacy vault.
#[derive(Clone)]
pub struct VaultEntry {
    pub sealed: Vec<u8>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for VaultEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultEntry")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// The sealed original of an interaction, if the vault holds one that has not expired.
    pub async fn vault_entry(&self, ext_id: &str, now: Timestamp) -> Result<Option<VaultEntry>> {
        let row: Option<(Vec<u8>, i64, i64)> = fetch!(
            self,
            fetch_optional,
            "SELECT v.sealed, v.created_at, v.expires_at FROM interaction_vault v JOIN interactions i ON i.id = v.interaction_id WHERE i.ext_id = $1 AND v.expires_at > $2",
            ext_id,
            ms(now),
        );
        Ok(row.map(|(sealed, c, e)| VaultEntry {
            sealed,
            created_at: from_ms(c),
            expires_at: from_ms(e),
        }))
    }

    /// Deletes sealed originals whose retention has ended. Returns how many.
    pub async fn purge_expired_vault(&self, now: Timestamp) -> Result<u64> {
        Ok(execute!(
            self,
            "DELETE FROM interaction_vault WHERE expires_at <= $1",
            ms(now)
        ))
    }

    /// Every sealed original, for key rotation.
    pub async fn all_vault_sealed(&self) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT interaction_id, sealed FROM interaction_vault"
        ))
    }

    /// Replaces one sealed original after a re-wrap, only if it is unchanged since read.
    pub async fn replace_vault_sealed(&self, id: &str, old: &[u8], new: &[u8]) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE interaction_vault SET sealed = $1 WHERE interaction_id = $2 AND sealed = $3",
            new,
            id,
            old,
        );
        Ok(n == 1)
    }
}
