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
//! verification code, valid for the course's recurrence period. Reminders ([`righttrack_app::program::training::remind`])
//! are content-free notifications: one a day to a person with training due within 7
//! days, overdue or expiring, and one a day to the lead of a team with someone overdue.

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
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::{SiteId, TeamId, UserId};
use righttrack_core::training::{self as rules, markdown, Quiz, Status};
use righttrack_core::Role;
use righttrack_scan::csv::cell;
use righttrack_store::training::{Completion, Course, CourseInput};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use righttrack_app::program::training::{
    self as app_training, assign_new, by_role, by_site, by_team, coverage, gate, import_csv,
    standings, total, trend, Attempt, Coverage, ImportReport, Standing, TrendPoint,
};

fn rng() -> rand::rngs::OsRng {
    rand::rngs::OsRng
}

fn status_due(s: Status) -> String {
    match s {
        Status::Current { until } => match until {
            Some(u) => format!("valid until {}", day(u)),
            None => "does not expire".into(),
        },
        Status::ExpiringSoon { until } => format!("expires {}", day(until)),
        Status::Due { due } => format!("due {}", day(due)),
        Status::Overdue { due } => format!("was due {}", day(due)),
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
            completed: day(c.completed_at),
            expires: c.expires_at.map(day).unwrap_or_else(|| "never".into()),
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
    Ok(app_training::course(state, id).await?)
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
            at: minute(a.at),
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
    let course = app_training::course_to_take(&state, &code, false).await?;
    course_page(&state, &caller, &course, None, false).await
}

/// `POST /my/training/{code}`: one quiz attempt (fields `q0`, `q1`, … = option index).
pub async fn submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let course = app_training::course_to_take(&state, &code, true).await?;
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
    match app_training::attempt(&state, &caller, &course, &answers).await? {
        Attempt::Failed { score, pass_mark } => {
            let msg = format!(
                "You scored {score}%; this course needs {pass_mark}%. Read the content again and retake the quiz."
            );
            course_page(&state, &caller, &course, Some(msg), false).await
        }
        Attempt::Passed { completion } => {
            Ok(Redirect::to(&format!("/my/training/certificates/{completion}")).into_response())
        }
    }
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
        completed: day(c.completed_at),
        expires: c
            .expires_at
            .map(day)
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
    let c = app_training::verify(&state, &caller, &typed).await?;
    certificate_page(&state, &caller, c).await
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
            completed: day(c.completed_at),
            expires: c.expires_at.map(day).unwrap_or_else(|| "never".into()),
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
    app_training::save_course(&state, &caller, &course, &input, archived).await?;
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
    let msg =
        match app_training::record_completion(&state, &caller, &course, &user, at, &note).await? {
            Some(_) => format!("Completion recorded for {}.", user.username),
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
    let (_, n) =
        app_training::create_rule(&state, &caller, &course, &audience, due_days, on_hire).await?;
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
    app_training::set_rule_active(&state, &caller, &id, active).await?;
    Ok(Redirect::to("/training").into_response())
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

/// The standings the caller may see, filtered by the query.
async fn visible_standings(
    state: &AppState,
    caller: &Caller,
    q: &ReportQuery,
) -> AppResult<Vec<Standing>> {
    Ok(righttrack_app::program::training::visible_standings(
        state,
        caller,
        crate::params::nonempty(&q.course).as_deref(),
        crate::params::nonempty(&q.status).as_deref(),
    )
    .await?)
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
            Status::Current { until } => until.map(day).unwrap_or_default(),
            Status::ExpiringSoon { until } => day(until),
            Status::Due { due } | Status::Overdue { due } => day(due),
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
            s.last_completed.map(day).unwrap_or_default(),
            s.last_score.map(|x| x.to_string()).unwrap_or_default(),
        ];
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
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
