//! Training: courses people take here (Markdown and a quiz) or elsewhere (completions
//! imported from an external LMS as CSV), assignment rules, due dates and recurrence,
//! certificates, reminders with escalation, reports; and the data-access [`gate`].
//!
//! Pages for everyone (`/my/training`: what is assigned to me, take a course, my
//! certificates), for ethics officers (`/training`: courses, rules, import, offline
//! completions) and for officers and team leads (`/training/reports`: coverage by team,
//! site and role, overdue, trend; CSV). A team lead who is not an officer sees only
//! the people of the teams they lead.
//!
//! Assignments are made by [`assign_new`] (idempotent; on rule creation, user creation,
//! these pages and the `serve` sweep), so "on hire" means: the first sync after a user is
//! created. A quiz attempt is always recorded; a pass also records a completion with a
//! verification code, valid for the course's recurrence period. Reminders ([`remind`])
//! are content-free notifications: one a day to a person with training due within 7
//! days, overdue or expiring, and one a day to the lead of a team with someone overdue.

pub mod gate;

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::ids::{SiteId, TeamId, UserId};
use righttrack_core::training::{self as rules, import, markdown, Quiz, Status};
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::training::{Completion, Course, CourseInput, NewCompletion};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The one text of a personal training reminder.
pub const REMINDER: &str =
    "You have training due, overdue or expiring. Sign in to RightTrack to see it.";
/// The one text of an escalation to a team lead.
pub const ESCALATION: &str =
    "Someone in a team you lead has overdue training. Sign in to RightTrack to see it.";
/// Days before the due date a reminder starts.
pub const REMIND_DAYS: i64 = 7;

fn rng() -> rand::rngs::OsRng {
    rand::rngs::OsRng
}

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// Makes any assignments the rules call for now. Returns how many were new.
pub async fn assign_new(state: &AppState) -> AppResult<usize> {
    let new = state.db.sync_training_assignments(state.now()).await?;
    if !new.is_empty() {
        state
            .audit(
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
pub async fn standings(
    state: &AppState,
    user: Option<UserId>,
    now: Timestamp,
) -> AppResult<Vec<Standing>> {
    let courses: BTreeMap<String, Course> = state
        .db
        .training_courses()
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let users: BTreeMap<UserId, User> = state
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let teams: BTreeMap<TeamId, (String, SiteId, String)> = state
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id, (t.name, t.site_id, t.site_name)))
        .collect();
    let mut last: BTreeMap<(String, UserId), Completion> = BTreeMap::new();
    for c in state.db.training_completions(user).await? {
        if c.completed_at <= now {
            // Oldest first, so the latest wins.
            last.insert((c.course_id.clone(), c.user_id), c);
        }
    }
    let mut out = Vec::new();
    for a in state.db.training_assignments(user).await? {
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
pub async fn remind(state: &AppState, now: Timestamp) -> AppResult<(usize, usize)> {
    assign_new(state).await?;
    let today = day(now);
    let soon = now
        .checked_add(jiff::SignedDuration::from_hours(24 * REMIND_DAYS))
        .unwrap_or(now);
    let mut reminded = std::collections::BTreeSet::new();
    let mut overdue_teams = std::collections::BTreeSet::new();
    for s in standings(state, None, now).await? {
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
    let mut new = (0, 0);
    for u in reminded {
        if state
            .db
            .put_kind_notification(u, &today, "training", REMINDER, now)
            .await?
        {
            new.0 += 1;
        }
    }
    let leads: std::collections::BTreeSet<UserId> = state
        .db
        .list_teams()
        .await?
        .into_iter()
        .filter(|t| overdue_teams.contains(&t.id))
        .filter_map(|t| t.lead_user_id)
        .collect();
    for lead in leads {
        if state
            .db
            .put_kind_notification(lead, &today, "training_escalation", ESCALATION, now)
            .await?
        {
            new.1 += 1;
        }
    }
    Ok(new)
}

/// Where a home-page notice should lead.
pub fn notice_link(text: &str) -> &'static str {
    match text {
        REMINDER => "/my/training",
        ESCALATION => "/training/reports?status=overdue",
        crate::signin::SECOND_FACTOR_LOCKED_NOTICE => "/audit?action=login.second_factor_locked",
        _ => "/cases",
    }
}

fn fmt_day(t: Option<Timestamp>) -> String {
    t.map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn status_due(s: Status) -> String {
    match s {
        Status::Current { until } => match until {
            Some(u) => format!("valid until {}", fmt_day(Some(u))),
            None => "does not expire".into(),
        },
        Status::ExpiringSoon { until } => format!("expires {}", fmt_day(Some(until))),
        Status::Due { due } => format!("due {}", fmt_day(Some(due))),
        Status::Overdue { due } => format!("was due {}", fmt_day(Some(due))),
    }
}

// ---------------------------------------------------------------- my training

struct MyRow {
    code: String,
    title: String,
    status: &'static str,
    status_key: &'static str,
    when: String,
    external: bool,
}

struct CertRow {
    id: String,
    title: String,
    completed: String,
    expires: String,
    score: String,
    valid: bool,
}

#[derive(Template)]
#[template(path = "training_my.html")]
struct MyPage {
    l: Layout,
    rows: Vec<MyRow>,
    certs: Vec<CertRow>,
    gate: String,
    gate_ok: bool,
    gate_course: String,
}

pub async fn my(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    assign_new(&state).await?;
    let now = state.now();
    let courses = courses_by_id(&state).await?;
    let mut rows: Vec<MyRow> = standings(&state, Some(caller.user.id), now)
        .await?
        .into_iter()
        .map(|s| MyRow {
            external: courses.get(&s.course_id).is_some_and(|c| c.external),
            code: s.course_code,
            title: s.course_title,
            status: s.status.label(),
            status_key: s.status.key(),
            when: status_due(s.status),
        })
        .collect();
    // Overdue first, then due, expiring, current.
    let order = |k: &str| {
        ["overdue", "due", "expiring_soon", "current"]
            .iter()
            .position(|x| *x == k)
    };
    rows.sort_by_key(|r| order(r.status_key));
    let mut certs: Vec<CertRow> = state
        .db
        .training_completions(Some(caller.user.id))
        .await?
        .into_iter()
        .rev()
        .map(|c| CertRow {
            title: courses
                .get(&c.course_id)
                .map(|k| k.title.clone())
                .unwrap_or_default(),
            completed: fmt_day(Some(c.completed_at)),
            expires: c
                .expires_at
                .map(|e| fmt_day(Some(e)))
                .unwrap_or_else(|| "never".into()),
            score: c
                .score
                .map(|s| format!("{s}%"))
                .unwrap_or_else(|| "—".into()),
            valid: rules::valid_at(c.expires_at, now),
            id: c.id,
        })
        .collect();
    certs.truncate(50);
    let g = gate::standing(&state, caller.user.id).await?;
    Ok(render(MyPage {
        l: layout(Some(&caller), "My training", "/my/training"),
        rows,
        certs,
        gate: gate::describe(&state, caller.user.id).await?,
        gate_ok: g.current,
        gate_course: g.course.map(|c| c.1).unwrap_or_default(),
    }))
}

async fn courses_by_id(state: &AppState) -> AppResult<BTreeMap<String, Course>> {
    Ok(state
        .db
        .training_courses()
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

async fn course_or_404(state: &AppState, id: &str) -> AppResult<Course> {
    state
        .db
        .training_course(id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, "no such course"))
}

struct QuestionView {
    n: usize,
    prompt: String,
    options: Vec<(usize, String)>,
}

struct AttemptView {
    at: String,
    score: i64,
    passed: bool,
}

#[derive(Template)]
#[template(path = "training_course.html")]
struct CoursePage {
    l: Layout,
    code: String,
    title: String,
    content: String,
    questions: Vec<QuestionView>,
    pass_mark: i64,
    external: bool,
    validity: String,
    result: Option<String>,
    passed: bool,
    attempts: Vec<AttemptView>,
}

async fn course_page(
    state: &AppState,
    caller: &Caller,
    course: &Course,
    result: Option<String>,
    passed: bool,
) -> AppResult<Response> {
    let attempts = state
        .db
        .training_attempts(&course.id, caller.user.id)
        .await?
        .into_iter()
        .map(|a| AttemptView {
            at: a.at.strftime("%Y-%m-%d %H:%M").to_string(),
            score: a.score,
            passed: a.passed,
        })
        .collect();
    Ok(render(CoursePage {
        l: layout(Some(caller), &course.title, "/my/training"),
        code: course.code.clone(),
        title: course.title.clone(),
        content: markdown::render(&course.content),
        questions: course
            .quiz
            .questions
            .iter()
            .enumerate()
            .map(|(n, q)| QuestionView {
                n,
                prompt: q.prompt.clone(),
                options: q.options.iter().cloned().enumerate().collect(),
            })
            .collect(),
        pass_mark: course.pass_mark,
        external: course.external,
        validity: match course.validity_months {
            Some(m) => format!("A pass is valid for {m} months; you will be asked to take it again before it expires."),
            None => "A pass does not expire.".into(),
        },
        result,
        passed,
        attempts,
    }))
}

pub async fn take(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let course = course_or_404(&state, &code).await?;
    if course.archived {
        return Err(AppError::new(Code::NotFound, "this course is archived"));
    }
    course_page(&state, &caller, &course, None, false).await
}

/// `POST /my/training/{code}`: one quiz attempt (fields `q0`, `q1`, … = option index).
pub async fn submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let course = course_or_404(&state, &code).await?;
    if course.archived {
        return Err(AppError::new(Code::NotFound, "this course is archived"));
    }
    if course.external {
        return Err(AppError::new(
            Code::Conflict,
            "this course is taken in the external learning system; its completions are imported",
        ));
    }
    let mut answers = Vec::new();
    for (i, q) in course.quiz.questions.iter().enumerate() {
        let v = form.get(&format!("q{i}"));
        let a = if v.is_empty() {
            None
        } else {
            match v.parse::<usize>() {
                Ok(n) if n < q.options.len() => Some(n),
                _ => {
                    return Err(AppError::bad_request(format!(
                        "field `q{i}`: expected one of the question's options"
                    )))
                }
            }
        };
        answers.push(a);
    }
    let now = state.now();
    let score = course.quiz.grade(&answers);
    let passed = score >= course.pass_mark;
    state
        .db
        .add_training_attempt(&course.id, caller.user.id, score, passed, now, &mut rng())
        .await?;
    state
        .audit(
            &caller.actor(),
            "training.attempted",
            &course.code,
            json!({"score": score, "passed": passed}),
        )
        .await?;
    if !passed {
        let msg = format!(
            "You scored {score}%; this course needs {}%. Read the content again and retake the quiz.",
            course.pass_mark
        );
        return course_page(&state, &caller, &course, Some(msg), false).await;
    }
    let id = state
        .db
        .add_training_completion(
            &NewCompletion {
                course_id: course.id.clone(),
                user_id: caller.user.id,
                completed_at: now,
                expires_at: rules::expires_at(now, course.validity_months),
                score: (!course.quiz.questions.is_empty()).then_some(score),
                source: "quiz",
                note: String::new(),
                recorded_by: caller.actor(),
                verification: rules::verification_code(&mut rng()),
            },
            now,
            &mut rng(),
        )
        .await?
        .ok_or_else(|| AppError::new(Code::Conflict, "this completion is already recorded"))?;
    state
        .audit(
            &caller.actor(),
            "training.completed",
            &course.code,
            json!({"completion": id, "score": score, "source": "quiz"}),
        )
        .await?;
    Ok(Redirect::to(&format!("/my/training/certificates/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "training_certificate.html")]
struct CertificatePage {
    l: Layout,
    name: String,
    course: String,
    completed: String,
    expires: String,
    score: String,
    source: String,
    note: String,
    code: String,
    valid: bool,
}

/// A printable certificate: its owner, or someone who may read training reports.
pub async fn certificate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let missing = || AppError::new(Code::NotFound, "no such certificate");
    let c = state
        .db
        .training_completion(&id)
        .await?
        .ok_or_else(missing)?;
    // Own; any for training officers; a report reader who is not (a team lead) only
    // their reporting line's, and "not found" for anyone else's.
    let may = c.user_id == caller.user.id
        || allowed(&caller.user.roles, Action::TrainingManage)
        || (allowed(&caller.user.roles, Action::TrainingReport) && {
            let holder = state.db.user_by_id(c.user_id).await?;
            let line =
                righttrack_app::program::conflicts::reporting_line(&state, caller.user.id).await?;
            holder.is_some_and(|h| line.contains(&h.username))
        });
    if !may {
        return Err(missing());
    }
    certificate_page(&state, &caller, c).await
}

async fn certificate_page(state: &AppState, caller: &Caller, c: Completion) -> AppResult<Response> {
    let course = course_or_404(state, &c.course_id).await?;
    let user = state
        .db
        .user_by_id(c.user_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(render(CertificatePage {
        l: layout(Some(caller), "Certificate of completion", ""),
        name: user.display_name,
        course: course.title,
        completed: fmt_day(Some(c.completed_at)),
        expires: c
            .expires_at
            .map(|e| fmt_day(Some(e)))
            .unwrap_or_else(|| "does not expire".into()),
        score: c.score.map(|s| format!("{s}%")).unwrap_or_default(),
        source: match c.source.as_str() {
            "quiz" => "Completed in RightTrack".into(),
            "import" => "Imported from the external learning system".into(),
            _ => "Recorded by an officer".into(),
        },
        note: c.note,
        valid: rules::valid_at(c.expires_at, state.now()),
        code: c.verification,
    }))
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    pub code: Option<String>,
}

/// `GET /training/verify?code=`: looks a certificate up by its verification code.
pub async fn verify(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let typed = q.code.unwrap_or_default();
    let mut found = state
        .db
        .training_completion_by_code(&rules::normalize_code(&typed))
        .await?;
    if found.is_none() {
        // Completions carried over from the old flag have `LEGACY-<hex>` codes.
        found = state
            .db
            .training_completion_by_code(&typed.trim().to_uppercase())
            .await?;
    }
    match found {
        Some(c) => {
            state
                .audit(
                    &caller.actor(),
                    "training.certificate_verified",
                    &c.id,
                    json!({}),
                )
                .await?;
            certificate_page(&state, &caller, c).await
        }
        None => Err(AppError::new(
            Code::NotFound,
            "no certificate has that verification code",
        )),
    }
}

// ---------------------------------------------------------------- officers

struct CourseRow {
    id: String,
    code: String,
    title: String,
    kind: &'static str,
    validity: String,
    pass_mark: i64,
    gate: bool,
    archived: bool,
}

struct RuleRow {
    id: String,
    course: String,
    audience: String,
    due_days: i64,
    on_hire: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "training_admin.html")]
struct AdminPage {
    l: Layout,
    courses: Vec<CourseRow>,
    rules: Vec<RuleRow>,
    roles: Vec<(&'static str, &'static str)>,
    teams: Vec<(String, String)>,
    sites: Vec<(String, String)>,
    message: Option<String>,
    errors: Vec<String>,
    form: FormData,
}

async fn audience_label(state: &AppState, a: &Audience) -> AppResult<String> {
    if a.is_everyone() {
        return Ok("everyone".into());
    }
    let teams = state.db.list_teams().await?;
    let sites = state.db.list_sites().await?;
    let mut parts = Vec::new();
    if !a.roles.is_empty() {
        parts.push(
            a.roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(" or "),
        );
    }
    if !a.teams.is_empty() {
        parts.push(format!(
            "team {}",
            a.teams
                .iter()
                .filter_map(|t| teams.iter().find(|x| x.id == *t).map(|x| x.name.clone()))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if !a.sites.is_empty() {
        parts.push(format!(
            "site {}",
            a.sites
                .iter()
                .filter_map(|s| sites.iter().find(|x| x.id == *s).map(|x| x.name.clone()))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    Ok(parts.join(", "))
}

async fn admin_page(
    state: &AppState,
    caller: &Caller,
    message: Option<String>,
    errors: Vec<String>,
    form: FormData,
) -> AppResult<Response> {
    let courses = state.db.training_courses().await?;
    let mut rules_out = Vec::new();
    for r in state.db.training_rules().await? {
        rules_out.push(RuleRow {
            course: courses
                .iter()
                .find(|c| c.id == r.course_id)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            audience: audience_label(state, &r.audience).await?,
            id: r.id,
            due_days: r.due_days,
            on_hire: r.on_hire,
            active: r.active,
        });
    }
    let status = if errors.is_empty() { 200 } else { 422 };
    let mut resp = render(AdminPage {
        l: layout(Some(caller), "Training", "/training"),
        courses: courses
            .into_iter()
            .map(|c| CourseRow {
                kind: if c.external {
                    "external LMS"
                } else if c.quiz.questions.is_empty() {
                    "read and confirm"
                } else {
                    "content and quiz"
                },
                validity: c
                    .validity_months
                    .map(|m| format!("every {m} months"))
                    .unwrap_or_else(|| "once".into()),
                id: c.id,
                code: c.code,
                title: c.title,
                pass_mark: c.pass_mark,
                gate: c.grants_data_access,
                archived: c.archived,
            })
            .collect(),
        rules: rules_out,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        teams: state
            .db
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), format!("{} — {}", t.name, t.site_name)))
            .collect(),
        sites: state
            .db
            .list_sites()
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
        message,
        errors,
        form,
    });
    if status == 422 {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn admin(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    admin_page(&state, &caller, None, Vec::new(), FormData(Vec::new())).await
}

/// Reads a course form; every problem is listed by field.
fn course_input(form: &FormData, code: Option<String>) -> Result<CourseInput, Vec<String>> {
    let mut errors = Vec::new();
    let code = code.unwrap_or_else(|| form.get("code").trim().to_lowercase());
    if !rules::valid_code(&code) {
        errors.push(
            "field `code`: 1-40 lower-case letters, digits and `-` (e.g. data-privacy)".into(),
        );
    }
    let title = form.get("title").trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push("field `title`: required, at most 200 characters".into());
    }
    let content = form.get("content").replace("\r\n", "\n");
    if content.len() > 60_000 {
        errors.push("field `content`: at most 60,000 characters".into());
    }
    let quiz = match Quiz::parse(&form.get("quiz").replace("\r\n", "\n")) {
        Ok(q) => q,
        Err(e) => {
            errors.push(format!("field `{e}"));
            Quiz::default()
        }
    };
    let pass_mark = match form.get("pass_mark").trim() {
        "" => 80,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=100).contains(&n) => n,
            _ => {
                errors.push("field `pass_mark`: a whole number from 0 to 100".into());
                80
            }
        },
    };
    let validity_months = match form.get("validity_months").trim() {
        "" | "0" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=120).contains(&n) => Some(n),
            _ => {
                errors.push("field `validity_months`: a whole number of months from 1 to 120, or empty for no expiry".into());
                None
            }
        },
    };
    let grants_data_access = form.get("grants_data_access") == "yes";
    let external = form.get("external") == "yes";
    if grants_data_access && validity_months.is_none() {
        errors.push(
            "field `validity_months`: a course that grants data access must recur (e.g. 12 months)"
                .into(),
        );
    }
    if errors.is_empty() {
        Ok(CourseInput {
            code,
            title,
            content,
            quiz,
            pass_mark,
            validity_months,
            grants_data_access,
            external,
        })
    } else {
        Err(errors)
    }
}

pub async fn create_course(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let input = match course_input(&form, None) {
        Ok(i) => i,
        Err(errors) => return admin_page(&state, &caller, None, errors, form).await,
    };
    match state
        .db
        .create_training_course(&input, state.now(), &mut rng())
        .await
    {
        Ok(id) => {
            state
                .audit(
                    &caller.actor(),
                    "training.course_created",
                    &input.code,
                    json!({"grants_data_access": input.grants_data_access, "validity_months": input.validity_months, "questions": input.quiz.questions.len()}),
                )
                .await?;
            Ok(Redirect::to(&format!("/training/courses/{id}")).into_response())
        }
        Err(righttrack_store::StoreError::Conflict(m)) => {
            admin_page(
                &state,
                &caller,
                None,
                vec![format!("field `code`: {m} already exists")],
                form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

struct CompletionRow {
    username: String,
    completed: String,
    expires: String,
    score: String,
    source: String,
    note: String,
    id: String,
}

#[derive(Template)]
#[template(path = "training_course_edit.html")]
struct EditPage {
    l: Layout,
    id: String,
    code: String,
    title: String,
    content: String,
    quiz: String,
    pass_mark: i64,
    validity_months: String,
    gate: bool,
    external: bool,
    archived: bool,
    preview: String,
    completions: Vec<CompletionRow>,
    message: Option<String>,
    errors: Vec<String>,
}

async fn edit_page(
    state: &AppState,
    caller: &Caller,
    course: &Course,
    message: Option<String>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let users: BTreeMap<UserId, String> = state
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let completions = state
        .db
        .training_completions(None)
        .await?
        .into_iter()
        .rev()
        .filter(|c| c.course_id == course.id)
        .take(200)
        .map(|c| CompletionRow {
            username: users.get(&c.user_id).cloned().unwrap_or_default(),
            completed: fmt_day(Some(c.completed_at)),
            expires: c
                .expires_at
                .map(|e| fmt_day(Some(e)))
                .unwrap_or_else(|| "never".into()),
            score: c
                .score
                .map(|s| format!("{s}%"))
                .unwrap_or_else(|| "—".into()),
            source: c.source,
            note: c.note,
            id: c.id,
        })
        .collect();
    let mut resp = render(EditPage {
        l: layout(Some(caller), &course.title, "/training"),
        id: course.id.clone(),
        code: course.code.clone(),
        title: course.title.clone(),
        content: course.content.clone(),
        quiz: course.quiz.to_text(),
        pass_mark: course.pass_mark,
        validity_months: course
            .validity_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
        gate: course.grants_data_access,
        external: course.external,
        archived: course.archived,
        preview: markdown::render(&course.content),
        completions,
        message,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn edit_course(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let course = course_or_404(&state, &id).await?;
    edit_page(&state, &caller, &course, None, Vec::new()).await
}

pub async fn save_course(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let course = course_or_404(&state, &id).await?;
    let input = match course_input(&form, Some(course.code.clone())) {
        Ok(i) => i,
        Err(errors) => return edit_page(&state, &caller, &course, None, errors).await,
    };
    let archived = form.get("archived") == "yes";
    state
        .db
        .update_training_course(&course.id, &input, archived)
        .await?;
    state
        .audit(
            &caller.actor(),
            "training.course_changed",
            &course.code,
            json!({"grants_data_access": input.grants_data_access, "validity_months": input.validity_months, "archived": archived, "questions": input.quiz.questions.len()}),
        )
        .await?;
    let course = course_or_404(&state, &id).await?;
    edit_page(
        &state,
        &caller,
        &course,
        Some("Course saved.".into()),
        Vec::new(),
    )
    .await
}

/// `POST /training/courses/{id}/completions`: an officer records a completion done
/// offline (classroom, paper), with a note; audited.
pub async fn record_completion(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let course = course_or_404(&state, &id).await?;
    let now = state.now();
    let mut errors = Vec::new();
    let user = state
        .db
        .user_by_username(form.get("username").trim())
        .await?;
    if user.is_none() {
        errors.push("field `username`: no such user".to_owned());
    }
    let at = match form.get("completed_at").trim() {
        "" => Some(now),
        s => match s.parse::<jiff::civil::Date>() {
            Ok(d) => d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
                .filter(|t| *t <= now),
            Err(_) => None,
        },
    };
    if at.is_none() {
        errors.push("field `completed_at`: a date (YYYY-MM-DD) not in the future".into());
    }
    let note = form.get("note").trim().to_owned();
    if note.chars().count() < 10 || note.chars().count() > 500 {
        errors.push("field `note`: say how it was completed (10 to 500 characters)".into());
    }
    let (Some(user), Some(at), true) = (user, at, errors.is_empty()) else {
        return edit_page(&state, &caller, &course, None, errors).await;
    };
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let note = righttrack_core::interactions::scrub(&engine, &note);
    let rec = state
        .db
        .add_training_completion(
            &NewCompletion {
                course_id: course.id.clone(),
                user_id: user.id,
                completed_at: at,
                expires_at: rules::expires_at(at, course.validity_months),
                score: None,
                source: "manual",
                note,
                recorded_by: caller.actor(),
                verification: rules::verification_code(&mut rng()),
            },
            now,
            &mut rng(),
        )
        .await?;
    let msg = match rec {
        Some(cid) => {
            state
                .audit(
                    &caller.actor(),
                    "training.completion_recorded",
                    &course.code,
                    json!({"completion": cid, "user": user.id.to_string(), "source": "manual"}),
                )
                .await?;
            format!("Completion recorded for {}.", user.username)
        }
        None => format!("{} already has a completion at that time.", user.username),
    };
    edit_page(&state, &caller, &course, Some(msg), Vec::new()).await
}

fn parse_audience(form: &FormData) -> Result<Audience, String> {
    let mut a = Audience::everyone();
    for r in form.all("roles") {
        a.roles
            .push(Role::parse(&r).map_err(|e| format!("field `roles`: {e}"))?);
    }
    for t in form.all("teams") {
        a.teams
            .push(TeamId::parse(&t).ok_or("field `teams`: unknown team")?);
    }
    for s in form.all("sites") {
        a.sites
            .push(SiteId::parse(&s).ok_or("field `sites`: unknown site")?);
    }
    Ok(a)
}

pub async fn create_rule(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let course = state.db.training_course(form.get("course").trim()).await?;
    if course.as_ref().is_none_or(|c| c.archived) {
        errors.push("field `course`: choose a course that is not archived".to_owned());
    }
    let due_days = match form.get("due_days").trim().parse::<i64>() {
        Ok(n) if (0..=3650).contains(&n) => n,
        _ => {
            errors.push("field `due_days`: a whole number of days from 0 to 3650".into());
            0
        }
    };
    let audience = parse_audience(&form).unwrap_or_else(|e| {
        errors.push(e);
        Audience::everyone()
    });
    let on_hire = form.get("on_hire") == "yes";
    let Some(course) = course.filter(|_| errors.is_empty()) else {
        return admin_page(&state, &caller, None, errors, form).await;
    };
    let id = state
        .db
        .create_training_rule(
            &righttrack_store::training::NewRule {
                course_id: &course.id,
                audience: &audience,
                due_days,
                on_hire,
                created_by: &caller.actor(),
            },
            state.now(),
            &mut rng(),
        )
        .await?;
    state
        .audit(
            &caller.actor(),
            "training.rule_created",
            &id,
            json!({"course": course.code, "audience": audience, "due_days": due_days, "on_hire": on_hire}),
        )
        .await?;
    let n = assign_new(&state).await?;
    admin_page(
        &state,
        &caller,
        Some(format!("Rule added: {} assigned {n} people.", course.title)),
        Vec::new(),
        FormData(Vec::new()),
    )
    .await
}

pub async fn set_rule_active(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let active = match form.get("active").as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::bad_request("field `active`: expected yes or no")),
    };
    state.db.set_training_rule_active(&id, active).await?;
    state
        .audit(
            &caller.actor(),
            "training.rule_changed",
            &id,
            json!({"active": active}),
        )
        .await?;
    if active {
        assign_new(&state).await?;
    }
    Ok(Redirect::to("/training").into_response())
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
pub async fn import_csv(state: &AppState, actor: &str, text: &str) -> AppResult<ImportReport> {
    let now = state.now();
    let (good, errors) = import::parse(text, now);
    let mut report = ImportReport {
        errors: errors.iter().map(|e| e.to_string()).collect(),
        ..Default::default()
    };
    let mut courses: BTreeMap<String, Option<Course>> = BTreeMap::new();
    let mut users: BTreeMap<String, Option<User>> = BTreeMap::new();
    for line in good {
        if !courses.contains_key(&line.course) {
            let c = state.db.training_course(&line.course).await?;
            courses.insert(line.course.clone(), c);
        }
        if !users.contains_key(&line.username) {
            let u = state.db.user_by_username(&line.username).await?;
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
        let rec = state
            .db
            .add_training_completion(
                &NewCompletion {
                    course_id: course.id.clone(),
                    user_id: user.id,
                    completed_at: line.completed_at,
                    expires_at: rules::expires_at(line.completed_at, course.validity_months),
                    score: line.score,
                    source: "import",
                    note: String::new(),
                    recorded_by: actor.to_owned(),
                    verification: rules::verification_code(&mut rng()),
                },
                now,
                &mut rng(),
            )
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
    state
        .audit(
            actor,
            "training.imported",
            "training",
            json!({"imported": report.imported, "duplicates": report.duplicates, "refused": report.errors.len()}),
        )
        .await?;
    Ok(report)
}

/// `POST /training/import`: the CSV pasted into the form's `csv` field.
pub async fn import_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let r = import_csv(&state, &caller.actor(), &form.get("csv")).await?;
    let msg = format!(
        "Import: {} completions recorded, {} already recorded, {} lines refused.",
        r.imported,
        r.duplicates,
        r.errors.len()
    );
    admin_page(&state, &caller, Some(msg), r.errors, FormData(Vec::new())).await
}

/// `POST /api/v1/training/import`: the CSV as the request body (`text/csv`).
pub async fn import_api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: String,
) -> AppResult<Json<ImportReport>> {
    Ok(Json(import_csv(&state, &caller.actor(), &body).await?))
}

// ---------------------------------------------------------------- reports

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    pub course: Option<String>,
    pub status: Option<String>,
}

/// The standings a caller may see: officers everyone; team leads the teams they lead.
async fn visible_standings(
    state: &AppState,
    caller: &Caller,
    q: &ReportQuery,
) -> AppResult<Vec<Standing>> {
    assign_new(state).await?;
    let mut all = standings(state, None, state.now()).await?;
    if !allowed(&caller.user.roles, Action::TrainingManage) {
        let led: Vec<TeamId> = state
            .db
            .list_teams()
            .await?
            .into_iter()
            .filter(|t| t.lead_user_id == Some(caller.user.id))
            .map(|t| t.id)
            .collect();
        all.retain(|s| s.team_id.is_some_and(|t| led.contains(&t)));
    }
    if let Some(c) = crate::params::nonempty(&q.course) {
        all.retain(|s| s.course_code == c || s.course_id == c);
    }
    if let Some(st) = crate::params::nonempty(&q.status) {
        all.retain(|s| s.status.key() == st);
    }
    Ok(all)
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub group: String,
    pub assigned: usize,
    pub current: usize,
    pub overdue: usize,
    pub percent: i64,
}

fn coverage(rows: &[Standing], key: impl Fn(&Standing) -> Vec<String>) -> Vec<Coverage> {
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
    /// Share of assignments made by the month's end that held a valid completion then.
    pub coverage_percent: Option<i64>,
}

async fn trend(state: &AppState, rows: &[Standing]) -> AppResult<Vec<TrendPoint>> {
    let now = state.now();
    let completions = state.db.training_completions(None).await?;
    let assignments = state.db.training_assignments(None).await?;
    let visible: std::collections::HashSet<(&str, UserId)> = rows
        .iter()
        .map(|s| (s.course_id.as_str(), s.user_id))
        .collect();
    // Each visible person's completions of each course, so that a month's coverage
    // looks up a person's few completions instead of scanning all of them (which was
    // quadratic: 32 s at 10,000 employees).
    // (completed, expires) per (course, person)
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
    let assignments: Vec<_> = assignments
        .iter()
        .filter(|a| visible.contains(&(a.course_id.as_str(), a.user_id)))
        .collect();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let first = today.first_of_month();
    let mut out = Vec::new();
    for back in (0..12).rev() {
        let Ok(start) = first.checked_sub(jiff::Span::new().months(back)) else {
            continue;
        };
        let Ok(next) = start.checked_add(jiff::Span::new().months(1)) else {
            continue;
        };
        let to_ts =
            |d: jiff::civil::Date| d.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp());
        let (Ok(s), Ok(e)) = (to_ts(start), to_ts(next)) else {
            continue;
        };
        let end = e.min(now);
        let n = done
            .values()
            .flatten()
            .filter(|(at, _)| *at >= s && *at < e)
            .count();
        let due: Vec<_> = assignments
            .iter()
            .filter(|a| a.assigned_at <= end)
            .collect();
        let ok = due
            .iter()
            .filter(|a| {
                done.get(&(a.course_id.as_str(), a.user_id))
                    .is_some_and(|cs| {
                        cs.iter()
                            .any(|(at, expires)| *at <= end && rules::valid_at(*expires, end))
                    })
            })
            .count();
        out.push(TrendPoint {
            month: start.strftime("%Y-%m").to_string(),
            completions: n,
            coverage_percent: (!due.is_empty()).then(|| (ok * 100 / due.len()) as i64),
        });
    }
    Ok(out)
}

struct OverdueRow {
    name: String,
    username: String,
    team: String,
    course: String,
    due: String,
}

#[derive(Template)]
#[template(path = "training_reports.html")]
struct ReportsPage {
    l: Layout,
    courses: Vec<(String, String)>,
    course: String,
    total: Coverage,
    by_team: Vec<Coverage>,
    by_site: Vec<Coverage>,
    by_role: Vec<Coverage>,
    overdue: Vec<OverdueRow>,
    trend: Vec<TrendPoint>,
    lead_only: bool,
}

fn by_team(s: &Standing) -> Vec<String> {
    vec![s.team.clone()]
}
fn by_site(s: &Standing) -> Vec<String> {
    vec![s.site.clone()]
}
fn by_role(s: &Standing) -> Vec<String> {
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

pub async fn reports(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    // Coverage counts every status; the page lists the overdue ones.
    let base = ReportQuery {
        course: q.course.clone(),
        status: None,
    };
    let rows = visible_standings(&state, &caller, &base).await?;
    let mut overdue: Vec<&Standing> = rows
        .iter()
        .filter(|s| matches!(s.status, Status::Overdue { .. }))
        .collect();
    overdue.sort_by_key(|s| match s.status {
        Status::Overdue { due } => due,
        _ => Timestamp::UNIX_EPOCH,
    });
    Ok(render(ReportsPage {
        l: layout(Some(&caller), "Training reports", "/training/reports"),
        courses: state
            .db
            .training_courses()
            .await?
            .into_iter()
            .filter(|c| !c.archived)
            .map(|c| (c.code, c.title))
            .collect(),
        course: q.course.clone().unwrap_or_default(),
        total: total(&rows),
        by_team: coverage(&rows, by_team),
        by_site: coverage(&rows, by_site),
        by_role: coverage(&rows, by_role),
        overdue: overdue
            .iter()
            .map(|s| OverdueRow {
                name: s.display_name.clone(),
                username: s.username.clone(),
                team: s.team.clone(),
                course: s.course_title.clone(),
                due: status_due(s.status),
            })
            .collect(),
        trend: trend(&state, &rows).await?,
        lead_only: !allowed(&caller.user.roles, Action::TrainingManage),
    }))
}

fn csv_cell(s: &str) -> String {
    righttrack_scan::csv::cell(s)
}

/// `GET /training/reports.csv`: one line per person and assigned course.
pub async fn reports_csv(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let rows = visible_standings(&state, &caller, &q).await?;
    let mut out = String::from("username,name,team,site,roles,course,status,due_or_valid_until,last_completed,last_score\n");
    for s in &rows {
        let date = match s.status {
            Status::Current { until } => fmt_day(until),
            Status::ExpiringSoon { until } => fmt_day(Some(until)),
            Status::Due { due } | Status::Overdue { due } => fmt_day(Some(due)),
        };
        let cells = [
            s.username.clone(),
            s.display_name.clone(),
            s.team.clone(),
            s.site.clone(),
            s.roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            s.course_code.clone(),
            s.status.key().to_owned(),
            date,
            fmt_day(s.last_completed),
            s.last_score.map(|x| x.to_string()).unwrap_or_default(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    state
        .audit(
            &caller.actor(),
            "training.report_exported",
            "training",
            json!({"rows": rows.len()}),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"training.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// `GET /api/v1/training/me`: the caller's assignments and data-access standing.
pub async fn api_me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Json<Value>> {
    assign_new(&state).await?;
    let rows = standings(&state, Some(caller.user.id), state.now()).await?;
    let g = gate::standing(&state, caller.user.id).await?;
    Ok(Json(json!({
        "assignments": rows.iter().map(|s| json!({
            "course": s.course_code, "title": s.course_title, "status": s.status,
            "last_completed": s.last_completed, "last_score": s.last_score,
        })).collect::<Vec<_>>(),
        "data_access": {"current": g.current, "until": g.until, "expired": g.expired},
    })))
}

/// `GET /api/v1/training/report`: coverage by team, site and role, overdue, trend.
pub async fn api_report(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Value>> {
    let rows = visible_standings(&state, &caller, &q).await?;
    Ok(Json(json!({
        "total": total(&rows),
        "by_team": coverage(&rows, by_team),
        "by_site": coverage(&rows, by_site),
        "by_role": coverage(&rows, by_role),
        "overdue": rows.iter().filter(|s| matches!(s.status, Status::Overdue { .. })).collect::<Vec<_>>(),
        "trend": trend(&state, &rows).await?,
    })))
}

/// `GET /api/v1/training/courses`: the courses (content included; quiz answers not).
pub async fn api_courses(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let courses = state.db.training_courses().await?;
    Ok(Json(json!({"courses": courses.iter().map(|c| json!({
        "id": c.id, "code": c.code, "title": c.title, "pass_mark": c.pass_mark,
        "validity_months": c.validity_months, "grants_data_access": c.grants_data_access,
        "external": c.external, "archived": c.archived, "questions": c.quiz.questions.len(),
    })).collect::<Vec<_>>()})))
}
