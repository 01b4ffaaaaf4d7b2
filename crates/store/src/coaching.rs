//! Coaching sessions with their goals, and upward feedback (the rules are
//! `righttrack_core::coaching`).
//!
//! A session's texts (feedback, goals, the agent's comment, follow-up notes) are sealed
//! blobs here; the app seals and opens them. Acknowledging and commenting are
//! compare-and-set on the agent, so only the coached agent answers, once.
//!
//! Upward feedback keeps its anonymity the way the climate surveys do: a ballot (who
//! rated which lead in a round) and a rating (the answers, under a random id) are
//! written in one transaction and nothing links them; the ballot's primary key refuses a
//! second rating of the same lead in the same round. Closing a round
//! ([`Db::close_upward_round`]) rewrites its rows in key order so that storage order no
//! longer tells who rated what.

use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::civil::Date;
use jiff::Timestamp;
use righttrack_core::coaching::{Outcome, Rating};
use righttrack_core::ids::new_row_id;

/// A session to store, its texts sealed.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub agent: String,
    pub lead: String,
    pub interaction: Option<String>,
    pub item: Option<String>,
    pub feedback: Vec<u8>,
    /// (sealed text, due date), in order.
    pub goals: Vec<(Vec<u8>, Date)>,
    pub held_at: Timestamp,
}

/// A stored goal.
#[derive(Debug, Clone)]
pub struct GoalRow {
    pub n: i64,
    pub goal: Vec<u8>,
    pub due_on: Date,
    pub outcome: Option<Outcome>,
    pub note: Option<Vec<u8>>,
    pub followed_up_at: Option<Timestamp>,
}

/// A stored session with its goals.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub agent: String,
    pub lead: String,
    pub interaction: Option<String>,
    pub item: Option<String>,
    pub feedback: Vec<u8>,
    pub held_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub comment: Option<Vec<u8>>,
    pub commented_at: Option<Timestamp>,
    pub goals: Vec<GoalRow>,
}

/// Which sessions to list.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions with this agent.
    pub agent: Option<String>,
    /// Only sessions with one of these agents (a lead's reporting line); `Some(empty)`
    /// matches nothing.
    pub agents: Option<Vec<String>>,
    pub limit: i64,
}

/// What storing a rating did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    Stored,
    /// The rater has already rated this lead in this round.
    AlreadyRated,
    /// The round has been closed.
    Closed,
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Vec<u8>,
    i64,
    Option<i64>,
    Option<Vec<u8>>,
    Option<i64>,
);

type GoalTuple = (
    String,
    i64,
    Vec<u8>,
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<i64>,
);

/// A goal's sealed texts, for key rotation: (session, goal number, goal, note).
type SealedGoal = (String, i64, Vec<u8>, Option<Vec<u8>>);

const COLS: &str =
    "id, agent, lead, interaction, item, feedback, held_at, acknowledged_at, comment, commented_at";

fn goal_row(g: GoalTuple) -> Result<(String, GoalRow)> {
    let due_on: Date =
        g.3.parse()
            .map_err(|_| StoreError::Corrupt(format!("coaching goal {} {}: date", g.0, g.1)))?;
    Ok((
        g.0,
        GoalRow {
            n: g.1,
            goal: g.2,
            due_on,
            outcome: g.4.as_deref().and_then(Outcome::parse),
            note: g.5,
            followed_up_at: g.6.map(from_ms),
        },
    ))
}

fn session_row(r: Row) -> SessionRow {
    SessionRow {
        id: r.0,
        agent: r.1,
        lead: r.2,
        interaction: r.3,
        item: r.4,
        feedback: r.5,
        held_at: from_ms(r.6),
        acknowledged_at: r.7.map(from_ms),
        comment: r.8,
        commented_at: r.9.map(from_ms),
        goals: Vec::new(),
    }
}

impl Db {
    /// Stores a session and its goals in one transaction; its id.
    pub async fn create_coaching_session(
        &self,
        s: &NewSession,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(s.held_at, rng);
        in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO coaching_sessions (id, agent, lead, interaction, item, feedback, held_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &id,
                &s.agent,
                &s.lead,
                &s.interaction,
                &s.item,
                &s.feedback,
                ms(s.held_at)
            );
            for (n, (goal, due)) in s.goals.iter().enumerate() {
                execute!(
                    &mut *tx,
                    "INSERT INTO coaching_goals (session_id, n, goal, due_on) VALUES ($1, $2, $3, $4)",
                    &id,
                    n as i64 + 1,
                    goal,
                    due.to_string()
                );
            }
        })?;
        Ok(id)
    }

    /// One session with its goals.
    pub async fn coaching_session(&self, id: &str) -> Result<Option<SessionRow>> {
        let row: Option<Row> = fetch!(
            self,
            fetch_optional,
            &format!("SELECT {COLS} FROM coaching_sessions WHERE id = $1"),
            id
        );
        let Some(row) = row else { return Ok(None) };
        let mut s = session_row(row);
        let goals: Vec<GoalTuple> = fetch!(
            self,
            fetch_all,
            "SELECT session_id, n, goal, due_on, outcome, note, followed_up_at FROM coaching_goals \
             WHERE session_id = $1 ORDER BY n",
            id
        );
        for g in goals {
            s.goals.push(goal_row(g)?.1);
        }
        Ok(Some(s))
    }

    /// Sessions matching `f`, newest first, with their goals.
    pub async fn coaching_sessions(&self, f: &SessionFilter) -> Result<Vec<SessionRow>> {
        let mut q =
            crate::query::Query::new(format!("SELECT {COLS} FROM coaching_sessions WHERE 1 = 1"));
        q.and(" AND agent = ?", f.agent.as_ref());
        if let Some(list) = &f.agents {
            if list.is_empty() {
                q.sql.push_str(" AND 1 = 0");
            } else {
                let marks = q.list(list);
                q.sql.push_str(&format!(" AND agent IN ({marks})"));
            }
        }
        q.push(
            " ORDER BY held_at DESC, id DESC LIMIT ?",
            f.limit.clamp(1, 1000),
        );
        let rows: Vec<Row> = fetch_query!(self, fetch_all, q);
        let mut out: Vec<SessionRow> = rows.into_iter().map(session_row).collect();
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = out.iter().map(|s| s.id.clone()).collect();
        for chunk in ids.chunks(500) {
            let mut q = crate::query::Query::new("");
            let marks = q.list(chunk);
            q.sql = format!(
                "SELECT session_id, n, goal, due_on, outcome, note, followed_up_at FROM coaching_goals \
                 WHERE session_id IN ({marks}) ORDER BY session_id, n"
            );
            let goals: Vec<GoalTuple> = fetch_query!(self, fetch_all, q);
            for g in goals {
                let (sid, g) = goal_row(g)?;
                if let Some(s) = out.iter_mut().find(|s| s.id == sid) {
                    s.goals.push(g);
                }
            }
        }
        Ok(out)
    }

    /// Records that `agent` acknowledged session `id`, once; `false` if it is not theirs
    /// or was already acknowledged.
    pub async fn acknowledge_coaching(&self, id: &str, agent: &str, at: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE coaching_sessions SET acknowledged_at = $3 \
             WHERE id = $1 AND agent = $2 AND acknowledged_at IS NULL",
            id,
            agent,
            ms(at)
        );
        Ok(n == 1)
    }

    /// Stores `agent`'s sealed comment on session `id` (acknowledging it too), once;
    /// `false` if it is not theirs or already has a comment.
    pub async fn comment_coaching(
        &self,
        id: &str,
        agent: &str,
        sealed: &[u8],
        at: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE coaching_sessions SET comment = $3, commented_at = $4, \
             acknowledged_at = COALESCE(acknowledged_at, $4) \
             WHERE id = $1 AND agent = $2 AND comment IS NULL",
            id,
            agent,
            sealed,
            ms(at)
        );
        Ok(n == 1)
    }

    /// Records the follow-up of goal `n` of session `id`, once; `false` if it has one.
    pub async fn follow_up_goal(
        &self,
        id: &str,
        n: i64,
        outcome: Outcome,
        note: Option<&[u8]>,
        at: Timestamp,
    ) -> Result<bool> {
        let changed = execute!(
            self,
            "UPDATE coaching_goals SET outcome = $3, note = $4, followed_up_at = $5 \
             WHERE session_id = $1 AND n = $2 AND outcome IS NULL",
            id,
            n,
            outcome.as_str(),
            note,
            ms(at)
        );
        Ok(changed == 1)
    }

    /// Every sealed coaching text, for key rotation: (table, column, row key, sealed).
    pub async fn all_coaching_sealed(&self) -> Result<Vec<(&'static str, String, i64, Vec<u8>)>> {
        let mut out = Vec::new();
        let s: Vec<(String, Vec<u8>, Option<Vec<u8>>)> = fetch!(
            self,
            fetch_all,
            "SELECT id, feedback, comment FROM coaching_sessions"
        );
        for (id, feedback, comment) in s {
            out.push(("feedback", id.clone(), 0, feedback));
            if let Some(c) = comment {
                out.push(("comment", id, 0, c));
            }
        }
        let g: Vec<SealedGoal> = fetch!(
            self,
            fetch_all,
            "SELECT session_id, n, goal, note FROM coaching_goals"
        );
        for (id, n, goal, note) in g {
            out.push(("goal", id.clone(), n, goal));
            if let Some(x) = note {
                out.push(("note", id, n, x));
            }
        }
        Ok(out)
    }

    /// Replaces one sealed coaching text if it is still `old` (key rotation); `column`
    /// is one of those [`Db::all_coaching_sealed`] names.
    pub async fn replace_coaching_sealed(
        &self,
        column: &str,
        id: &str,
        n: i64,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool> {
        let sql = match column {
            "feedback" => {
                "UPDATE coaching_sessions SET feedback = $1 WHERE id = $2 AND feedback = $3 AND $4 = 0"
            }
            "comment" => {
                "UPDATE coaching_sessions SET comment = $1 WHERE id = $2 AND comment = $3 AND $4 = 0"
            }
            "goal" => {
                "UPDATE coaching_goals SET goal = $1 WHERE session_id = $2 AND goal = $3 AND n = $4"
            }
            "note" => {
                "UPDATE coaching_goals SET note = $1 WHERE session_id = $2 AND note = $3 AND n = $4"
            }
            other => return Err(StoreError::Corrupt(format!("coaching column {other}"))),
        };
        let changed = execute!(self, sql, new, id, old, n);
        Ok(changed > 0)
    }

    /// How scorecard item `item` went on `agent`'s interactions started in
    /// `[from, to)`, newest first, at most `limit`: per interaction, the engine's verdict
    /// (`None` when the item did not apply) and the override in force, if any.
    pub async fn item_outcomes(
        &self,
        agent: &str,
        item: &str,
        from: Timestamp,
        to: Timestamp,
        limit: i64,
    ) -> Result<Vec<(Option<bool>, Option<bool>)>> {
        let rows: Vec<(String, String)> = fetch!(
            self,
            fetch_all,
            "SELECT id, findings FROM interactions WHERE agent_ref = $1 AND started_at >= $2 \
             AND started_at < $3 ORDER BY started_at DESC, id DESC LIMIT $4",
            agent,
            ms(from),
            ms(to),
            limit.clamp(1, 2000)
        );
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The last override of the item on each interaction is the one in force.
        let overrides: Vec<(String, bool)> = fetch!(
            self,
            fetch_all,
            "SELECT o.interaction_id, o.failed FROM score_overrides o \
             JOIN interactions i ON i.id = o.interaction_id \
             WHERE i.agent_ref = $1 AND o.item = $2 AND i.started_at >= $3 AND i.started_at < $4 \
             ORDER BY o.at, o.id",
            agent,
            item,
            ms(from),
            ms(to)
        );
        let mut in_force = std::collections::BTreeMap::new();
        for (id, failed) in overrides {
            in_force.insert(id, failed);
        }
        let mut out = Vec::with_capacity(rows.len());
        for (id, findings) in rows {
            let f: serde_json::Value = serde_json::from_str(&findings)
                .map_err(|_| StoreError::Corrupt(format!("interaction {id}: findings")))?;
            let engine = f["scorecard"]["items"].as_array().and_then(|items| {
                items
                    .iter()
                    .find(|x| x["item"] == item)
                    .filter(|x| !x["na"].as_bool().unwrap_or(false))
                    .map(|x| x["failed"].as_bool().unwrap_or(false))
            });
            out.push((engine, in_force.get(&id).copied()));
        }
        Ok(out)
    }

    // -------------------------------------------------------------- upward feedback

    /// Stores `rater`'s rating of `lead` in `round`: the ballot and the rating in one
    /// transaction, the rating under 128 random bits and nothing else. Refused when the
    /// rater already rated that lead in that round, or the round is closed.
    pub async fn rate_lead(
        &self,
        round: &str,
        lead: &str,
        rater: &str,
        r: Rating,
        rng: &mut impl rand::RngCore,
    ) -> Result<Rated> {
        let mut raw = [0u8; 16];
        rng.fill_bytes(&mut raw);
        let rid = data_encoding::HEXLOWER.encode(&raw);
        in_tx!(self, |tx| {
            let closed: Option<String> = scalar!(
                &mut *tx,
                fetch_optional,
                "SELECT round FROM upward_rounds WHERE round = $1",
                round
            );
            if closed.is_some() {
                return Ok::<_, StoreError>(Rated::Closed);
            }
            let n = execute!(
                &mut *tx,
                "INSERT INTO upward_ballots (round, lead, rater) VALUES ($1, $2, $3) \
                 ON CONFLICT (round, lead, rater) DO NOTHING",
                round,
                lead,
                rater
            );
            if n != 1 {
                return Ok::<_, StoreError>(Rated::AlreadyRated);
            }
            execute!(
                &mut *tx,
                "INSERT INTO upward_ratings (round, lead, id, coaching, fairness) VALUES ($1, $2, $3, $4, $5)",
                round,
                lead,
                &rid,
                i64::from(r.coaching),
                i64::from(r.fairness)
            );
            Rated::Stored
        })
    }

    /// The leads `rater` has rated in `round`.
    pub async fn rated_leads(&self, round: &str, rater: &str) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT lead FROM upward_ballots WHERE round = $1 AND rater = $2 ORDER BY lead",
            round,
            rater
        ))
    }

    /// The ratings of `lead` in `round`, in the random order of their ids.
    pub async fn lead_ratings(&self, round: &str, lead: &str) -> Result<Vec<Rating>> {
        let rows: Vec<(i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT coaching, fairness FROM upward_ratings WHERE round = $1 AND lead = $2 ORDER BY id",
            round,
            lead
        );
        rows.into_iter()
            .map(|(c, f)| {
                let c = u8::try_from(c).map_err(|_| StoreError::Corrupt("upward rating".into()))?;
                let f = u8::try_from(f).map_err(|_| StoreError::Corrupt("upward rating".into()))?;
                Ok(Rating {
                    coaching: c,
                    fairness: f,
                })
            })
            .collect()
    }

    /// Has `round` been closed?
    pub async fn upward_round_closed(&self, round: &str) -> Result<bool> {
        let r: Option<String> = scalar!(
            self,
            fetch_optional,
            "SELECT round FROM upward_rounds WHERE round = $1",
            round
        );
        Ok(r.is_some())
    }

    /// Closes `round` (the caller checked that it has ended): no more ratings; its
    /// ballots and ratings are rewritten in one transaction in key order, then vacuumed
    /// (PostgreSQL) or the log checkpointed (SQLite), as when a survey wave closes.
    /// `false` if it was already closed.
    pub async fn close_upward_round(&self, round: &str, now: Timestamp) -> Result<bool> {
        let closed = in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "INSERT INTO upward_rounds (round, closed_at) VALUES ($1, $2) \
                 ON CONFLICT (round) DO NOTHING",
                round,
                ms(now)
            );
            if n != 1 {
                return Ok::<_, StoreError>(false);
            }
            let ratings: Vec<(String, String, i64, i64)> = fetch!(
                &mut *tx,
                fetch_all,
                "SELECT lead, id, coaching, fairness FROM upward_ratings WHERE round = $1 ORDER BY lead, id",
                round
            );
            execute!(
                &mut *tx,
                "DELETE FROM upward_ratings WHERE round = $1",
                round
            );
            for r in &ratings {
                execute!(
                    &mut *tx,
                    "INSERT INTO upward_ratings (round, lead, id, coaching, fairness) VALUES ($1, $2, $3, $4, $5)",
                    round,
                    &r.0,
                    &r.1,
                    r.2,
                    r.3
                );
            }
            let ballots: Vec<(String, String)> = fetch!(
                &mut *tx,
                fetch_all,
                "SELECT lead, rater FROM upward_ballots WHERE round = $1 ORDER BY lead, rater",
                round
            );
            execute!(
                &mut *tx,
                "DELETE FROM upward_ballots WHERE round = $1",
                round
            );
            for (lead, rater) in &ballots {
                execute!(
                    &mut *tx,
                    "INSERT INTO upward_ballots (round, lead, rater) VALUES ($1, $2, $3)",
                    round,
                    lead,
                    rater
                );
            }
            true
        })?;
        if closed {
            self.drop_old_row_versions("upward_ratings, upward_ballots")
                .await?;
        }
        Ok(closed)
    }

    /// Rounds with ratings that are not closed yet, oldest first.
    pub async fn open_upward_rounds(&self) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT b.round FROM upward_ballots b \
             WHERE NOT EXISTS (SELECT 1 FROM upward_rounds r WHERE r.round = b.round) ORDER BY b.round"
        ))
    }
}
