//! Training use cases: assignments, standings, reminders, the LMS import and coverage
//! reports; and the data-access [`gate`].
//!
//! Assignments are made by [`assign_new`] (idempotent; on rule creation, user creation,
//! the training pages and the `serve` sweep), so "on hire" means: the first sync after a
//! user is created. Reminders ([`remind`]) are content-free notifications: one a day to a
//! person with training due within [`REMIND_DAYS`] days, overdue or expiring, and one a
//! day to the lead of a team with someone overdue.
//!
//! Coverage by group now ([`coverage`]) counts current standings; the monthly trend
//! ([`trend`]) is `core::training::coverage`, the rule the dashboard's "Training
//! coverage" uses too. The report shows every group however small and floors
//! percentages; the dashboard withholds small groups.

pub mod gate;
pub mod pages;

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::ids::{SiteId, TeamId, UserId};
use righttrack_core::training::{self as rules, import, Status};
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::training::{Completion, Course, CourseInput, NewCompletion};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The sign-in alert administrators get when a second factor locks; matched here only to
/// point the home-page notice at the audit trail.
use crate::platform::totp::SECOND_FACTOR_LOCKED_NOTICE;

/// The one text of a personal training reminder.
pub const REMINDER: &str =
    "You have training due, overdue or expiring. Sign in to RightTrack to see it.";
/// The one text of an escalation to a team lead.
pub const ESCALATION: &str =
    "Someone in a team you lead has overdue training. Sign in to RightTrack to see it.";
/// Days before the due date a reminder starts.
pub const REMIND_DAYS: i64 = 7;

/// Makes any assignments the rules call for now. Returns how many were new.
pub async fn assign_new(ctx: &Ctx) -> Result<usize> {
    let new = ctx.db.sync_training_assignments(ctx.now()).await?;
    if !new.is_empty() {
        ctx.audit(
            "system",
            "training.assigned",
            "training",
            json!({"assignments": new.len()}),
        )
        .await?;
    }
    Ok(new.len())
}

/// One person's standing on one assigned course.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub course_id: String,
    pub course_code: String,
    pub course_title: String,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub team: String,
    pub site: String,
    #[serde(skip)]
    pub team_id: Option<TeamId>,
    #[serde(skip)]
    pub site_id: Option<SiteId>,
    pub roles: Vec<Role>,
    pub assigned_at: Timestamp,
    pub status: Status,
    pub last_completed: Option<Timestamp>,
    pub last_score: Option<i64>,
}

/// Every assignment's standing at `now` (of enabled users), optionally of one person.
pub async fn standings(ctx: &Ctx, user: Option<UserId>, now: Timestamp) -> Result<Vec<Standing>> {
    let courses: BTreeMap<String, Course> = ctx
        .db
        .training_courses()
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let users = crate::platform::directory::users_by_id(ctx).await?;
    let teams: BTreeMap<TeamId, (String, SiteId, String)> = ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id, (t.name, t.site_id, t.site_name)))
        .collect();
    let mut last: BTreeMap<(String, UserId), Completion> = BTreeMap::new();
    for c in ctx.db.training_completions(user).await? {
        if c.completed_at <= now {
            // Oldest first, so the latest wins.
            last.insert((c.course_id.clone(), c.user_id), c);
        }
    }
    let mut out = Vec::new();
    for a in ctx.db.training_assignments(user).await? {
        let (Some(course), Some(u)) = (courses.get(&a.course_id), users.get(&a.user_id)) else {
            continue;
        };
        if u.disabled || course.archived {
            continue;
        }
        let done = last.get(&(a.course_id.clone(), a.user_id));
        let status = rules::status(a.due_at, done.map(|c| c.expires_at), now);
        let team = u.team_id.and_then(|t| teams.get(&t));
        out.push(Standing {
            course_id: course.id.clone(),
            course_code: course.code.clone(),
            course_title: course.title.clone(),
            user_id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            team: team
                .map(|t| t.0.clone())
                .unwrap_or_else(|| "(no team)".into()),
            site: team
                .map(|t| t.2.clone())
                .unwrap_or_else(|| "(no site)".into()),
            team_id: u.team_id,
            site_id: team.map(|t| t.1),
            roles: u.roles.clone(),
            assigned_at: a.assigned_at,
            status,
            last_completed: done.map(|c| c.completed_at),
            last_score: done.and_then(|c| c.score),
        });
    }
    Ok(out)
}

/// Writes today's reminders and escalations. Returns (reminders, escalations) new.
pub async fn remind(ctx: &Ctx, now: Timestamp) -> Result<(usize, usize)> {
    assign_new(ctx).await?;
    let today = righttrack_core::clock::day(now);
    let soon = now
        .checked_add(jiff::SignedDuration::from_hours(24 * REMIND_DAYS))
        .unwrap_or(now);
    let mut reminded = std::collections::BTreeSet::new();
    let mut overdue_teams = std::collections::BTreeSet::new();
    for s in standings(ctx, None, now).await? {
        let needs = match s.status {
            Status::Overdue { .. } => {
                if let Some(t) = s.team_id {
                    overdue_teams.insert(t);
                }
                true
            }
            Status::Due { due } => due <= soon,
            Status::ExpiringSoon { .. } => true,
            Status::Current { .. } => false,
        };
        if needs {
            reminded.insert(s.user_id);
        }
    }
    let reminders = notify(ctx, reminded, &today, "training", REMINDER, now).await?;
    let leads: std::collections::BTreeSet<UserId> = ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .filter(|t| overdue_teams.contains(&t.id))
        .filter_map(|t| t.lead_user_id)
        .collect();
    let escalations = notify(ctx, leads, &today, "training_escalation", ESCALATION, now).await?;
    Ok((reminders, escalations))
}

/// Writes today's `kind` notice to each of `people` (at most one a day each); returns
/// how many were new.
async fn notify(
    ctx: &Ctx,
    people: impl IntoIterator<Item = UserId>,
    today: &str,
    kind: &str,
    text: &str,
    now: Timestamp,
) -> Result<usize> {
    let mut new = 0;
    for u in people {
        if ctx
            .db
            .put_kind_notification(u, today, kind, text, now)
            .await?
        {
            new += 1;
        }
    }
    Ok(new)
}

/// A completion of `course` by `user` at `at`, valid for the course's recurrence and
/// carrying a fresh certificate verification code (no note).
fn completion(
    course: &Course,
    user: UserId,
    at: Timestamp,
    score: Option<i64>,
    source: &'static str,
    recorded_by: &str,
) -> NewCompletion {
    NewCompletion {
        course_id: course.id.clone(),
        user_id: user,
        completed_at: at,
        expires_at: rules::expires_at(at, course.validity_months),
        score,
        source,
        note: String::new(),
        recorded_by: recorded_by.to_owned(),
        verification: rules::verification_code(&mut rand::rngs::OsRng),
    }
}

/// Where a home-page notice should lead.
pub fn notice_link(text: &str) -> &'static str {
    match text {
        REMINDER => "/my/training",
        ESCALATION => "/training/reports?status=overdue",
        SECOND_FACTOR_LOCKED_NOTICE => "/audit?action=login.second_factor_locked",
        _ => "/cases",
    }
}

/// The outcome of an import: how many recorded, skipped as already there, and the
/// refused lines.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    pub duplicates: usize,
    pub errors: Vec<String>,
}

/// Imports external LMS completions (see [`righttrack_core::training::import`]): per
/// line, good lines kept, bad ones reported by line and field. Audited once.
pub async fn import_csv(ctx: &Ctx, actor: &str, text: &str) -> Result<ImportReport> {
    let now = ctx.now();
    let (good, errors) = import::parse(text, now);
    let mut report = ImportReport {
        errors: errors.iter().map(|e| e.to_string()).collect(),
        ..Default::default()
    };
    let mut courses: BTreeMap<String, Option<Course>> = BTreeMap::new();
    let mut users: BTreeMap<String, Option<User>> = BTreeMap::new();
    for line in good {
        if !courses.contains_key(&line.course) {
            let c = ctx.db.training_course(&line.course).await?;
            courses.insert(line.course.clone(), c);
        }
        if !users.contains_key(&line.username) {
            let u = ctx.db.user_by_username(&line.username).await?;
            users.insert(line.username.clone(), u);
        }
        let Some(Some(course)) = courses.get(&line.course) else {
            report.errors.push(format!(
                "line {}: field `course`: no course has that code",
                line.line
            ));
            continue;
        };
        let Some(Some(user)) = users.get(&line.username) else {
            report.errors.push(format!(
                "line {}: field `username`: no such user",
                line.line
            ));
            continue;
        };
        if let Some(s) = line.score {
            if s < course.pass_mark {
                report.errors.push(format!(
                    "line {}: field `score`: below the course's pass mark ({}%), not a completion",
                    line.line, course.pass_mark
                ));
                continue;
            }
        }
        let done = completion(
            course,
            user.id,
            line.completed_at,
            line.score,
            "import",
            actor,
        );
        let rec = ctx
            .db
            .add_training_completion(&done, now, &mut rand::rngs::OsRng)
            .await?;
        match rec {
            Some(_) => report.imported += 1,
            None => report.duplicates += 1,
        }
    }
    report.errors.sort_by_key(|e| {
        e.strip_prefix("line ")
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
    });
    ctx
        .audit(
            actor,
            "training.imported",
            "training",
            json!({"imported": report.imported, "duplicates": report.duplicates, "refused": report.errors.len()}),
        )
        .await?;
    Ok(report)
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub group: String,
    pub assigned: usize,
    pub current: usize,
    pub overdue: usize,
    pub percent: i64,
}

pub fn coverage(rows: &[Standing], key: impl Fn(&Standing) -> Vec<String>) -> Vec<Coverage> {
    let mut by: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for s in rows {
        for k in key(s) {
            let e = by.entry(k).or_default();
            e.0 += 1;
            if s.status.is_current() {
                e.1 += 1;
            }
            if matches!(s.status, Status::Overdue { .. }) {
                e.2 += 1;
            }
        }
    }
    by.into_iter()
        .map(|(group, (assigned, current, overdue))| Coverage {
            group,
            assigned,
            current,
            overdue,
            percent: (current * 100 / assigned.max(1)) as i64,
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Passing completions recorded in the month.
    pub completions: usize,
    /// Share of assignments made by the month's end that held a valid completion then
    /// (`core::training::coverage`).
    pub coverage_percent: Option<i64>,
}

pub async fn trend(ctx: &Ctx, rows: &[Standing]) -> Result<Vec<TrendPoint>> {
    let now = ctx.now();
    let completions = ctx.db.training_completions(None).await?;
    let assignments = ctx.db.training_assignments(None).await?;
    let visible: std::collections::HashSet<(&str, UserId)> = rows
        .iter()
        .map(|s| (s.course_id.as_str(), s.user_id))
        .collect();
    // Each visible person's completions of each course, so that an assignment finds its
    // person's few completions instead of scanning all of them (which was quadratic:
    // 32 s at 10,000 employees). (completed, expires) per (course, person).
    type Done<'a> =
        std::collections::HashMap<(&'a str, UserId), Vec<(Timestamp, Option<Timestamp>)>>;
    let mut done = Done::new();
    for c in &completions {
        let key = (c.course_id.as_str(), c.user_id);
        if visible.contains(&key) {
            done.entry(key)
                .or_default()
                .push((c.completed_at, c.expires_at));
        }
    }
    // The twelve months' starts, then the instant after now: the current month ends now.
    let first = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .first_of_month();
    let mut months = Vec::new();
    for back in (0..12).rev() {
        let start = first
            .checked_sub(jiff::Span::new().months(back))
            .map_err(|e| Error::internal(&e))?;
        let at = start
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| Error::internal(&e))?
            .timestamp();
        months.push((start, at));
    }
    let mut bounds: Vec<Timestamp> = months.iter().map(|m| m.1).collect();
    bounds.push(
        now.checked_add(jiff::SignedDuration::from_millis(1))
            .map_err(|e| Error::internal(&e))?,
    );
    let covered = rules::coverage::by_month(
        &bounds,
        assignments
            .iter()
            .filter(|a| visible.contains(&(a.course_id.as_str(), a.user_id)))
            .map(|a| rules::coverage::History {
                assigned_at: a.assigned_at,
                due_at: a.due_at,
                completions: done
                    .get(&(a.course_id.as_str(), a.user_id))
                    .map_or(&[][..], Vec::as_slice),
            }),
    );
    Ok(months
        .iter()
        .zip(&covered)
        .enumerate()
        .map(|(i, ((start, s), m))| {
            // Completions recorded in the calendar month (the current one: all of it).
            let e = months
                .get(i + 1)
                .map(|n| n.1)
                .or_else(|| {
                    start
                        .checked_add(jiff::Span::new().months(1))
                        .ok()
                        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
                        .map(|z| z.timestamp())
                })
                .unwrap_or(now);
            TrendPoint {
                month: start.strftime("%Y-%m").to_string(),
                completions: done
                    .values()
                    .flatten()
                    .filter(|(at, _)| at >= s && *at < e)
                    .count(),
                coverage_percent: rules::coverage::percent(m),
            }
        })
        .collect())
}

pub fn by_team(s: &Standing) -> Vec<String> {
    vec![s.team.clone()]
}
pub fn by_site(s: &Standing) -> Vec<String> {
    vec![s.site.clone()]
}
pub fn by_role(s: &Standing) -> Vec<String> {
    if s.roles.is_empty() {
        vec!["(no role)".into()]
    } else {
        s.roles.iter().map(|r| r.label().to_owned()).collect()
    }
}

/// Coverage of all the rows together.
pub fn total(rows: &[Standing]) -> Coverage {
    coverage(rows, |_| vec!["All".into()])
        .pop()
        .unwrap_or(Coverage {
            group: "All".into(),
            assigned: 0,
            current: 0,
            overdue: 0,
            percent: 0,
        })
}

/// The standings `actor` may see, optionally of one course (code or id) and one status
/// key: officers see everyone; team leads the people of the teams they lead.
pub async fn visible_standings(
    ctx: &Ctx,
    actor: &Caller,
    course: Option<&str>,
    status: Option<&str>,
) -> Result<Vec<Standing>> {
    assign_new(ctx).await?;
    let mut all = standings(ctx, None, ctx.now()).await?;
    if !allowed(&actor.user.roles, Action::TrainingManage) {
        let led: Vec<TeamId> = ctx
            .db
            .list_teams()
            .await?
            .into_iter()
            .filter(|t| t.lead_user_id == Some(actor.user.id))
            .map(|t| t.id)
            .collect();
        all.retain(|s| s.team_id.is_some_and(|t| led.contains(&t)));
    }
    if let Some(c) = course {
        all.retain(|s| s.course_code == c || s.course_id == c);
    }
    if let Some(st) = status {
        all.retain(|s| s.status.key() == st);
    }
    Ok(all)
}

/// One course by id or code; "no such course" otherwise.
pub async fn course(ctx: &Ctx, id: &str) -> Result<Course> {
    ctx.db
        .training_course(id)
        .await?
        .ok_or_else(|| Error::new(Kind::NotFound, "no such course"))
}

/// A course a person may take here: not archived (else "not found"), and not one taken
/// in the external learning system (its completions are imported).
pub async fn course_to_take(ctx: &Ctx, code: &str, submitting: bool) -> Result<Course> {
    let c = course(ctx, code).await?;
    if c.archived {
        return Err(Error::new(Kind::NotFound, "this course is archived"));
    }
    if submitting && c.external {
        return Err(Error::conflict(
            "this course is taken in the external learning system; its completions are imported",
        ));
    }
    Ok(c)
}

/// What one quiz attempt came to.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// Below the pass mark: recorded, nothing else.
    Failed { score: i64, pass_mark: i64 },
    /// Passed: the completion (certificate) recorded with it.
    Passed { completion: String },
}

/// Records one quiz attempt of `actor` (an answer per question, the option's index) and,
/// on a pass, the completion with a verification code, valid for the course's recurrence
/// period. Both are audited.
pub async fn attempt(
    ctx: &Ctx,
    actor: &Caller,
    course: &Course,
    answers: &[Option<usize>],
) -> Result<Attempt> {
    let now = ctx.now();
    let score = course.quiz.grade(answers);
    let passed = score >= course.pass_mark;
    ctx.db
        .add_training_attempt(
            &course.id,
            actor.user.id,
            score,
            passed,
            now,
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &actor.actor(),
        "training.attempted",
        &course.code,
        json!({"score": score, "passed": passed}),
    )
    .await?;
    if !passed {
        return Ok(Attempt::Failed {
            score,
            pass_mark: course.pass_mark,
        });
    }
    // A course without a quiz records no score on the certificate.
    let shown = (!course.quiz.questions.is_empty()).then_some(score);
    let done = completion(course, actor.user.id, now, shown, "quiz", &actor.actor());
    let id = ctx
        .db
        .add_training_completion(&done, now, &mut rand::rngs::OsRng)
        .await?
        .ok_or_else(|| Error::conflict("this completion is already recorded"))?;
    ctx.audit(
        &actor.actor(),
        "training.completed",
        &course.code,
        json!({"completion": id, "score": score, "source": "quiz"}),
    )
    .await?;
    Ok(Attempt::Passed { completion: id })
}

/// An officer records a completion done offline (classroom, paper) for `user`, with a
/// note (scrubbed of customer data like any free text). `None`: that person already has
/// a completion of the course at that instant.
pub async fn record_completion(
    ctx: &Ctx,
    actor: &Caller,
    course: &Course,
    user: &User,
    at: Timestamp,
    note: &str,
) -> Result<Option<String>> {
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let note = righttrack_core::interactions::scrub(&engine, note);
    let done = NewCompletion {
        note,
        ..completion(course, user.id, at, None, "manual", &actor.actor())
    };
    let rec = ctx
        .db
        .add_training_completion(&done, ctx.now(), &mut rand::rngs::OsRng)
        .await?;
    if let Some(cid) = &rec {
        ctx.audit(
            &actor.actor(),
            "training.completion_recorded",
            &course.code,
            json!({"completion": cid, "user": user.id.to_string(), "source": "manual"}),
        )
        .await?;
    }
    Ok(rec)
}

/// Saves a course's content and settings (its code never changes), and whether it is
/// archived. Audited with what matters to the gate, never the content.
pub async fn save_course(
    ctx: &Ctx,
    actor: &Caller,
    course: &Course,
    input: &CourseInput,
    archived: bool,
) -> Result<()> {
    ctx.db
        .update_training_course(&course.id, input, archived)
        .await?;
    ctx.audit(
        &actor.actor(),
        "training.course_changed",
        &course.code,
        json!({"grants_data_access": input.grants_data_access, "validity_months": input.validity_months, "archived": archived, "questions": input.quiz.questions.len()}),
    )
    .await?;
    Ok(())
}

/// Adds an assignment rule and assigns it at once. Returns the rule's id and how many
/// people were newly assigned.
pub async fn create_rule(
    ctx: &Ctx,
    actor: &Caller,
    course: &Course,
    audience: &Audience,
    due_days: i64,
    on_hire: bool,
) -> Result<(String, usize)> {
    let id = ctx
        .db
        .create_training_rule(
            &righttrack_store::training::NewRule {
                course_id: &course.id,
                audience,
                due_days,
                on_hire,
                created_by: &actor.actor(),
            },
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &actor.actor(),
        "training.rule_created",
        &id,
        json!({"course": course.code, "audience": audience, "due_days": due_days, "on_hire": on_hire}),
    )
    .await?;
    let n = assign_new(ctx).await?;
    Ok((id, n))
}

/// Turns a rule on or off; turning it on assigns at once.
pub async fn set_rule_active(ctx: &Ctx, actor: &Caller, id: &str, active: bool) -> Result<()> {
    ctx.db.set_training_rule_active(id, active).await?;
    ctx.audit(
        &actor.actor(),
        "training.rule_changed",
        id,
        json!({"active": active}),
    )
    .await?;
    if active {
        assign_new(ctx).await?;
    }
    Ok(())
}

/// Looks a certificate up by the verification code someone typed (and audits the
/// look-up when found). Completions carried over from the old flag have `LEGACY-<hex>`
/// codes, tried as typed.
pub async fn verify(ctx: &Ctx, actor: &Caller, typed: &str) -> Result<Completion> {
    let mut found = ctx
        .db
        .training_completion_by_code(&rules::normalize_code(typed))
        .await?;
    if found.is_none() {
        found = ctx
            .db
            .training_completion_by_code(&typed.trim().to_uppercase())
            .await?;
    }
    let Some(c) = found else {
        return Err(Error::new(
            Kind::NotFound,
            "no certificate has that verification code",
        ));
    };
    ctx.audit(
        &actor.actor(),
        "training.certificate_verified",
        &c.id,
        json!({}),
    )
    .await?;
    Ok(c)
}
