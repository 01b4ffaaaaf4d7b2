//! Training: courses people take here (Markdown and a quiz) or elsewhere (completions
//! imported from an external LMS as CSV), assignment rules, due dates and recurrence,
//! certificates, reminders with escalation, reports; and the data-access [`gate`](righttrack_app::program::training::gate).
//!
//! Pages for everyone (`/my/training`: what is assigned to me, take a course, my
//! certificates), for ethics officers (`/training`: courses, rules, import, offline
//! completions) and for officers and team leads (`/training/reports`: coverage by team,
//! site and role, overdue, trend; CSV). A team lead who is not an officer sees only
//! the people of the teams they lead.
//!
//! Assignments are made by [`assign_new`](righttrack_app::program::training::assign_new) (idempotent; on rule creation, user creation,
//! these pages and the `serve` sweep), so "on hire" means: the first sync after a user is
//! created. A quiz attempt is always recorded; a pass also records a completion with a
//! verification code, valid for the course's recurrence period. Reminders ([`righttrack_app::program::training::remind`])
//! are content-free notifications: one a day to a person with training due within 7
//! days, overdue or expiring, and one a day to the lead of a team with someone overdue.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{csv_download, layout, render, unprocessable_if, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;

use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_core::audience::Audience;
use righttrack_core::ids::{SiteId, TeamId};
use righttrack_core::training::{self as rules, markdown, Quiz};
use righttrack_core::Role;
use righttrack_store::training::{Course, CourseInput};
use serde::Deserialize;
use serde_json::{json, Value};

use righttrack_app::program::training::pages::{
    self, Admin, AttemptRow, CertRow, Certificate, CompletionRow, MyRow, MyTraining, Report,
};
use righttrack_app::program::training::{self as app_training, import_csv, Attempt, ImportReport};

// ---------------------------------------------------------------- my training

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

pub async fn my(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let MyTraining {
        rows,
        certs,
        gate,
        gate_ok,
        gate_course,
    } = pages::my_training(&state, &caller).await?;
    Ok(render(MyPage {
        l: layout(Some(&caller), "My training", "/my/training"),
        rows,
        certs,
        gate,
        gate_ok,
        gate_course,
    }))
}

async fn course_or_404(state: &AppState, id: &str) -> AppResult<Course> {
    Ok(app_training::course(state, id).await?)
}

struct QuestionView {
    n: usize,
    prompt: String,
    options: Vec<(usize, String)>,
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
    attempts: Vec<AttemptRow>,
}

async fn course_page(
    state: &AppState,
    caller: &Caller,
    course: &Course,
    result: Option<String>,
    passed: bool,
) -> AppResult<Response> {
    let attempts = pages::my_attempts(state, caller, course).await?;
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
    SignedIn { state, caller }: SignedIn,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let course = app_training::course_to_take(&state, &code, false).await?;
    course_page(&state, &caller, &course, None, false).await
}

/// `POST /my/training/{code}`: one quiz attempt (fields `q0`, `q1`, … = option index).
pub async fn submit(
    SignedIn { state, caller }: SignedIn,
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
    c: Certificate,
}

fn certificate_page(caller: &Caller, c: Certificate) -> Response {
    render(CertificatePage {
        l: layout(Some(caller), "Certificate of completion", ""),
        c,
    })
}

/// A printable certificate: its owner, or someone who may read training reports.
pub async fn certificate(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let c = pages::certificate(&state, &caller, &id).await?;
    Ok(certificate_page(&caller, c))
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    pub code: Option<String>,
}

/// `GET /training/verify?code=`: looks a certificate up by its verification code.
pub async fn verify(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let typed = q.code.unwrap_or_default();
    let c = pages::verified_certificate(&state, &caller, &typed).await?;
    Ok(certificate_page(&caller, c))
}

// ---------------------------------------------------------------- officers

#[derive(Template)]
#[template(path = "training_admin.html")]
struct AdminPage {
    l: Layout,
    a: Admin,
    message: Option<String>,
    errors: Vec<String>,
    form: FormData,
}

async fn admin_page(
    state: &AppState,
    caller: &Caller,
    message: Option<String>,
    errors: Vec<String>,
    form: FormData,
) -> AppResult<Response> {
    let invalid = !errors.is_empty();
    let resp = render(AdminPage {
        l: layout(Some(caller), "Training", "/training"),
        a: pages::admin(state).await?,
        message,
        errors,
        form,
    });
    Ok(unprocessable_if(invalid, resp))
}

pub async fn admin(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
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
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let input = match course_input(&form, None) {
        Ok(i) => i,
        Err(errors) => return admin_page(&state, &caller, None, errors, form).await,
    };
    match pages::create_course(&state, &caller, &input).await? {
        Ok(id) => Ok(Redirect::to(&format!("/training/courses/{id}")).into_response()),
        Err(errors) => admin_page(&state, &caller, None, errors, form).await,
    }
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
    let completions = pages::completions(state, course).await?;
    let invalid = !errors.is_empty();
    let resp = render(EditPage {
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
        errors,
    });
    Ok(unprocessable_if(invalid, resp))
}

pub async fn edit_course(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let course = course_or_404(&state, &id).await?;
    edit_page(&state, &caller, &course, None, Vec::new()).await
}

pub async fn save_course(
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let course = course_or_404(&state, &id).await?;
    let offline = pages::OfflineCompletion {
        username: &form.get("username"),
        completed_at: &form.get("completed_at"),
        note: &form.get("note"),
    };
    match pages::record_offline(&state, &caller, &course, offline).await? {
        Ok(msg) => edit_page(&state, &caller, &course, Some(msg), Vec::new()).await,
        Err(errors) => edit_page(&state, &caller, &course, None, errors).await,
    }
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
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let rule = pages::NewRule {
        course: &form.get("course"),
        due_days: &form.get("due_days"),
        audience: parse_audience(&form),
        on_hire: form.get("on_hire") == "yes",
    };
    match pages::add_rule(&state, &caller, rule).await? {
        Ok(msg) => admin_page(&state, &caller, Some(msg), Vec::new(), FormData(Vec::new())).await,
        Err(errors) => admin_page(&state, &caller, None, errors, form).await,
    }
}

pub async fn set_rule_active(
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
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

fn param(v: &Option<String>) -> Option<String> {
    crate::params::nonempty(v)
}

#[derive(Template)]
#[template(path = "training_reports.html")]
struct ReportsPage {
    l: Layout,
    r: Report,
    course: String,
}

pub async fn reports(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = pages::report(&state, &caller, param(&q.course).as_deref()).await?;
    Ok(render(ReportsPage {
        l: layout(Some(&caller), "Training reports", "/training/reports"),
        r,
        course: q.course.clone().unwrap_or_default(),
    }))
}

/// `GET /training/reports.csv`: one line per person and assigned course.
pub async fn reports_csv(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let (course, status) = (param(&q.course), param(&q.status));
    let out = pages::report_csv(&state, &caller, course.as_deref(), status.as_deref()).await?;
    Ok(csv_download("training.csv", out))
}

/// `GET /api/v1/training/me`: the caller's assignments and data-access standing.
pub async fn api_me(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let (rows, g) = pages::mine(&state, &caller).await?;
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
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Value>> {
    use righttrack_app::program::training::{
        by_role, by_site, by_team, coverage, total, trend, visible_standings,
    };
    let (course, status) = (param(&q.course), param(&q.status));
    let rows = visible_standings(&state, &caller, course.as_deref(), status.as_deref()).await?;
    Ok(Json(json!({
        "total": total(&rows),
        "by_team": coverage(&rows, by_team),
        "by_site": coverage(&rows, by_site),
        "by_role": coverage(&rows, by_role),
        "overdue": rows.iter().filter(|s| matches!(s.status, rules::Status::Overdue { .. })).collect::<Vec<_>>(),
        "trend": trend(&state, &rows).await?,
    })))
}

/// `GET /api/v1/training/courses`: the courses (content included; quiz answers not).
pub async fn api_courses(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let courses = pages::courses(&state).await?;
    Ok(Json(json!({"courses": courses.iter().map(|c| json!({
        "id": c.id, "code": c.code, "title": c.title, "pass_mark": c.pass_mark,
        "validity_months": c.validity_months, "grants_data_access": c.grants_data_access,
        "external": c.external, "archived": c.archived, "questions": c.quiz.questions.len(),
    })).collect::<Vec<_>>()})))
}
