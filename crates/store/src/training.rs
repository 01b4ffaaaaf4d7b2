//! Training: courses, assignment rules, assignments, quiz attempts and completions.
//!
//! Rules live in `core::training`; this module keeps rows. Assignments are written by
//! [`Db::sync_training_assignments`], which is idempotent (one assignment per person and
//! course, the first rule that reached them wins), so it can run on every rule change,
//! user creation, page view of the training pages and the `serve` sweep. Completions are
//! passing completions only, with their expiry fixed at recording; attempts keep every
//! quiz try, passed or not.

use crate::{found, from_ms, ms, Db, Result, StoreError};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::audience::Audience;
use righttrack_core::ids::{new_row_id, UserId};
use righttrack_core::training::Quiz;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Course {
    pub id: String,
    pub code: String,
    pub title: String,
    pub content: String,
    pub quiz: Quiz,
    pub pass_mark: i64,
    pub validity_months: Option<i64>,
    pub grants_data_access: bool,
    pub external: bool,
    pub archived: bool,
    pub created_at: Timestamp,
}

/// What an officer types for a course (create or edit).
#[derive(Debug, Clone)]
pub struct CourseInput {
    pub code: String,
    pub title: String,
    pub content: String,
    pub quiz: Quiz,
    pub pass_mark: i64,
    pub validity_months: Option<i64>,
    pub grants_data_access: bool,
    pub external: bool,
}

/// A rule to add: who (`audience`; `on_hire`: only people created later) must take
/// `course_id` within `due_days` of being assigned it.
#[derive(Debug, Clone)]
pub struct NewRule<'a> {
    pub course_id: &'a str,
    pub audience: &'a Audience,
    pub due_days: i64,
    pub on_hire: bool,
    pub created_by: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: String,
    pub course_id: String,
    pub audience: Audience,
    pub due_days: i64,
    pub on_hire: bool,
    pub active: bool,
    pub created_by: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub course_id: String,
    pub user_id: UserId,
    pub rule_id: Option<String>,
    pub assigned_at: Timestamp,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    pub id: String,
    pub course_id: String,
    pub user_id: UserId,
    pub completed_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub score: Option<i64>,
    /// `quiz`, `import` or `manual`.
    pub source: String,
    pub note: String,
    pub recorded_by: String,
    pub verification: String,
}

#[derive(Debug, Clone)]
pub struct NewCompletion {
    pub course_id: String,
    pub user_id: UserId,
    pub completed_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub score: Option<i64>,
    pub source: &'static str,
    pub note: String,
    pub recorded_by: String,
    pub verification: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub score: i64,
    pub passed: bool,
    pub at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: String,
    code: String,
    title: String,
    content: String,
    quiz: String,
    pass_mark: i64,
    validity_months: Option<i64>,
    grants_data_access: bool,
    external: bool,
    archived: bool,
    created_at: i64,
}

impl CourseRow {
    fn into_course(self) -> Result<Course> {
        Ok(Course {
            quiz: serde_json::from_str(&self.quiz)
                .map_err(|e| StoreError::Corrupt(format!("course {} quiz: {e}", self.code)))?,
            id: self.id,
            code: self.code,
            title: self.title,
            content: self.content,
            pass_mark: self.pass_mark,
            validity_months: self.validity_months,
            grants_data_access: self.grants_data_access,
            external: self.external,
            archived: self.archived,
            created_at: from_ms(self.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct CompletionRow {
    id: String,
    course_id: String,
    user_id: String,
    completed_at: i64,
    expires_at: Option<i64>,
    score: Option<i64>,
    source: String,
    note: String,
    recorded_by: String,
    verification: String,
}

fn uid(s: &str) -> Result<UserId> {
    UserId::parse(s).ok_or_else(|| StoreError::Corrupt(format!("invalid user id {s:?}")))
}

impl CompletionRow {
    fn into_completion(self) -> Result<Completion> {
        Ok(Completion {
            user_id: uid(&self.user_id)?,
            id: self.id,
            course_id: self.course_id,
            completed_at: from_ms(self.completed_at),
            expires_at: self.expires_at.map(from_ms),
            score: self.score,
            source: self.source,
            note: self.note,
            recorded_by: self.recorded_by,
            verification: self.verification,
        })
    }
}

const COURSE_COLS: &str = "id, code, title, content, quiz, pass_mark, validity_months, grants_data_access, external, archived, created_at";
const COMPLETION_COLS: &str = "id, course_id, user_id, completed_at, expires_at, score, source, note, recorded_by, verification";

fn quiz_json(q: &Quiz) -> Result<String> {
    serde_json::to_string(q).map_err(|e| StoreError::Corrupt(format!("quiz: {e}")))
}

impl Db {
    pub async fn training_courses(&self) -> Result<Vec<Course>> {
        let sql = format!("SELECT {COURSE_COLS} FROM training_courses ORDER BY archived, title");
        let rows: Vec<CourseRow> = fetch!(self, fetch_all, &sql);
        rows.into_iter().map(CourseRow::into_course).collect()
    }

    pub async fn training_course(&self, id: &str) -> Result<Option<Course>> {
        let sql = format!("SELECT {COURSE_COLS} FROM training_courses WHERE id = $1 OR code = $1");
        let row: Option<CourseRow> = fetch!(self, fetch_optional, &sql, id);
        row.map(CourseRow::into_course).transpose()
    }

    pub async fn create_training_course(
        &self,
        c: &CourseInput,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(now, rng);
        let quiz = quiz_json(&c.quiz)?;
        try_execute!(
            self,
            "INSERT INTO training_courses (id, code, title, content, quiz, pass_mark, validity_months, grants_data_access, external, archived, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10)",
            &id,
            &c.code,
            &c.title,
            &c.content,
            &quiz,
            c.pass_mark,
            c.validity_months,
            c.grants_data_access,
            c.external,
            ms(now),
        )
        .map_err(|e| StoreError::from(e).naming(|| format!("course code {:?}", c.code)))?;
        Ok(id)
    }

    /// Saves an edited course (the code never changes: imports refer to it).
    pub async fn update_training_course(
        &self,
        id: &str,
        c: &CourseInput,
        archived: bool,
    ) -> Result<()> {
        let quiz = quiz_json(&c.quiz)?;
        let n = execute!(
            self,
            "UPDATE training_courses SET title = $1, content = $2, quiz = $3, pass_mark = $4, validity_months = $5, \
             grants_data_access = $6, external = $7, archived = $8 WHERE id = $9",
            &c.title,
            &c.content,
            &quiz,
            c.pass_mark,
            c.validity_months,
            c.grants_data_access,
            c.external,
            archived,
            id,
        );
        found(n)
    }

    pub async fn create_training_rule(
        &self,
        rule: &NewRule<'_>,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(now, rng);
        execute!(
            self,
            "INSERT INTO training_rules (id, course_id, audience, due_days, on_hire, active, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7)",
            &id,
            rule.course_id,
            rule.audience.to_json(),
            rule.due_days,
            rule.on_hire,
            rule.created_by,
            ms(now),
        );
        Ok(id)
    }

    pub async fn set_training_rule_active(&self, id: &str, active: bool) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE training_rules SET active = $1 WHERE id = $2",
            active,
            id
        );
        found(n)
    }

    pub async fn training_rules(&self) -> Result<Vec<Rule>> {
        type Row = (String, String, String, i64, bool, bool, String, i64);
        let rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT id, course_id, audience, due_days, on_hire, active, created_by, created_at FROM training_rules ORDER BY created_at",
        );
        rows.into_iter()
            .map(
                |(id, course_id, audience, due_days, on_hire, active, created_by, at)| {
                    Ok(Rule {
                        audience: Audience::from_json(&audience).map_err(StoreError::Corrupt)?,
                        id,
                        course_id,
                        due_days,
                        on_hire,
                        active,
                        created_by,
                        created_at: from_ms(at),
                    })
                },
            )
            .collect()
    }

    /// Assigns every active rule's course to the people its audience includes now
    /// (on-hire rules: only people created after the rule was made), due `due_days` from now,
    /// skipping anyone already assigned that course. Archived courses assign no one.
    /// Returns the new assignments as (course id, user).
    pub async fn sync_training_assignments(&self, now: Timestamp) -> Result<Vec<(String, UserId)>> {
        let archived: Vec<String> = self
            .training_courses()
            .await?
            .into_iter()
            .filter(|c| c.archived)
            .map(|c| c.id)
            .collect();
        let mut new = Vec::new();
        for rule in self.training_rules().await? {
            if !rule.active || archived.contains(&rule.course_id) {
                continue;
            }
            let due = now
                .checked_add(SignedDuration::from_hours(24 * rule.due_days))
                .unwrap_or(now);
            // Pages call this on every view: read who is assigned first, so that the
            // usual case (nobody new) costs one read per rule and no write.
            let have: Vec<String> = scalar!(
                self,
                fetch_all,
                "SELECT user_id FROM training_assignments WHERE course_id = $1",
                &rule.course_id,
            );
            let have: std::collections::HashSet<String> = have.into_iter().collect();
            let missing: Vec<UserId> = self
                .audience_members(&rule.audience)
                .await?
                .into_iter()
                .filter(|u| !(rule.on_hire && u.created_at <= rule.created_at))
                .filter(|u| !have.contains(&u.id.to_string()))
                .map(|u| u.id)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let added: Vec<UserId> = in_tx!(self, |tx| {
                let mut added = Vec::new();
                for u in &missing {
                    let n = execute!(
                        &mut *tx,
                        "INSERT INTO training_assignments (course_id, user_id, rule_id, assigned_at, due_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (course_id, user_id) DO NOTHING",
                        &rule.course_id,
                        u.to_string(),
                        &rule.id,
                        ms(now),
                        ms(due),
                    );
                    if n > 0 {
                        added.push(*u);
                    }
                }
                added
            })?;
            new.extend(added.into_iter().map(|u| (rule.course_id.clone(), u)));
        }
        Ok(new)
    }

    /// Assignments, of one person or of everyone.
    pub async fn training_assignments(&self, user: Option<UserId>) -> Result<Vec<Assignment>> {
        type Row = (String, String, Option<String>, i64, i64);
        let rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT course_id, user_id, rule_id, assigned_at, due_at FROM training_assignments \
             WHERE $1 = '' OR user_id = $1 ORDER BY due_at",
            user.map(|u| u.to_string()).unwrap_or_default(),
        );
        rows.into_iter()
            .map(|(course_id, user_id, rule_id, assigned_at, due_at)| {
                Ok(Assignment {
                    user_id: uid(&user_id)?,
                    course_id,
                    rule_id,
                    assigned_at: from_ms(assigned_at),
                    due_at: from_ms(due_at),
                })
            })
            .collect()
    }

    /// Completions, of one person or of everyone, oldest first.
    pub async fn training_completions(&self, user: Option<UserId>) -> Result<Vec<Completion>> {
        let sql = format!(
            "SELECT {COMPLETION_COLS} FROM training_completions WHERE $1 = '' OR user_id = $1 ORDER BY completed_at, id"
        );
        let rows: Vec<CompletionRow> = fetch!(
            self,
            fetch_all,
            &sql,
            user.map(|u| u.to_string()).unwrap_or_default(),
        );
        rows.into_iter()
            .map(CompletionRow::into_completion)
            .collect()
    }

    pub async fn training_completion(&self, id: &str) -> Result<Option<Completion>> {
        self.training_completion_where("id", id).await
    }

    pub async fn training_completion_by_code(&self, code: &str) -> Result<Option<Completion>> {
        self.training_completion_where("verification", code).await
    }

    /// The completion whose `column` (a unique one) holds `value`.
    async fn training_completion_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<Completion>> {
        let sql = format!("SELECT {COMPLETION_COLS} FROM training_completions WHERE {column} = $1");
        let row: Option<CompletionRow> = fetch!(self, fetch_optional, &sql, value);
        row.map(CompletionRow::into_completion).transpose()
    }

    /// Records a passing completion. `None` when the same person already has a
    /// completion of the course at that exact time (a re-imported line).
    pub async fn add_training_completion(
        &self,
        c: &NewCompletion,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<Option<String>> {
        let id = new_row_id(now, rng);
        let n = execute!(
            self,
            "INSERT INTO training_completions (id, course_id, user_id, completed_at, expires_at, score, source, note, recorded_by, verification) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (course_id, user_id, completed_at) DO NOTHING",
            &id,
            &c.course_id,
            c.user_id.to_string(),
            ms(c.completed_at),
            c.expires_at.map(ms),
            c.score,
            c.source,
            &c.note,
            &c.recorded_by,
            &c.verification,
        );
        Ok((n > 0).then_some(id))
    }

    pub async fn add_training_attempt(
        &self,
        course_id: &str,
        user: UserId,
        score: i64,
        passed: bool,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<()> {
        let id = new_row_id(now, rng);
        execute!(
            self,
            "INSERT INTO training_attempts (id, course_id, user_id, score, passed, at) VALUES ($1, $2, $3, $4, $5, $6)",
            &id,
            course_id,
            user.to_string(),
            score,
            passed,
            ms(now),
        );
        Ok(())
    }

    /// One person's attempts at one course, newest first.
    pub async fn training_attempts(&self, course_id: &str, user: UserId) -> Result<Vec<Attempt>> {
        let rows: Vec<(i64, bool, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT score, passed, at FROM training_attempts WHERE course_id = $1 AND user_id = $2 ORDER BY at DESC, id DESC",
            course_id,
            user.to_string(),
        );
        Ok(rows
            .into_iter()
            .map(|(score, passed, at)| Attempt {
                score,
                passed,
                at: from_ms(at),
            })
            .collect())
    }

    /// The expiries of a person's completions of data-access courses (`None`: never
    /// expires), for the gate ([`righttrack_core::training::data_access_current`]).
    pub async fn data_access_expiries(&self, user: UserId) -> Result<Vec<Option<Timestamp>>> {
        let rows: Vec<(Option<i64>,)> = fetch!(
            self,
            fetch_all,
            "SELECT c.expires_at FROM training_completions c JOIN training_courses k ON k.id = c.course_id \
             WHERE c.user_id = $1 AND k.grants_data_access AND NOT k.archived",
            user.to_string(),
        );
        Ok(rows.into_iter().map(|(e,)| e.map(from_ms)).collect())
    }

    /// Stores the day's training notification of a `kind` for a user (at most one per
    /// kind a day, beside the hotline's). Returns whether new.
    pub async fn put_kind_notification(
        &self,
        user: UserId,
        day: &str,
        kind: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO staff_notifications (user_id, day, kind, text, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, day, kind) DO NOTHING",
            user.to_string(),
            day,
            kind,
            text,
            ms(at),
        );
        Ok(n > 0)
    }
}
