//! Calibration sessions: several analysts score the same interactions blind.
//!
//! A session is open until its creator closes it or the last participant submits
//! ([`Db::save_calibration_ratings`] closes it in the same transaction). Ratings can be
//! changed until their author submits; once submitted, or once the session is closed,
//! they are fixed. Blindness (who may read which ratings when) is decided by the web
//! layer; this module only stores.

use crate::{from_ms, ms, on_pool, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::ids::CalibrationId;

/// What a new session needs. Interactions are external ids, participants usernames.
#[derive(Debug, Clone)]
pub struct NewCalibration {
    pub name: String,
    pub created_by: String,
    pub due_at: Timestamp,
    pub interactions: Vec<String>,
    pub participants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub username: String,
    pub submitted_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct Calibration {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub due_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// In the order they were chosen.
    pub interactions: Vec<String>,
    /// In the order they were chosen.
    pub participants: Vec<Participant>,
}

impl Calibration {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn participant(&self, username: &str) -> Option<&Participant> {
        self.participants.iter().find(|p| p.username == username)
    }
}

/// One rating of one item of one interaction by one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationRating {
    pub username: String,
    pub ext_id: String,
    pub item: String,
    /// Points awarded; `None` is N/A.
    pub points: Option<i64>,
    /// Scrubbed free text (may be empty).
    pub comment: String,
}

/// The result of saving a participant's ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Stored as a draft.
    Saved,
    /// Stored and submitted; `closed` when this was the last submission.
    Submitted { closed: bool },
    /// The session is closed: nothing changed.
    SessionClosed,
    /// This participant already submitted: nothing changed.
    AlreadySubmitted,
    /// Not a participant (or no such session): nothing changed.
    NotParticipant,
}

type SessionRow = (String, String, String, i64, i64, Option<i64>);

impl Db {
    /// Creates a session with its interactions and participants, in one transaction.
    pub async fn create_calibration(
        &self,
        c: &NewCalibration,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = CalibrationId::new_v7(now, rng).to_string();
        in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO calibration_sessions (id, name, created_by, created_at, due_at, closed_at) VALUES ($1, $2, $3, $4, $5, NULL)",
                &id,
                &c.name,
                &c.created_by,
                ms(now),
                ms(c.due_at),
            );
            for (n, ext_id) in c.interactions.iter().enumerate() {
                try_execute!(
                    &mut *tx,
                    "INSERT INTO calibration_interactions (session_id, ext_id, position) VALUES ($1, $2, $3)",
                    &id,
                    ext_id,
                    n as i64,
                )
                .map_err(|e| StoreError::from(e).naming(|| format!("interaction {ext_id:?} in this session")))?;
            }
            for u in &c.participants {
                try_execute!(
                    &mut *tx,
                    "INSERT INTO calibration_participants (session_id, username, submitted_at) VALUES ($1, $2, NULL)",
                    &id,
                    u,
                )
                .map_err(|e| StoreError::from(e).naming(|| format!("participant {u:?} in this session")))?;
            }
        })?;
        Ok(id)
    }

    /// One session with its interactions and participants.
    pub async fn calibration(&self, id: &str) -> Result<Option<Calibration>> {
        let row: Option<SessionRow> = fetch!(
            self,
            fetch_optional,
            "SELECT id, name, created_by, created_at, due_at, closed_at FROM calibration_sessions WHERE id = $1",
            id,
        );
        let Some(r) = row else { return Ok(None) };
        let interactions: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT ext_id FROM calibration_interactions WHERE session_id = $1 ORDER BY position",
            id,
        );
        let people: Vec<(String, Option<i64>)> = fetch!(
            self,
            fetch_all,
            "SELECT username, submitted_at FROM calibration_participants WHERE session_id = $1 ORDER BY username",
            id,
        );
        Ok(Some(Calibration {
            id: r.0,
            name: r.1,
            created_by: r.2,
            created_at: from_ms(r.3),
            due_at: from_ms(r.4),
            closed_at: r.5.map(from_ms),
            interactions,
            participants: people
                .into_iter()
                .map(|(username, s)| Participant {
                    username,
                    submitted_at: s.map(from_ms),
                })
                .collect(),
        }))
    }

    /// Sessions `username` created or takes part in, newest first. With `all_closed`,
    /// every closed session too (for those who run calibration).
    pub async fn calibrations_for(
        &self,
        username: &str,
        all_closed: bool,
        limit: i64,
    ) -> Result<Vec<Calibration>> {
        let ids: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT s.id FROM calibration_sessions s WHERE s.created_by = $1 \
                 OR EXISTS (SELECT 1 FROM calibration_participants c WHERE c.session_id = s.id AND c.username = $1) \
                 OR ($2 AND s.closed_at IS NOT NULL) \
                 ORDER BY s.created_at DESC, s.id DESC LIMIT $3",
            username,
            all_closed,
            limit.clamp(1, 500),
        );
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.calibration(&id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Ratings of a session, optionally of one participant only.
    pub async fn calibration_ratings(
        &self,
        id: &str,
        username: Option<&str>,
    ) -> Result<Vec<CalibrationRating>> {
        let rows: Vec<(String, String, String, Option<i64>, String)> = on_pool!(self, |p| {
            let q = sqlx::query_as(
                "SELECT username, ext_id, item, points, comment FROM calibration_ratings \
                 WHERE session_id = $1 AND ($2 IS NULL OR username = $2) ORDER BY username, ext_id, item",
            );
            q.bind(id).bind(username).fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| CalibrationRating {
                username: r.0,
                ext_id: r.1,
                item: r.2,
                points: r.3,
                comment: r.4,
            })
            .collect())
    }

    /// Replaces a participant's ratings (a draft) and, with `submit`, submits them; the
    /// last submission closes the session. All in one transaction, refused when the
    /// session is closed or the participant already submitted.
    pub async fn save_calibration_ratings(
        &self,
        id: &str,
        username: &str,
        ratings: &[CalibrationRating],
        submit: bool,
        now: Timestamp,
    ) -> Result<SaveOutcome> {
        in_tx!(self, |tx| {
            // Lock the session row first (PostgreSQL) so a close and a last
            // submission cannot interleave.
            let closed: Option<(Option<i64>,)> = fetch!(
                &mut *tx,
                fetch_optional,
                "UPDATE calibration_sessions SET name = name WHERE id = $1 RETURNING closed_at",
                id,
            );
            let Some((closed,)) = closed else {
                return Ok(SaveOutcome::NotParticipant);
            };
            if closed.is_some() {
                return Ok(SaveOutcome::SessionClosed);
            }
            let me: Option<(Option<i64>,)> = fetch!(
                &mut *tx,
                fetch_optional,
                "SELECT submitted_at FROM calibration_participants WHERE session_id = $1 AND username = $2",
                id,
                username,
            );
            match me {
                None => return Ok(SaveOutcome::NotParticipant),
                Some((Some(_),)) => return Ok(SaveOutcome::AlreadySubmitted),
                Some((None,)) => {}
            }
            execute!(
                &mut *tx,
                "DELETE FROM calibration_ratings WHERE session_id = $1 AND username = $2",
                id,
                username,
            );
            for r in ratings {
                execute!(
                    &mut *tx,
                    "INSERT INTO calibration_ratings (session_id, username, ext_id, item, points, comment) VALUES ($1, $2, $3, $4, $5, $6)",
                    id,
                    username,
                    &r.ext_id,
                    &r.item,
                    r.points,
                    &r.comment,
                );
            }
            let outcome = if submit {
                execute!(
                    &mut *tx,
                    "UPDATE calibration_participants SET submitted_at = $1 WHERE session_id = $2 AND username = $3",
                    ms(now),
                    id,
                    username,
                );
                let waiting: i64 = scalar!(
                    &mut *tx,
                    fetch_one,
                    "SELECT COUNT(*) FROM calibration_participants WHERE session_id = $1 AND submitted_at IS NULL",
                    id,
                );
                if waiting == 0 {
                    execute!(
                        &mut *tx,
                        "UPDATE calibration_sessions SET closed_at = $1 WHERE id = $2",
                        ms(now),
                        id,
                    );
                }
                SaveOutcome::Submitted {
                    closed: waiting == 0,
                }
            } else {
                SaveOutcome::Saved
            };
            outcome
        })
    }

    /// Closes an open session. False when it is unknown or already closed.
    pub async fn close_calibration(&self, id: &str, now: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE calibration_sessions SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL",
            ms(now),
            id,
        );
        Ok(n == 1)
    }
}

impl Db {
    /// Is `username` still to submit in an open session that contains this interaction?
    /// Such a participant must not see the engine's score for it (blind scoring).
    pub async fn calibration_blinds(&self, username: &str, ext_id: &str) -> Result<bool> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT COUNT(*) FROM calibration_participants c \
                 JOIN calibration_sessions s ON s.id = c.session_id \
                 JOIN calibration_interactions i ON i.session_id = c.session_id \
                 WHERE c.username = $1 AND c.submitted_at IS NULL AND s.closed_at IS NULL AND i.ext_id = $2",
            username,
            ext_id,
        );
        Ok(n > 0)
    }

    /// Is `username` a participant of a calibration session that contains this
    /// interaction (open or closed)? Such a person was given the transcript to score.
    pub async fn calibration_includes(&self, username: &str, ext_id: &str) -> Result<bool> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM calibration_participants c \
                 JOIN calibration_interactions i ON i.session_id = c.session_id \
                 WHERE c.username = $1 AND i.ext_id = $2",
            username,
            ext_id,
        );
        Ok(n > 0)
    }
}
