//! Policies, the officer's side: writing versions, four-eyes approval, publishing,
//! retiring, settings (audience, days to attest, pass mark), and the attestation reports
//! (coverage by team, site and role, overdue people, trend, quiz questions people get
//! wrong, CSV exports). The employee's side is `policies`.
//!
//! Every state change is audited (`policy.created`, `policy.settings_changed`,
//! `policy.version_started`, `policy.draft_saved`, `policy.version_submitted`,
//! `policy.version_approved`, `policy.version_returned`, `policy.version_published`,
//! `policy.retired`, `policy.evidence_exported`). The approver must not be among the
//! version's contributors (everyone who wrote or edited it); the database's conditional
//! updates make a second approval or publication of the same version fail cleanly.

use super::policies::{clause_views, ClauseView};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, SignedIn};
use crate::pages::{csv_download, layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::policies::manage::{self, capitalize, ListRow, Report, TrendRow};
use righttrack_app::program::policies::{reports_rows, PersonRow, QuestionRow, ReportsRow};
use righttrack_app::Kind;
use righttrack_core::clock::{day, minute};
use righttrack_core::markdown;
use righttrack_core::policies::{self as rules, Status};
use righttrack_core::Role;
use righttrack_store::policies::{Policy, Version};
use serde_json::{json, Value};

/// Where a form that worked leads: the policy's management page (at `anchor`).
fn to_manage(slug: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/policies/manage/{slug}{anchor}")).into_response()
}

/// A form's own problem (its message names the field) is shown on the page; anything
/// else is the usual error.
fn on_form(e: righttrack_app::Error) -> Result<(StatusCode, String), AppError> {
    match e.kind {
        Kind::Unprocessable => Ok((StatusCode::UNPROCESSABLE_ENTITY, e.message)),
        _ => Err(e.into()),
    }
}

// ------------------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "policies_manage.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ListRow>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let page = ListPage {
        l: layout(Some(caller), "Policies", "/policies/manage"),
        rows: manage::list(state).await?,
        error,
    };
    Ok((status, render(page)).into_response())
}

/// `GET /policies/manage`: every policy with its published version, the version in work
/// and coverage; the form for a new policy.
pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    list_page(&state, &caller, StatusCode::OK, None).await
}

/// `POST /policies/manage`: a new policy (title) with a first draft.
pub async fn create(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    match manage::create(&state, &caller, &form.get("title")).await {
        Ok(slug) => Ok(to_manage(&slug, "")),
        Err(e) if e.kind == Kind::Conflict => {
            list_page(&state, &caller, StatusCode::CONFLICT, Some(e.message)).await
        }
        Err(e) => {
            let (status, error) = on_form(e)?;
            list_page(&state, &caller, status, Some(error)).await
        }
    }
}

// ------------------------------------------------------------------- one policy

pub struct VersionRow {
    pub number: i64,
    pub kind: &'static str,
    pub status: &'static str,
    pub summary: String,
    pub contributors: String,
    pub approved: String,
    pub published: String,
    pub hash: String,
    pub due: String,
}

pub struct Pick {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The editor's fields, as stored or as just submitted (kept on an error).
pub struct Draft {
    pub id: String,
    pub number: i64,
    pub status: Status,
    pub kind: &'static str,
    pub summary: String,
    pub body: String,
    pub quiz: String,
    pub contributors: String,
    pub submitted: String,
    pub approved: String,
    pub preview: String,
    pub changes: Vec<ClauseView>,
    pub against: Option<i64>,
    pub may_approve: bool,
    pub why_not: String,
}

#[derive(Template)]
#[template(path = "policy_manage.html")]
struct ManagePage {
    l: Layout,
    p: Policy,
    retired: bool,
    versions: Vec<VersionRow>,
    work: Option<Draft>,
    roles: Vec<Pick>,
    teams: Vec<Pick>,
    sites: Vec<Pick>,
    audience: String,
    error: Option<String>,
    notice: Option<String>,
}

/// "who, when" of a workflow step, or nothing.
fn by_at(by: &Option<String>, at: Option<jiff::Timestamp>) -> String {
    match (by, at) {
        (Some(b), Some(t)) => format!("{b}, {}", minute(t)),
        _ => String::new(),
    }
}

fn version_row(v: &Version) -> VersionRow {
    VersionRow {
        number: v.number,
        kind: v.kind.as_str(),
        status: v.status.label(),
        summary: v.summary.clone(),
        contributors: v.contributors.join(", "),
        approved: by_at(&v.approved_by, v.approved_at),
        published: by_at(&v.published_by, v.published_at),
        hash: v.hash.clone().unwrap_or_default(),
        due: v.due_at.map(day).unwrap_or_default(),
    }
}

/// What the editor form last submitted, to show again with an error.
struct Submitted {
    kind: String,
    summary: String,
    body: String,
    quiz: String,
}

async fn manage_page(
    state: &AppState,
    caller: &Caller,
    key: &str,
    error: Option<String>,
    notice: Option<String>,
    submitted: Option<Submitted>,
) -> AppResult<Response> {
    let m = manage::manage(state, key).await?;
    let published = m.published();
    let work = m.work().map(|v| {
        let (kind, summary, body, quiz) = match &submitted {
            Some(s) => (
                if s.kind == "editorial" {
                    "editorial"
                } else {
                    "material"
                },
                s.summary.clone(),
                s.body.clone(),
                s.quiz.clone(),
            ),
            None => (
                v.kind.as_str(),
                v.summary.clone(),
                v.body.clone(),
                rules::format_quiz(&v.quiz),
            ),
        };
        let check = rules::may_approve(&caller.user.username, &v.contributors);
        Draft {
            id: v.id.clone(),
            number: v.number,
            status: v.status,
            kind,
            preview: markdown::render(&v.body),
            changes: published
                .map(|pv| clause_views(Some(&pv.body), &v.body))
                .unwrap_or_default(),
            against: published.map(|pv| pv.number),
            summary,
            body,
            quiz,
            contributors: v.contributors.join(", "),
            submitted: by_at(&v.submitted_by, v.submitted_at),
            approved: by_at(&v.approved_by, v.approved_at),
            may_approve: check.is_ok(),
            why_not: check.err().map(|e| capitalize(&e)).unwrap_or_default(),
        }
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = &m.p;
    let page = ManagePage {
        l: layout(
            Some(caller),
            &format!("{} (manage)", p.title),
            "/policies/manage",
        ),
        retired: p.retired_at.is_some(),
        versions: m.versions.iter().map(version_row).collect(),
        work,
        roles: Role::ALL
            .iter()
            .map(|r| Pick {
                value: r.as_str().into(),
                label: r.label().into(),
                checked: p.audience.roles.contains(r),
            })
            .collect(),
        teams: m
            .teams
            .iter()
            .map(|t| Pick {
                value: t.id.to_string(),
                label: format!("{} ({})", t.name, t.site_name),
                checked: p.audience.teams.contains(&t.id),
            })
            .collect(),
        sites: m
            .sites
            .iter()
            .map(|s| Pick {
                value: s.id.to_string(),
                label: s.name.clone(),
                checked: p.audience.sites.contains(&s.id),
            })
            .collect(),
        audience: m.audience.clone(),
        error,
        notice,
        p: m.p.clone(),
    };
    Ok((status, render(page)).into_response())
}

/// `GET /policies/manage/{id}`: settings, versions, the version in work with its
/// preview and clause changes against the published one, and the workflow buttons.
pub async fn manage(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    manage_page(&state, &caller, &key, None, None, None).await
}

/// `POST /policies/manage/{id}/settings`: title, audience, days to attest, pass mark.
pub async fn settings(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let s = manage::Settings {
        title: &form.get("title"),
        attest_days: &form.get("attest_days"),
        pass_mark: &form.get("pass_mark"),
        roles: form.all("role"),
        teams: form.all("team"),
        sites: form.all("site"),
    };
    match manage::settings(&state, &caller, &key, s).await {
        Ok(slug) => Ok(to_manage(&slug, "")),
        Err(e) => {
            let (_, error) = on_form(e)?;
            manage_page(&state, &caller, &key, Some(error), None, None).await
        }
    }
}

/// `POST /policies/manage/{id}/versions`: start the next version as a draft.
pub async fn new_version(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let slug = manage::new_version(&state, &caller, &key).await?;
    Ok(to_manage(&slug, "#work"))
}

/// `POST /policies/manage/{id}/draft`: save the draft's kind, summary, text and quiz.
pub async fn save(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let sub = Submitted {
        kind: form.get("kind"),
        summary: form.get("summary").trim().to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
        quiz: form.get("quiz").replace("\r\n", "\n"),
    };
    let d = manage::Draft {
        version: &form.get("version"),
        kind: &sub.kind,
        summary: &sub.summary,
        body: &sub.body,
        quiz: &sub.quiz,
    };
    match manage::save_draft(&state, &caller, &key, d).await {
        Ok(slug) => Ok(to_manage(&slug, "#work")),
        Err(e) => {
            let (_, error) = on_form(e)?;
            manage_page(&state, &caller, &key, Some(error), None, Some(sub)).await
        }
    }
}

/// `POST /policies/manage/{id}/step`: `step` = submit, approve, return or publish the
/// version in work (`version`).
pub async fn step(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let slug = manage::step(
        &state,
        &caller,
        &key,
        &form.get("version"),
        &form.get("step"),
    )
    .await?;
    Ok(to_manage(&slug, ""))
}

/// `POST /policies/manage/{id}/retire`: nothing more is asked of anyone.
pub async fn retire(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let slug = manage::retire(&state, &caller, &key, form.get("confirm") == "yes").await?;
    Ok(to_manage(&slug, ""))
}

// -------------------------------------------------------------------------- reports

#[derive(Template)]
#[template(path = "policy_report.html")]
struct ReportPage {
    l: Layout,
    p: Policy,
    cycle: Option<Version>,
    by_team: Vec<rules::Coverage>,
    by_site: Vec<rules::Coverage>,
    by_role: Vec<rules::Coverage>,
    overdue: Vec<PersonRow>,
    trend: Vec<TrendRow>,
    questions: Vec<QuestionRow>,
    flag_rate: i64,
    flag_min: i64,
    may_manage: bool,
}

/// `GET /policies/reports/{id}`: coverage of the current cycle by team, site and role;
/// the overdue people with their reminders; the trend; quiz questions by failure rate.
pub async fn report(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let Report {
        p,
        cycle,
        by_team,
        by_site,
        by_role,
        overdue,
        trend,
        questions,
    } = manage::report(&state, &key).await?;
    Ok(render(ReportPage {
        l: layout(
            Some(&caller),
            &format!("{}: attestation", p.title),
            "/policies/reports",
        ),
        may_manage: righttrack_core::allowed(
            &caller.user.roles,
            righttrack_core::Action::PolicyManage,
        ),
        p,
        cycle,
        by_team,
        by_site,
        by_role,
        overdue,
        trend,
        questions,
        flag_rate: (rules::FLAG_RATE * 100.0) as i64,
        flag_min: rules::FLAG_MIN_ANSWERS,
    }))
}

#[derive(Template)]
#[template(path = "policies_reports.html")]
struct ReportsPage {
    l: Layout,
    rows: Vec<ReportsRow>,
}

/// `GET /policies/reports`: coverage of every policy's current cycle.
pub async fn reports(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let rows = reports_rows(&state).await?;
    Ok(render(ReportsPage {
        l: layout(Some(&caller), "Attestation", "/policies/reports"),
        rows,
    }))
}

fn csv(c: manage::Csv) -> Response {
    csv_download(&c.name, c.text)
}

/// `GET /policies/reports/{id}/evidence.csv`: every attestation of the policy.
pub async fn evidence_csv(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    Ok(csv(manage::evidence_csv(&state, &caller, &key).await?))
}

/// `GET /policies/reports/{id}/coverage.csv`: every person of the current cycle.
pub async fn coverage_csv(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    Ok(csv(manage::coverage_csv(&state, &caller, &key).await?))
}

/// `GET /api/v1/policies/{id}/coverage`: the current cycle's coverage by team, site and
/// role, the overdue people and the quiz questions' failure rates.
pub async fn api_coverage(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(manage::coverage_json(&state, &key).await?))
}

/// `GET /api/v1/policies/{id}/attestations`: the evidence of every attestation.
pub async fn api_evidence(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    let (slug, rows) = manage::evidence(&state, &caller, &key).await?;
    Ok(Json(json!({"policy": slug, "attestations": rows})))
}
