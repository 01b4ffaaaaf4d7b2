//! Policies, their versions, attestation cycles, quiz attempts, attestations (the
//! evidence) and reminders. The rules live in `core::policies`; this module stores.
//!
//! Every status change is a conditional `UPDATE` (`... WHERE status = <expected>`), so two
//! officers acting at once cannot both approve or publish: the second sees `false`.
//! Publishing is one transaction that supersedes the previous published version. The
//! database holds at most one version in work and one published per policy (partial
//! unique indexes), and one attestation per person and cycle.
//!
//! A policy's *cycle* is its latest published material version: the people assigned to
//! it are the ones who must attest now. Assignments and attestations of older cycles
//! are kept as history and evidence.

use crate::{found, from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::ids::{new_row_id, UserId};
use righttrack_core::policies::{Kind, Question, Score, Status};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub audience: Audience,
    pub attest_days: u32,
    pub pass_mark: u32,
    pub created_by: String,
    pub created_at: Timestamp,
    pub retired_by: Option<String>,
    pub retired_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub id: String,
    pub policy_id: String,
    pub number: i64,
    pub kind: Kind,
    pub summary: String,
    pub body: String,
    pub quiz: Vec<Question>,
    pub status: Status,
    /// Who wrote or edited it (none of them may approve it).
    pub contributors: Vec<String>,
    pub created_at: Timestamp,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<Timestamp>,
    pub approved_by: Option<String>,
    pub approved_at: Option<Timestamp>,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
    /// SHA-256 of the body, set at publication.
    pub hash: Option<String>,
    /// Attest-by instant of a published material version.
    pub due_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: String,
    slug: String,
    title: String,
    audience: String,
    attest_days: i64,
    pass_mark: i64,
    created_by: String,
    created_at: i64,
    retired_by: Option<String>,
    retired_at: Option<i64>,
}

const POLICY_COLS: &str = "id, slug, title, audience, attest_days, pass_mark, created_by, created_at, retired_by, retired_at";

impl PolicyRow {
    fn into_policy(self) -> Result<Policy> {
        Ok(Policy {
            audience: Audience::from_json(&self.audience).map_err(StoreError::Corrupt)?,
            id: self.id,
            slug: self.slug,
            title: self.title,
            attest_days: u32::try_from(self.attest_days).unwrap_or(30),
            pass_mark: u32::try_from(self.pass_mark).unwrap_or(80),
            created_by: self.created_by,
            created_at: from_ms(self.created_at),
            retired_by: self.retired_by,
            retired_at: self.retired_at.map(from_ms),
        })
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: String,
    policy_id: String,
    number: i64,
    kind: String,
    summary: String,
    body: String,
    quiz: String,
    status: String,
    contributors: String,
    created_at: i64,
    submitted_by: Option<String>,
    submitted_at: Option<i64>,
    approved_by: Option<String>,
    approved_at: Option<i64>,
    published_by: Option<String>,
    published_at: Option<i64>,
    hash: Option<String>,
    due_at: Option<i64>,
}

const VERSION_COLS: &str = "id, policy_id, number, kind, summary, body, quiz, status, contributors, created_at, submitted_by, submitted_at, approved_by, approved_at, published_by, published_at, hash, due_at";

impl VersionRow {
    fn into_version(self) -> Result<Version> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("policy version {what}"));
        Ok(Version {
            kind: Kind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?,
            status: Status::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            quiz: serde_json::from_str(&self.quiz).map_err(|_| corrupt("quiz"))?,
            contributors: serde_json::from_str(&self.contributors)
                .map_err(|_| corrupt("contributors"))?,
            id: self.id,
            policy_id: self.policy_id,
            number: self.number,
            summary: self.summary,
            body: self.body,
            created_at: from_ms(self.created_at),
            submitted_by: self.submitted_by,
            submitted_at: self.submitted_at.map(from_ms),
            approved_by: self.approved_by,
            approved_at: self.approved_at.map(from_ms),
            published_by: self.published_by,
            published_at: self.published_at.map(from_ms),
            hash: self.hash,
            due_at: self.due_at.map(from_ms),
        })
    }
}

fn quiz_json(q: &[Question]) -> String {
    serde_json::to_string(q).unwrap_or_else(|_| "[]".into())
}

/// A new policy with its first draft.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub slug: String,
    pub title: String,
    pub audience: Audience,
    pub attest_days: u32,
    pub pass_mark: u32,
    pub by: String,
    pub body: String,
    pub summary: String,
    pub quiz: Vec<Question>,
}

/// One person's assignment in a cycle, with their attestation if any.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub assigned_at: Timestamp,
    pub due_at: Timestamp,
    pub attested_at: Option<Timestamp>,
}

/// An assignment of the caller in a policy's current cycle.
#[derive(Debug, Clone, Serialize)]
pub struct MyAssignment {
    pub policy_id: String,
    pub slug: String,
    pub title: String,
    pub cycle_version_id: String,
    pub cycle_number: i64,
    pub assigned_at: Timestamp,
    pub due_at: Timestamp,
    pub attested_at: Option<Timestamp>,
}

/// One attestation: the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub policy_id: String,
    pub policy: String,
    pub username: String,
    pub display_name: String,
    /// The material version whose cycle this attestation closes.
    pub cycle_number: i64,
    /// The version read and attested (the published one at the time).
    pub version_number: i64,
    pub version_hash: String,
    pub attested_at: Timestamp,
    /// `web` or `api`.
    pub method: String,
    /// Quiz score in per cent; none when the version had no quiz.
    pub score: Option<i64>,
}

/// Answers to one question of a version, over all attempts.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionStat {
    pub version_number: i64,
    /// 0-based position in the quiz.
    pub position: i64,
    pub answers: i64,
    pub wrong: i64,
}

/// A quiz attempt as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub at: Timestamp,
    pub version_number: i64,
    pub score: i64,
    pub passed: bool,
    pub method: String,
}

/// A reminder or escalation of a day, for the mailer: (recipient, kind, about whom,
/// policy title).
pub type DayReminder = (String, String, String, String);

type EvidenceRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    String,
    Option<i64>,
);

const EVIDENCE_SQL: &str = "SELECT p.id, p.title, u.username, u.display_name, c.number, v.number, t.version_hash, t.attested_at, t.method, t.score \
     FROM policy_attestations t JOIN policy_versions c ON c.id = t.cycle_version_id \
     JOIN policy_versions v ON v.id = t.version_id JOIN policies p ON p.id = c.policy_id \
     JOIN users u ON u.id = t.user_id";

fn evidence(r: EvidenceRow) -> Evidence {
    Evidence {
        policy_id: r.0,
        policy: r.1,
        username: r.2,
        display_name: r.3,
        cycle_number: r.4,
        version_number: r.5,
        version_hash: r.6,
        attested_at: from_ms(r.7),
        method: r.8,
        score: r.9,
    }
}

/// (user id, username, display name, disabled, assigned, due, attested)
type AssignmentRow = (String, String, String, bool, i64, i64, Option<i64>);
/// (policy id, slug, title, cycle id, cycle number, assigned, due, attested)
type MyAssignmentRow = (String, String, String, String, i64, i64, i64, Option<i64>);

/// The condition "`v` is its policy's current cycle".
const IS_CYCLE: &str = "v.number = (SELECT MAX(v2.number) FROM policy_versions v2 WHERE v2.policy_id = v.policy_id AND v2.kind = 'material' AND v2.published_at IS NOT NULL)";

impl Db {
    /// Creates a policy and its draft version 1. Returns (policy id, version id);
    /// [`StoreError::Conflict`] when the slug is taken.
    pub async fn create_policy(
        &self,
        p: &NewPolicy,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<(String, String)> {
        let pid = new_row_id(now, rng);
        let vid = new_row_id(now, rng);
        let contributors = serde_json::json!([p.by]).to_string();
        in_tx!(self, |tx| {
            try_execute!(
                &mut *tx,
                "INSERT INTO policies (id, slug, title, audience, attest_days, pass_mark, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &pid,
                &p.slug,
                &p.title,
                p.audience.to_json(),
                i64::from(p.attest_days),
                i64::from(p.pass_mark),
                &p.by,
                ms(now),
            )
            .map_err(|e| StoreError::from(e).naming(|| format!("A policy with the key {:?}", p.slug)))?;
            execute!(
                &mut *tx,
                "INSERT INTO policy_versions (id, policy_id, number, kind, summary, body, quiz, status, contributors, created_at) VALUES ($1, $2, 1, 'material', $3, $4, $5, 'draft', $6, $7)",
                &vid,
                &pid,
                &p.summary,
                &p.body,
                quiz_json(&p.quiz),
                &contributors,
                ms(now),
            );
        })?;
        Ok((pid, vid))
    }

    /// Every policy, by title (retired ones included).
    pub async fn policies(&self) -> Result<Vec<Policy>> {
        let q = format!("SELECT {POLICY_COLS} FROM policies ORDER BY title, id");
        let rows: Vec<PolicyRow> = fetch!(self, fetch_all, &q);
        rows.into_iter().map(PolicyRow::into_policy).collect()
    }

    /// A policy by id or slug.
    pub async fn policy(&self, key: &str) -> Result<Option<Policy>> {
        let q = format!("SELECT {POLICY_COLS} FROM policies WHERE id = $1 OR slug = $1");
        let row: Option<PolicyRow> = fetch!(self, fetch_optional, &q, key);
        row.map(PolicyRow::into_policy).transpose()
    }

    pub async fn count_policies(&self) -> Result<i64> {
        Ok(scalar!(self, fetch_one, "SELECT COUNT(*) FROM policies"))
    }

    /// Changes a policy's title, audience, days to attest and pass mark. A change
    /// applies to cycles opened afterwards (due instants are stored).
    pub async fn update_policy(
        &self,
        id: &str,
        title: &str,
        audience: &Audience,
        attest_days: u32,
        pass_mark: u32,
    ) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE policies SET title = $1, audience = $2, attest_days = $3, pass_mark = $4 WHERE id = $5 AND retired_at IS NULL",
            title,
            audience.to_json(),
            i64::from(attest_days),
            i64::from(pass_mark),
            id,
        );
        found(n)
    }

    /// Retires a policy: its published version becomes retired and nothing more is
    /// asked of anyone. False when it was already retired.
    pub async fn retire_policy(&self, id: &str, by: &str, now: Timestamp) -> Result<bool> {
        in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE policies SET retired_by = $1, retired_at = $2 WHERE id = $3 AND retired_at IS NULL",
                by,
                ms(now),
                id,
            );
            if n == 0 {
                return Ok(false);
            }
            execute!(
                &mut *tx,
                "UPDATE policy_versions SET status = 'retired' WHERE policy_id = $1 AND status = 'published'",
                id,
            );
            true
        })
    }

    /// A policy's versions, newest first.
    pub async fn versions(&self, policy: &str) -> Result<Vec<Version>> {
        let q = format!(
            "SELECT {VERSION_COLS} FROM policy_versions WHERE policy_id = $1 ORDER BY number DESC"
        );
        let rows: Vec<VersionRow> = fetch!(self, fetch_all, &q, policy);
        rows.into_iter().map(VersionRow::into_version).collect()
    }

    pub async fn version(&self, id: &str) -> Result<Option<Version>> {
        let q = format!("SELECT {VERSION_COLS} FROM policy_versions WHERE id = $1");
        let row: Option<VersionRow> = fetch!(self, fetch_optional, &q, id);
        row.map(VersionRow::into_version).transpose()
    }

    /// Starts the next version as a draft, a copy of the newest one's text and quiz.
    /// [`StoreError::Conflict`] when a version is already in work.
    pub async fn new_draft(
        &self,
        policy: &str,
        by: &str,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let latest = self
            .versions(policy)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)?;
        let id = new_row_id(now, rng);
        try_execute!(
            self,
            "INSERT INTO policy_versions (id, policy_id, number, kind, summary, body, quiz, status, contributors, created_at) VALUES ($1, $2, $3, 'material', '', $4, $5, 'draft', $6, $7)",
            &id,
            policy,
            latest.number + 1,
            &latest.body,
            quiz_json(&latest.quiz),
            serde_json::json!([by]).to_string(),
            ms(now),
        )
        .map_err(|e| StoreError::from(e).naming(|| "A version in work of this policy".into()))?;
        Ok(id)
    }

    /// Saves a draft's text, kind, summary and quiz, adding `editor` to its
    /// contributors. False when the version is no longer a draft.
    pub async fn save_draft(
        &self,
        id: &str,
        kind: Kind,
        summary: &str,
        body: &str,
        quiz: &[Question],
        editor: &str,
    ) -> Result<bool> {
        let Some(v) = self.version(id).await? else {
            return Err(StoreError::NotFound);
        };
        let mut contributors = v.contributors;
        if !contributors.iter().any(|c| c == editor) {
            contributors.push(editor.to_owned());
        }
        let n = execute!(
            self,
            "UPDATE policy_versions SET kind = $1, summary = $2, body = $3, quiz = $4, contributors = $5 WHERE id = $6 AND status = 'draft'",
            kind.as_str(),
            summary,
            body,
            quiz_json(quiz),
            serde_json::to_string(&contributors).unwrap_or_else(|_| "[]".into()),
            id,
        );
        Ok(n > 0)
    }

    /// Moves a version from `from` to `to` (submit, approve, return), recording who and
    /// when. False when it was no longer in `from`.
    pub async fn step_version(
        &self,
        id: &str,
        from: Status,
        to: Status,
        by: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let col = match to {
            Status::InReview => "submitted",
            Status::Approved => "approved",
            _ => "",
        };
        let n = if col.is_empty() {
            // Back to draft: the earlier review and approval no longer count.
            execute!(
                self,
                "UPDATE policy_versions SET status = $1, submitted_by = NULL, submitted_at = NULL, approved_by = NULL, approved_at = NULL WHERE id = $2 AND status = $3",
                to.as_str(),
                id,
                from.as_str(),
            )
        } else {
            let q = format!(
                "UPDATE policy_versions SET status = $1, {col}_by = $2, {col}_at = $3 WHERE id = $4 AND status = $5"
            );
            execute!(self, &q, to.as_str(), by, ms(now), id, from.as_str())
        };
        Ok(n > 0)
    }

    /// Publishes an approved version: the previous published one is superseded, in the
    /// same transaction. `due` is set for a material version. False when the version
    /// was no longer approved.
    pub async fn publish_version(
        &self,
        id: &str,
        by: &str,
        now: Timestamp,
        hash: &str,
        due: Option<Timestamp>,
    ) -> Result<bool> {
        in_tx!(self, |tx| {
            let policy: Option<String> = scalar!(
                &mut *tx,
                fetch_optional,
                "SELECT policy_id FROM policy_versions WHERE id = $1 AND status = 'approved'",
                id,
            );
            let Some(policy) = policy else {
                return Ok(false);
            };
            execute!(
                &mut *tx,
                "UPDATE policy_versions SET status = 'superseded' WHERE policy_id = $1 AND status = 'published'",
                &policy,
            );
            execute!(
                &mut *tx,
                "UPDATE policy_versions SET status = 'published', published_by = $1, published_at = $2, hash = $3, due_at = $4 WHERE id = $5",
                by,
                ms(now),
                hash,
                due.map(ms),
                id,
            );
            true
        })
    }

    /// The published version of each policy that is not retired, by title.
    pub async fn published(&self) -> Result<Vec<(Policy, Version)>> {
        let mut out = Vec::new();
        for p in self.policies().await? {
            if p.retired_at.is_some() {
                continue;
            }
            if let Some(v) = self.published_version(&p.id).await? {
                out.push((p, v));
            }
        }
        Ok(out)
    }

    pub async fn published_version(&self, policy: &str) -> Result<Option<Version>> {
        let q = format!(
            "SELECT {VERSION_COLS} FROM policy_versions WHERE policy_id = $1 AND status = 'published'"
        );
        let row: Option<VersionRow> = fetch!(self, fetch_optional, &q, policy);
        row.map(VersionRow::into_version).transpose()
    }

    /// The policy's current cycle: its latest published material version.
    pub async fn cycle(&self, policy: &str) -> Result<Option<Version>> {
        let q = format!(
            "SELECT {VERSION_COLS} FROM policy_versions v WHERE v.policy_id = $1 AND v.kind = 'material' AND v.published_at IS NOT NULL ORDER BY v.number DESC LIMIT 1"
        );
        let row: Option<VersionRow> = fetch!(self, fetch_optional, &q, policy);
        row.map(VersionRow::into_version).transpose()
    }

    /// Assigns a cycle to people who do not have it yet. Returns how many were new.
    pub async fn assign(
        &self,
        cycle: &str,
        users: &[UserId],
        now: Timestamp,
        due: Timestamp,
    ) -> Result<u64> {
        // Pages call this on every view: read who is assigned first, so that the usual
        // case (nobody new) costs one read and no write transaction.
        let have: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT user_id FROM policy_assignments WHERE version_id = $1",
            cycle,
        );
        let have: std::collections::HashSet<String> = have.into_iter().collect();
        let missing: Vec<String> = users
            .iter()
            .map(ToString::to_string)
            .filter(|u| !have.contains(u))
            .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let mut new = 0;
        in_tx!(self, |tx| {
            for u in &missing {
                new += execute!(
                    &mut *tx,
                    "INSERT INTO policy_assignments (version_id, user_id, assigned_at, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT (version_id, user_id) DO NOTHING",
                    cycle,
                    u,
                    ms(now),
                    ms(due),
                );
            }
        })?;
        Ok(new)
    }

    /// Everyone assigned a cycle, with their attestation time, by display name.
    pub async fn assignments(&self, cycle: &str) -> Result<Vec<Assignment>> {
        let rows: Vec<AssignmentRow> = fetch!(
            self,
            fetch_all,
            "SELECT u.id, u.username, u.display_name, u.disabled, a.assigned_at, a.due_at, t.attested_at \
                 FROM policy_assignments a JOIN users u ON u.id = a.user_id \
                 LEFT JOIN policy_attestations t ON t.cycle_version_id = a.version_id AND t.user_id = a.user_id \
                 WHERE a.version_id = $1 ORDER BY u.display_name, u.username",
            cycle,
        );
        rows.into_iter()
            .map(|r| {
                Ok(Assignment {
                    user_id: UserId::parse(&r.0)
                        .ok_or_else(|| StoreError::Corrupt("assignment user".into()))?,
                    username: r.1,
                    display_name: r.2,
                    disabled: r.3,
                    assigned_at: from_ms(r.4),
                    due_at: from_ms(r.5),
                    attested_at: r.6.map(from_ms),
                })
            })
            .collect()
    }

    /// A person's assignments in the current cycles of policies that are not retired,
    /// soonest due first.
    pub async fn my_assignments(&self, user: UserId) -> Result<Vec<MyAssignment>> {
        let q = format!(
            "SELECT p.id, p.slug, p.title, v.id, v.number, a.assigned_at, a.due_at, t.attested_at \
             FROM policy_assignments a JOIN policy_versions v ON v.id = a.version_id \
             JOIN policies p ON p.id = v.policy_id \
             LEFT JOIN policy_attestations t ON t.cycle_version_id = a.version_id AND t.user_id = a.user_id \
             WHERE a.user_id = $1 AND p.retired_at IS NULL AND {IS_CYCLE} ORDER BY a.due_at, p.title"
        );
        let rows: Vec<MyAssignmentRow> = fetch!(self, fetch_all, &q, user.to_string());
        Ok(rows
            .into_iter()
            .map(|r| MyAssignment {
                policy_id: r.0,
                slug: r.1,
                title: r.2,
                cycle_version_id: r.3,
                cycle_number: r.4,
                assigned_at: from_ms(r.5),
                due_at: from_ms(r.6),
                attested_at: r.7.map(from_ms),
            })
            .collect())
    }

    /// Every open assignment in a current cycle, for reminders: (cycle, user, due).
    pub async fn open_assignments(&self) -> Result<Vec<(String, UserId, Timestamp)>> {
        let q = format!(
            "SELECT v.id, a.user_id, a.due_at FROM policy_assignments a \
             JOIN policy_versions v ON v.id = a.version_id JOIN policies p ON p.id = v.policy_id \
             JOIN users u ON u.id = a.user_id \
             LEFT JOIN policy_attestations t ON t.cycle_version_id = a.version_id AND t.user_id = a.user_id \
             WHERE t.id IS NULL AND u.disabled = FALSE AND p.retired_at IS NULL AND {IS_CYCLE}"
        );
        let rows: Vec<(String, String, i64)> = fetch!(self, fetch_all, &q);
        Ok(rows
            .into_iter()
            .filter_map(|(c, u, d)| Some((c, UserId::parse(&u)?, from_ms(d))))
            .collect())
    }

    /// Stores a quiz attempt with each question's result. Returns its id.
    pub async fn record_attempt(
        &self,
        version: &str,
        user: UserId,
        score: &Score,
        method: &str,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(now, rng);
        in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO policy_attempts (id, version_id, user_id, at, correct, total, score, passed, method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &id,
                version,
                user.to_string(),
                ms(now),
                i64::from(score.correct),
                i64::from(score.total),
                i64::from(score.percent),
                score.passed,
                method,
            );
            for (i, ok) in score.per_question.iter().enumerate() {
                execute!(
                    &mut *tx,
                    "INSERT INTO policy_attempt_answers (attempt_id, position, correct) VALUES ($1, $2, $3)",
                    &id,
                    i64::try_from(i).unwrap_or(i64::MAX),
                    *ok,
                );
            }
        })?;
        Ok(id)
    }

    /// A person's attempts at a policy's quizzes, newest first.
    pub async fn attempts(&self, policy: &str, user: UserId) -> Result<Vec<Attempt>> {
        let rows: Vec<(i64, i64, i64, bool, String)> = fetch!(
            self,
            fetch_all,
            "SELECT a.at, v.number, a.score, a.passed, a.method FROM policy_attempts a JOIN policy_versions v ON v.id = a.version_id \
             WHERE v.policy_id = $1 AND a.user_id = $2 ORDER BY a.at DESC, a.id DESC",
            policy,
            user.to_string(),
        );
        Ok(rows
            .into_iter()
            .map(|r| Attempt {
                at: from_ms(r.0),
                version_number: r.1,
                score: r.2,
                passed: r.3,
                method: r.4,
            })
            .collect())
    }

    /// Records an attestation. [`StoreError::Conflict`] when this person already
    /// attested this cycle.
    #[expect(
        clippy::too_many_arguments,
        reason = "one column each; a struct would only rename them"
    )]
    pub async fn attest(
        &self,
        cycle: &str,
        user: UserId,
        version: &Version,
        method: &str,
        score: Option<u32>,
        attempt: Option<&str>,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(now, rng);
        let hash = version.hash.clone().unwrap_or_default();
        try_execute!(
            self,
            "INSERT INTO policy_attestations (id, cycle_version_id, user_id, version_id, version_hash, attested_at, method, score, attempt_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &id,
            cycle,
            user.to_string(),
            &version.id,
            &hash,
            ms(now),
            method,
            score.map(i64::from),
            attempt,
        )
        .map_err(|e| StoreError::from(e).naming(|| "An attestation of this version".into()))?;
        Ok(id)
    }

    /// The version a person last attested of a policy (any cycle).
    pub async fn last_attested(&self, policy: &str, user: UserId) -> Result<Option<Version>> {
        let id: Option<String> = scalar!(
            self,
            fetch_optional,
            "SELECT t.version_id FROM policy_attestations t JOIN policy_versions v ON v.id = t.version_id \
             WHERE v.policy_id = $1 AND t.user_id = $2 ORDER BY t.attested_at DESC, v.number DESC LIMIT 1",
            policy,
            user.to_string(),
        );
        match id {
            Some(id) => self.version(&id).await,
            None => Ok(None),
        }
    }

    /// The evidence of a policy (every cycle), newest first.
    pub async fn policy_evidence(&self, policy: &str) -> Result<Vec<Evidence>> {
        let q = format!("{EVIDENCE_SQL} WHERE p.id = $1 ORDER BY t.attested_at DESC, u.username");
        let rows: Vec<EvidenceRow> = fetch!(self, fetch_all, &q, policy);
        Ok(rows.into_iter().map(evidence).collect())
    }

    /// A person's attestations, newest first.
    pub async fn my_evidence(&self, user: UserId) -> Result<Vec<Evidence>> {
        let q = format!("{EVIDENCE_SQL} WHERE t.user_id = $1 ORDER BY t.attested_at DESC");
        let rows: Vec<EvidenceRow> = fetch!(self, fetch_all, &q, user.to_string());
        Ok(rows.into_iter().map(evidence).collect())
    }

    /// Answers and wrong answers per question of each version of a policy.
    pub async fn question_stats(&self, policy: &str) -> Result<Vec<QuestionStat>> {
        let rows: Vec<(i64, i64, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT v.number, q.position, COUNT(*), SUM(CASE WHEN q.correct THEN 0 ELSE 1 END) \
             FROM policy_attempt_answers q JOIN policy_attempts a ON a.id = q.attempt_id \
             JOIN policy_versions v ON v.id = a.version_id WHERE v.policy_id = $1 \
             GROUP BY v.number, q.position ORDER BY v.number DESC, q.position",
            policy,
        );
        Ok(rows
            .into_iter()
            .map(|r| QuestionStat {
                version_number: r.0,
                position: r.1,
                answers: r.2,
                wrong: r.3,
            })
            .collect())
    }

    /// When the last reminder (`kind` reminder or escalation) about this person and
    /// cycle went out.
    pub async fn last_reminder(
        &self,
        cycle: &str,
        user: UserId,
        kind: &str,
    ) -> Result<Option<Timestamp>> {
        let at: Option<i64> = scalar!(
            self,
            fetch_one,
            "SELECT MAX(sent_at) FROM policy_reminders WHERE cycle_version_id = $1 AND user_id = $2 AND kind = $3",
            cycle,
            user.to_string(),
            kind,
        );
        Ok(at.map(from_ms))
    }

    /// Records a reminder or escalation sent today. False when one was already sent today.
    pub async fn put_reminder(
        &self,
        cycle: &str,
        user: UserId,
        kind: &str,
        recipient: UserId,
        day: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO policy_reminders (cycle_version_id, user_id, kind, recipient_id, day, sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (cycle_version_id, user_id, kind, day) DO NOTHING",
            cycle,
            user.to_string(),
            kind,
            recipient.to_string(),
            day,
            ms(now),
        );
        Ok(n > 0)
    }

    /// The reminders and escalations of a day, for a mailer, by recipient.
    pub async fn reminders_of_day(&self, day: &str) -> Result<Vec<DayReminder>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT r.username, m.kind, u.display_name, p.title FROM policy_reminders m \
             JOIN users r ON r.id = m.recipient_id JOIN users u ON u.id = m.user_id \
             JOIN policy_versions v ON v.id = m.cycle_version_id JOIN policies p ON p.id = v.policy_id \
             WHERE m.day = $1 ORDER BY r.username, m.kind, u.display_name, p.title",
            day,
        ))
    }

    /// Per person of a cycle: (user, kind, how many sent, last sent).
    pub async fn cycle_reminders(
        &self,
        cycle: &str,
    ) -> Result<Vec<(UserId, String, i64, Timestamp)>> {
        let rows: Vec<(String, String, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT user_id, kind, COUNT(*), MAX(sent_at) FROM policy_reminders WHERE cycle_version_id = $1 GROUP BY user_id, kind",
            cycle,
        );
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((UserId::parse(&r.0)?, r.1, r.2, from_ms(r.3))))
            .collect())
    }
}
