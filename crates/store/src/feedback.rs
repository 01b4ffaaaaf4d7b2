//! Customer feedback: one survey link per interaction and its single answer.
//!
//! The row is keyed by the interaction (`UNIQUE interaction_id`). Minting again while
//! the link is unanswered replaces the token and the expiry (the old link stops
//! working); once answered, the row no longer changes. Answering is one conditional
//! `UPDATE` (unanswered and unexpired), so a link is consumed exactly once even when two
//! submissions race. Only the SHA-256 of a token is stored, and the comment arrives
//! already scrubbed (`core::feedback::screen_comment`).

use crate::query::Query;
use crate::{from_ms, ms, on_pool, Db, Result};
use jiff::Timestamp;
use righttrack_core::feedback::{NpsGroup, Tally};
use righttrack_core::ids::FeedbackId;
use serde::Serialize;

/// What minting a link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mint {
    /// A new link, or the unanswered one replaced.
    Minted,
    /// The interaction already has an answer; links are single-use.
    Answered,
    /// No interaction with that id.
    UnknownInteraction,
}

/// What the public form needs to know about a link: never the transcript or the agent.
#[derive(Debug, Clone)]
pub struct FeedbackLink {
    /// The interaction's external id (for the audit trail, never shown to the customer).
    pub interaction: String,
    pub channel: String,
    pub interaction_at: Timestamp,
    pub expires_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
}

/// One survey: sent, and perhaps answered.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRecord {
    /// The interaction's external id.
    pub interaction: String,
    pub agent_ref: String,
    pub team_ref: Option<String>,
    pub interaction_at: Timestamp,
    pub minted_at: Timestamp,
    pub expires_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    /// Scrubbed before it was stored.
    pub comment: Option<String>,
    pub comment_flagged: bool,
}

/// Which surveys a report covers: interactions that started in `[from, to)`.
#[derive(Debug, Clone)]
pub struct FeedbackFilter {
    pub team_ref: Option<String>,
    pub agent_ref: Option<String>,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// The counts of one agent (on one team).
#[derive(Debug, Clone)]
pub struct AgentTally {
    pub team_ref: Option<String>,
    pub agent_ref: String,
    pub tally: Tally,
}

/// A survey for the demo: sent at `minted_at`, answered if `answer` is set.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub ext_id: String,
    pub token_hash: [u8; 32],
    pub minted_at: Timestamp,
    pub expires_at: Timestamp,
    /// (submitted_at, csat, nps, scrubbed comment, flagged)
    pub answer: Option<(Timestamp, i64, i64, Option<String>, bool)>,
}

type RecordRow = (
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    bool,
);

const RECORD_COLS: &str = "i.ext_id, f.agent_ref, f.team_ref, f.interaction_at, f.minted_at, f.expires_at, f.submitted_at, f.csat, f.nps, f.comment, f.comment_flagged";

fn record(r: RecordRow) -> FeedbackRecord {
    FeedbackRecord {
        interaction: r.0,
        agent_ref: r.1,
        team_ref: r.2,
        interaction_at: from_ms(r.3),
        minted_at: from_ms(r.4),
        expires_at: from_ms(r.5),
        submitted_at: r.6.map(from_ms),
        csat: r.7,
        nps: r.8,
        comment: r.9,
        comment_flagged: r.10,
    }
}

/// Appends the `WHERE` conditions of a filter and their arguments to `q`.
fn push_filter(q: &mut Query, f: &FeedbackFilter) {
    q.push(" AND f.interaction_at >= ?", ms(f.from));
    q.push(" AND f.interaction_at < ?", ms(f.to));
    q.and(" AND f.team_ref = ?", f.team_ref.as_ref());
    q.and(" AND f.agent_ref = ?", f.agent_ref.as_ref());
}

impl Db {
    /// Mints (or replaces the unanswered) link of an interaction.
    pub async fn mint_feedback_link(
        &self,
        ext_id: &str,
        token_hash: &[u8; 32],
        now: Timestamp,
        expires_at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<Mint> {
        let id = FeedbackId::new_v7(now, rng).to_string();
        // One statement: insert, or replace an unanswered link; an answered row is left
        // alone (0 rows). SQLite needs the WHERE in the SELECT to parse the upsert.
        let n = execute!(
            self,
            "INSERT INTO feedback (id, interaction_id, agent_ref, team_ref, interaction_at, token_hash, minted_at, expires_at) \
                 SELECT $1, i.id, i.agent_ref, i.team_ref, i.started_at, $2, $3, $4 FROM interactions i WHERE i.ext_id = $5 \
                 ON CONFLICT (interaction_id) DO UPDATE SET token_hash = excluded.token_hash, minted_at = excluded.minted_at, \
                 expires_at = excluded.expires_at WHERE feedback.submitted_at IS NULL",
            &id,
            &token_hash[..],
            ms(now),
            ms(expires_at),
            ext_id,
        );
        if n == 1 {
            return Ok(Mint::Minted);
        }
        let known: i64 = scalar!(
            self,
            fetch_one,
            "SELECT COUNT(*) FROM interactions WHERE ext_id = $1",
            ext_id,
        );
        Ok(if known == 0 {
            Mint::UnknownInteraction
        } else {
            Mint::Answered
        })
    }

    /// The link with this token hash, if any.
    pub async fn feedback_link(&self, token_hash: &[u8; 32]) -> Result<Option<FeedbackLink>> {
        let row: Option<(String, String, i64, i64, Option<i64>)> = fetch!(
            self,
            fetch_optional,
            "SELECT i.ext_id, i.channel, f.interaction_at, f.expires_at, f.submitted_at FROM feedback f \
                 JOIN interactions i ON i.id = f.interaction_id WHERE f.token_hash = $1",
            &token_hash[..],
        );
        Ok(row.map(|r| FeedbackLink {
            interaction: r.0,
            channel: r.1,
            interaction_at: from_ms(r.2),
            expires_at: from_ms(r.3),
            submitted_at: r.4.map(from_ms),
        }))
    }

    /// Stores the answer and consumes the link in one statement. False when the link is
    /// unknown, already answered or expired (nothing is written then).
    pub async fn answer_feedback(
        &self,
        token_hash: &[u8; 32],
        csat: u8,
        nps: u8,
        comment: Option<&str>,
        comment_flagged: bool,
        now: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE feedback SET csat = $1, nps = $2, comment = $3, comment_flagged = $4, submitted_at = $5 \
                 WHERE token_hash = $6 AND submitted_at IS NULL AND expires_at > $5",
            i64::from(csat),
            i64::from(nps),
            comment,
            comment_flagged,
            ms(now),
            &token_hash[..],
        );
        Ok(n == 1)
    }

    /// The survey of one interaction, answered or not.
    pub async fn feedback_for(&self, ext_id: &str) -> Result<Option<FeedbackRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLS} FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.ext_id = $1"
        );
        let row: Option<RecordRow> = fetch!(self, fetch_optional, &sql, ext_id);
        Ok(row.map(record))
    }

    /// Counts per agent and team over the filter's interactions.
    pub async fn feedback_tallies(&self, f: &FeedbackFilter) -> Result<Vec<AgentTally>> {
        // The NPS group boundaries come from core, bound as parameters.
        let promoter = (0..=10u8)
            .find(|n| NpsGroup::of(*n) == NpsGroup::Promoter)
            .map_or(9, i64::from);
        let detractor = (0..=10u8)
            .rev()
            .find(|n| NpsGroup::of(*n) == NpsGroup::Detractor)
            .map_or(6, i64::from);
        let mut q = Query::bound(
            "SELECT f.team_ref, f.agent_ref, COUNT(*), COUNT(f.submitted_at), \
             CAST(COALESCE(SUM(f.csat), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN f.nps >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN f.nps <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM feedback f WHERE 1 = 1",
            [promoter.into(), detractor.into()],
        );
        push_filter(&mut q, f);
        q.sql
            .push_str(" GROUP BY f.team_ref, f.agent_ref ORDER BY f.team_ref, f.agent_ref");
        type Row = (Option<String>, String, i64, i64, i64, i64, i64);
        let rows: Vec<Row> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(|r| AgentTally {
                team_ref: r.0,
                agent_ref: r.1,
                tally: Tally {
                    sent: r.2,
                    answered: r.3,
                    csat_sum: r.4,
                    promoters: r.5,
                    detractors: r.6,
                },
            })
            .collect())
    }

    /// Answered surveys, newest answer first; with `comments_only`, those with a comment.
    pub async fn feedback_answers(
        &self,
        f: &FeedbackFilter,
        comments_only: bool,
        limit: i64,
    ) -> Result<Vec<FeedbackRecord>> {
        let mut q = Query::new(format!(
            "SELECT {RECORD_COLS} FROM feedback f JOIN interactions i ON i.id = f.interaction_id \
             WHERE f.submitted_at IS NOT NULL{}",
            if comments_only {
                " AND f.comment IS NOT NULL"
            } else {
                ""
            }
        ));
        push_filter(&mut q, f);
        q.push(
            " ORDER BY f.submitted_at DESC, f.id LIMIT ?",
            limit.clamp(1, 1000),
        );
        let rows: Vec<RecordRow> = fetch_query!(self, fetch_all, q);
        Ok(rows.into_iter().map(record).collect())
    }

    /// Stores many surveys at once (the demo). Unknown interactions are skipped.
    pub async fn store_feedback_batch(
        &self,
        batch: &[NewFeedback],
        rng: &mut impl rand::RngCore,
    ) -> Result<u64> {
        let ids: Vec<String> = batch
            .iter()
            .map(|b| FeedbackId::new_v7(b.minted_at, rng).to_string())
            .collect();
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin().await?;
                let mut n = 0;
                for (b, id) in batch.iter().zip(&ids) {
                    let a = b.answer.as_ref();
                    n += execute!(
                        &mut *tx,
                        "INSERT INTO feedback (id, interaction_id, agent_ref, team_ref, interaction_at, token_hash, minted_at, expires_at, \
                         submitted_at, csat, nps, comment, comment_flagged) \
                         SELECT $1, i.id, i.agent_ref, i.team_ref, i.started_at, $2, $3, $4, $5, $6, $7, $8, $9 \
                         FROM interactions i WHERE i.ext_id = $10 ON CONFLICT (interaction_id) DO NOTHING",
                        id,
                        &b.token_hash[..],
                        ms(b.minted_at),
                        ms(b.expires_at),
                        a.map(|a| ms(a.0)),
                        a.map(|a| a.1),
                        a.map(|a| a.2),
                        a.and_then(|a| a.3.clone()),
                        a.is_some_and(|a| a.4),
                        &b.ext_id,
                    );
                }
                tx.commit().await?;
                Ok::<_, crate::StoreError>(n)
            }
            .await
        })
    }
}
