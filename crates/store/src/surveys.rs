//! Ethics-climate surveys: surveys, waves, invitations and anonymous responses.
//!
//! **What links a response to its author: nothing the application stores.**
//! `survey_invitations` says who was asked and whether they answered (to refuse a
//! second answer and to show participation); `survey_responses` holds the answers with
//! the day, the reporting dimensions and a random id (not a time-ordered UUIDv7). An
//! answer is one transaction that flips the invitation and inserts the response, so a
//! crash cannot leave one without the other.
//!
//! What the database itself could tell, and what we do about it:
//! - *Row order.* On SQLite both tables are `WITHOUT ROWID`: no rowid counts inserts,
//!   and rows are stored in primary-key order (a random id; the user id). On
//!   PostgreSQL rows sit in insertion order and carry their transaction id (`xmin`),
//!   the same for the two rows of one answer. [`Db::close_wave`] therefore rewrites
//!   every invitation and response of the wave in one transaction, in key order, and
//!   then vacuums the two tables, so a copy of the database taken after the close
//!   cannot order or pair them. While a wave is open, someone who can read PostgreSQL's
//!   system columns or the SQLite write-ahead log (before a checkpoint) could pair
//!   them; the close also checkpoints SQLite's log. The threat model says so.
//! - *Time.* Only the day is stored; no `created_at`, no audit entry per answer, and
//!   request logs carry no user.

use crate::{from_ms, ms, Backend, Db, Result, StoreError};
use jiff::civil::Date;
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::ids::UserId;
use righttrack_core::surveys::results::Response;
use righttrack_core::surveys::{Dims, Question, Thresholds, WaveStatus};
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct Survey {
    pub id: String,
    pub name: String,
    pub questions: Vec<Question>,
    pub created_by: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewWave {
    pub survey_id: String,
    pub name: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub audience: Audience,
    pub views: Vec<String>,
    pub thresholds: Thresholds,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct Wave {
    pub id: String,
    pub survey_id: String,
    pub name: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub audience: Audience,
    pub views: Vec<String>,
    pub thresholds: Thresholds,
    pub status: WaveStatus,
    pub created_by: String,
    pub created_at: Timestamp,
    pub launched_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The cells released at close (results), then only ever fewer.
    pub released: Option<BTreeSet<String>>,
    /// The cells whose comments are released, within `released`.
    pub released_comments: Option<BTreeSet<String>>,
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submit {
    Stored,
    /// This person already answered this wave: nothing changed.
    AlreadyAnswered,
    /// Not invited, or the wave is not open: nothing changed.
    NotOpenToYou,
}

/// Invited and responded counts, overall or for one team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    /// The person's current team (`None` without a team).
    pub team: Option<String>,
    pub invited: u64,
    pub responded: u64,
}

type WaveRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const WAVE_COLS: &str = "id, survey_id, name, opens_on, closes_on, audience, views, min_group, min_comments, status, created_by, created_at, launched_at, closed_at, released, released_comments";

fn corrupt(what: &str) -> impl Fn(String) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

fn cells(json: Option<String>) -> Result<Option<BTreeSet<String>>> {
    json.map(|j| serde_json::from_str(&j).map_err(|e| corrupt("released cells")(e.to_string())))
        .transpose()
}

fn wave_of(r: WaveRow) -> Result<Wave> {
    let date = |s: &str| {
        s.parse::<Date>()
            .map_err(|e| corrupt("wave date")(e.to_string()))
    };
    Ok(Wave {
        opens_on: date(&r.3)?,
        closes_on: date(&r.4)?,
        audience: Audience::from_json(&r.5).map_err(corrupt("wave audience"))?,
        views: serde_json::from_str(&r.6).map_err(|e| corrupt("wave views")(e.to_string()))?,
        thresholds: Thresholds {
            min_group: u32::try_from(r.7).unwrap_or(u32::MAX),
            min_comments: u32::try_from(r.8).unwrap_or(u32::MAX),
        },
        status: WaveStatus::parse(&r.9).ok_or_else(|| corrupt("wave status")(r.9.clone()))?,
        id: r.0,
        survey_id: r.1,
        name: r.2,
        created_by: r.10,
        created_at: from_ms(r.11),
        launched_at: r.12.map(from_ms),
        closed_at: r.13.map(from_ms),
        released: cells(r.14)?,
        released_comments: cells(r.15)?,
    })
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Db {
    pub async fn create_survey(
        &self,
        name: &str,
        questions: &[Question],
        created_by: &str,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = righttrack_core::surveys::new_id(now, rng);
        let q = json(&questions)?;
        execute!(
            self,
            "INSERT INTO surveys (id, name, questions, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            &id,
            name,
            &q,
            created_by,
            ms(now),
        );
        Ok(id)
    }

    pub async fn surveys(&self) -> Result<Vec<Survey>> {
        let rows: Vec<(String, String, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, name, questions, created_by, created_at FROM surveys ORDER BY created_at DESC, id DESC",
        );
        rows.into_iter()
            .map(|(id, name, q, by, at)| {
                Ok(Survey {
                    id,
                    name,
                    questions: serde_json::from_str(&q)
                        .map_err(|e| corrupt("survey questions")(e.to_string()))?,
                    created_by: by,
                    created_at: from_ms(at),
                })
            })
            .collect()
    }

    pub async fn survey(&self, id: &str) -> Result<Option<Survey>> {
        Ok(self.surveys().await?.into_iter().find(|s| s.id == id))
    }

    pub async fn create_wave(
        &self,
        w: &NewWave,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = righttrack_core::surveys::new_id(now, rng);
        execute!(
            self,
            "INSERT INTO survey_waves (id, survey_id, name, opens_on, closes_on, audience, views, min_group, min_comments, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11)",
            &id,
            &w.survey_id,
            &w.name,
            w.opens_on.to_string(),
            w.closes_on.to_string(),
            w.audience.to_json(),
            json(&w.views)?,
            i64::from(w.thresholds.min_group),
            i64::from(w.thresholds.min_comments),
            &w.created_by,
            ms(now),
        );
        Ok(id)
    }

    pub async fn wave(&self, id: &str) -> Result<Option<Wave>> {
        let sql = format!("SELECT {WAVE_COLS} FROM survey_waves WHERE id = $1");
        let row: Option<WaveRow> = fetch!(self, fetch_optional, &sql, id);
        row.map(wave_of).transpose()
    }

    /// Every wave, newest first (optionally of one survey).
    pub async fn waves(&self, survey: Option<&str>) -> Result<Vec<Wave>> {
        let sql = format!(
            "SELECT {WAVE_COLS} FROM survey_waves WHERE ($1 = '' OR survey_id = $1) ORDER BY opens_on DESC, created_at DESC"
        );
        let rows: Vec<WaveRow> = fetch!(self, fetch_all, &sql, survey.unwrap_or(""));
        rows.into_iter().map(wave_of).collect()
    }

    /// Changes a draft's settings; `false` once it is launched (nothing changed).
    pub async fn update_draft_wave(&self, id: &str, w: &NewWave) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE survey_waves SET name = $2, opens_on = $3, closes_on = $4, audience = $5, views = $6, min_group = $7, min_comments = $8 \
             WHERE id = $1 AND status = 'draft'",
            id,
            &w.name,
            w.opens_on.to_string(),
            w.closes_on.to_string(),
            w.audience.to_json(),
            json(&w.views)?,
            i64::from(w.thresholds.min_group),
            i64::from(w.thresholds.min_comments),
        );
        Ok(n == 1)
    }

    /// Sets the thresholds (the caller checked them with `core::surveys::check_thresholds`;
    /// the database also refuses to lower them after launch).
    pub async fn set_wave_thresholds(&self, id: &str, t: Thresholds) -> Result<()> {
        execute!(
            self,
            "UPDATE survey_waves SET min_group = $2, min_comments = $3 WHERE id = $1",
            id,
            i64::from(t.min_group),
            i64::from(t.min_comments),
        );
        Ok(())
    }

    /// Launches a draft: it opens and `invited` (the audience now) are asked, in one
    /// transaction. `false` if it was not a draft (nothing changed).
    pub async fn launch_wave(&self, id: &str, invited: &[UserId], now: Timestamp) -> Result<bool> {
        let mut people: Vec<String> = invited.iter().map(ToString::to_string).collect();
        people.sort();
        people.dedup();
        in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE survey_waves SET status = 'open', launched_at = $2 WHERE id = $1 AND status = 'draft'",
                id,
                ms(now),
            );
            if n != 1 {
                return Ok::<_, StoreError>(false);
            }
            for u in &people {
                execute!(
                    &mut *tx,
                    "INSERT INTO survey_invitations (wave_id, user_id, responded) VALUES ($1, $2, FALSE)",
                    id,
                    u,
                );
            }
            true
        })
    }

    /// Stores an answer: flips the invitation and inserts the response in one
    /// transaction, only while the wave is open and the person has not answered. The
    /// response id is 128 random bits; the caller checked the dates.
    pub async fn submit_survey_response(
        &self,
        wave: &str,
        user: UserId,
        day: Date,
        dims: &Dims,
        answers: &righttrack_core::surveys::Answers,
        rng: &mut impl rand::RngCore,
    ) -> Result<Submit> {
        let mut raw = [0u8; 16];
        rng.fill_bytes(&mut raw);
        let rid = data_encoding::HEXLOWER.encode(&raw);
        let answers = json(answers)?;
        let outcome = in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE survey_invitations SET responded = TRUE \
                 WHERE wave_id = $1 AND user_id = $2 AND responded = FALSE \
                 AND EXISTS (SELECT 1 FROM survey_waves w WHERE w.id = $1 AND w.status = 'open')",
                wave,
                user.to_string(),
            );
            if n != 1 {
                let responded: Option<bool> = scalar!(
                    &mut *tx,
                    fetch_optional,
                    "SELECT responded FROM survey_invitations WHERE wave_id = $1 AND user_id = $2",
                    wave,
                    user.to_string(),
                );
                return Ok::<_, StoreError>(if responded == Some(true) {
                    Submit::AlreadyAnswered
                } else {
                    Submit::NotOpenToYou
                });
            }
            execute!(
                &mut *tx,
                "INSERT INTO survey_responses (wave_id, id, day, team, site, role, tenure, answers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                wave,
                &rid,
                day.to_string(),
                &dims.team,
                &dims.site,
                &dims.role,
                &dims.tenure,
                &answers,
            );
            Submit::Stored
        })?;
        Ok(outcome)
    }

    /// `Some(responded)` if `user` is invited to `wave`.
    pub async fn survey_invitation(&self, wave: &str, user: UserId) -> Result<Option<bool>> {
        Ok(scalar!(
            self,
            fetch_optional,
            "SELECT responded FROM survey_invitations WHERE wave_id = $1 AND user_id = $2",
            wave,
            user.to_string(),
        ))
    }

    /// The launched waves `user` is invited to, with whether they answered.
    pub async fn my_survey_waves(&self, user: UserId) -> Result<Vec<(Wave, bool)>> {
        let ids: Vec<(String, bool)> = fetch!(
            self,
            fetch_all,
            "SELECT wave_id, responded FROM survey_invitations WHERE user_id = $1",
            user.to_string(),
        );
        let mut out = Vec::new();
        for (id, responded) in ids {
            if let Some(w) = self.wave(&id).await? {
                out.push((w, responded));
            }
        }
        out.sort_by(|a, b| b.0.closes_on.cmp(&a.0.closes_on).then(a.0.id.cmp(&b.0.id)));
        Ok(out)
    }

    /// Participation per current team of the invited (`team` None: no team).
    pub async fn survey_participation(&self, wave: &str) -> Result<Vec<Participation>> {
        let rows: Vec<(Option<String>, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT u.team_id, COUNT(*), SUM(CASE WHEN i.responded THEN 1 ELSE 0 END) \
             FROM survey_invitations i JOIN users u ON u.id = i.user_id \
             WHERE i.wave_id = $1 GROUP BY u.team_id ORDER BY u.team_id",
            wave,
        );
        Ok(rows
            .into_iter()
            .map(|(team, invited, responded)| Participation {
                team,
                invited: invited.max(0) as u64,
                responded: responded.max(0) as u64,
            })
            .collect())
    }

    /// Every response of a wave, in id order (random, so in no meaningful order).
    pub async fn survey_responses(&self, wave: &str) -> Result<Vec<Response>> {
        let rows: Vec<(String, String, String, String, String)> = fetch!(
            self,
            fetch_all,
            "SELECT team, site, role, tenure, answers FROM survey_responses WHERE wave_id = $1 ORDER BY id",
            wave,
        );
        rows.into_iter()
            .map(|(team, site, role, tenure, a)| {
                Ok(Response {
                    dims: Dims {
                        team,
                        site,
                        role,
                        tenure,
                    },
                    answers: serde_json::from_str(&a)
                        .map_err(|e| corrupt("survey answers")(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Closes an open wave: no more answers; then every invitation and response of the
    /// wave is rewritten in one transaction in key order, and the tables are vacuumed
    /// (PostgreSQL) or the log checkpointed (SQLite), so that storage order and
    /// transaction ids no longer tell who answered what. `false` if it was not open.
    pub async fn close_wave(&self, id: &str, now: Timestamp) -> Result<bool> {
        let closed = in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE survey_waves SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'",
                id,
                ms(now),
            );
            if n != 1 {
                return Ok::<_, StoreError>(false);
            }
            let responses: Vec<(String, String, String, String, String, String, String)> =
                fetch!(
                    &mut *tx,
                    fetch_all,
                    "SELECT id, day, team, site, role, tenure, answers FROM survey_responses WHERE wave_id = $1 ORDER BY id",
                    id,
                );
            execute!(
                &mut *tx,
                "DELETE FROM survey_responses WHERE wave_id = $1",
                id
            );
            for r in &responses {
                execute!(
                    &mut *tx,
                    "INSERT INTO survey_responses (wave_id, id, day, team, site, role, tenure, answers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    id,
                    &r.0,
                    &r.1,
                    &r.2,
                    &r.3,
                    &r.4,
                    &r.5,
                    &r.6,
                );
            }
            let invited: Vec<(String, bool)> = fetch!(
                &mut *tx,
                fetch_all,
                "SELECT user_id, responded FROM survey_invitations WHERE wave_id = $1 ORDER BY user_id",
                id,
            );
            execute!(
                &mut *tx,
                "DELETE FROM survey_invitations WHERE wave_id = $1",
                id
            );
            for (u, responded) in &invited {
                execute!(
                    &mut *tx,
                    "INSERT INTO survey_invitations (wave_id, user_id, responded) VALUES ($1, $2, $3)",
                    id,
                    u,
                    responded,
                );
            }
            true
        })?;
        if closed {
            self.drop_old_row_versions("survey_responses, survey_invitations")
                .await?;
        }
        Ok(closed)
    }

    /// After rows were rewritten to hide their order, drops what the old versions left on
    /// disk: VACUUM of `tables` on PostgreSQL, a truncating WAL checkpoint on SQLite (best
    /// effort: a reader holding the log open delays it to the next checkpoint). Shared by
    /// survey waves and upward-feedback rounds.
    pub(crate) async fn drop_old_row_versions(&self, tables: &str) -> Result<()> {
        match &self.backend {
            Backend::Postgres(p) => {
                sqlx::query(&format!("VACUUM {tables}")).execute(p).await?;
            }
            Backend::Sqlite(p) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    /// Stores the released cells (results and comments) of a closed wave.
    pub async fn set_wave_release(
        &self,
        id: &str,
        released: &BTreeSet<String>,
        comments: &BTreeSet<String>,
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE survey_waves SET released = $2, released_comments = $3 WHERE id = $1 AND status = 'closed'",
            id,
            json(released)?,
            json(comments)?,
        );
        Ok(())
    }
}
