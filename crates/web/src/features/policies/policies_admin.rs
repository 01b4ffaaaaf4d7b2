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
use crate::error::{AppError, AppResult, Code};
use crate::extract::Path;
use crate::pages::{layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_app::program::policies::{
    cycle_data, question_rows, reports_rows, sync, PersonRow, QuestionRow, ReportsRow,
};
use righttrack_core::audience::Audience;
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::{SiteId, TeamId};
use righttrack_core::markdown;
use righttrack_core::policies::{self as rules, Kind, Status, Step};
use righttrack_core::Role;
use righttrack_scan::csv::cell;
use righttrack_store::policies::{NewPolicy, Policy, Version};
use righttrack_store::StoreError;
use serde_json::{json, Value};

async fn policy_or_404(state: &AppState, key: &str) -> AppResult<Policy> {
    state.db.policy(key).await?.ok_or_else(AppError::not_found)
}

// ------------------------------------------------------------------------- the list

pub struct ListRow {
    pub slug: String,
    pub title: String,
    pub published: String,
    pub in_work: String,
    pub coverage: String,
    pub retired: bool,
}

#[derive(Template)]
#[template(path = "policies_manage.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ListRow>,
    error: Option<String>,
}

async fn list_rows(state: &AppState) -> AppResult<Vec<ListRow>> {
    let now = state.now();
    let mut rows = Vec::new();
    for p in state.db.policies().await? {
        let versions = state.db.versions(&p.id).await?;
        let published = versions
            .iter()
            .find(|v| v.status == Status::Published)
            .map(|v| format!("version {} ({})", v.number, v.kind.as_str()))
            .unwrap_or_else(|| "not published".into());
        let in_work = versions
            .iter()
            .find(|v| {
                matches!(
                    v.status,
                    Status::Draft | Status::InReview | Status::Approved
                )
            })
            .map(|v| format!("version {}: {}", v.number, v.status.label()))
            .unwrap_or_default();
        let coverage = match state.db.cycle(&p.id).await? {
            Some(c) if p.retired_at.is_none() => {
                let a = state.db.assignments(&c.id).await?;
                let active: Vec<_> = a.iter().filter(|x| !x.disabled).collect();
                let done = active.iter().filter(|x| x.attested_at.is_some()).count();
                let overdue = active
                    .iter()
                    .filter(|x| x.attested_at.is_none() && rules::is_overdue(x.due_at, now))
                    .count();
                format!("{done} of {} attested, {overdue} overdue", active.len())
            }
            _ => String::new(),
        };
        rows.push(ListRow {
            slug: p.slug,
            title: p.title,
            published,
            in_work,
            coverage,
            retired: p.retired_at.is_some(),
        });
    }
    Ok(rows)
}

/// `GET /policies/manage`: every policy with its published version, the version in work
/// and coverage; the form for a new policy.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    Ok(render(ListPage {
        l: layout(Some(&caller), "Policies", "/policies/manage"),
        rows: list_rows(&state).await?,
        error: None,
    }))
}

/// `POST /policies/manage`: a new policy (title) with a first draft.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let title = form.get("title");
    let settings = match rules::check_settings(
        &title,
        &rules::DEFAULT_ATTEST_DAYS.to_string(),
        &rules::DEFAULT_PASS_MARK.to_string(),
    ) {
        Ok(s) => s,
        Err(e) => {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(ListPage {
                    l: layout(Some(&caller), "Policies", "/policies/manage"),
                    rows: list_rows(&state).await?,
                    error: Some(e),
                }),
            )
                .into_response())
        }
    };
    let slug = rules::slug(&settings.title);
    let now = state.now();
    let created = state
        .db
        .create_policy(
            &NewPolicy {
                slug: slug.clone(),
                title: settings.title.clone(),
                audience: Audience::everyone(),
                attest_days: settings.attest_days,
                pass_mark: settings.pass_mark,
                by: caller.user.username.clone(),
                body: "## 1. Purpose\n\nWhy this policy exists.\n\n## 2. Rules\n\n2.1 What everyone must do.\n".into(),
                summary: String::new(),
                quiz: Vec::new(),
            },
            now,
            &mut rand::rngs::OsRng,
        )
        .await;
    let (pid, vid) = match created {
        Ok(x) => x,
        Err(StoreError::Conflict(_)) => {
            return Ok((
                axum::http::StatusCode::CONFLICT,
                render(ListPage {
                    l: layout(Some(&caller), "Policies", "/policies/manage"),
                    rows: list_rows(&state).await?,
                    error: Some(format!(
                        "field `title`: a policy with the key \"{slug}\" already exists; choose another title"
                    )),
                }),
            )
                .into_response())
        }
        Err(e) => return Err(e.into()),
    };
    state
        .audit(
            &caller.actor(),
            "policy.created",
            &pid,
            json!({"title": settings.title, "version": vid}),
        )
        .await?;
    Ok(Redirect::to(&format!("/policies/manage/{slug}")).into_response())
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

fn version_row(v: &Version) -> VersionRow {
    VersionRow {
        number: v.number,
        kind: v.kind.as_str(),
        status: v.status.label(),
        summary: v.summary.clone(),
        contributors: v.contributors.join(", "),
        approved: match (&v.approved_by, v.approved_at) {
            (Some(b), Some(t)) => format!("{b}, {}", minute(t)),
            _ => String::new(),
        },
        published: match (&v.published_by, v.published_at) {
            (Some(b), Some(t)) => format!("{b}, {}", minute(t)),
            _ => String::new(),
        },
        hash: v.hash.clone().unwrap_or_default(),
        due: v.due_at.map(day).unwrap_or_default(),
    }
}

/// Names an audience for people: "everyone", or "roles: Agent; teams: …; sites: …".
pub async fn describe(state: &AppState, a: &Audience) -> AppResult<String> {
    if a.is_everyone() {
        return Ok("everyone".into());
    }
    let teams = state.db.list_teams().await?;
    let sites = state.db.list_sites().await?;
    let mut parts = Vec::new();
    if !a.roles.is_empty() {
        parts.push(format!(
            "roles: {}",
            a.roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !a.teams.is_empty() {
        parts.push(format!(
            "teams: {}",
            a.teams
                .iter()
                .map(|t| teams
                    .iter()
                    .find(|x| x.id == *t)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| "(removed team)".into()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !a.sites.is_empty() {
        parts.push(format!(
            "sites: {}",
            a.sites
                .iter()
                .map(|t| sites
                    .iter()
                    .find(|x| x.id == *t)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| "(removed site)".into()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(parts.join("; "))
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
    let p = policy_or_404(state, key).await?;
    let versions = state.db.versions(&p.id).await?;
    let published = versions.iter().find(|v| v.status == Status::Published);
    let work = versions
        .iter()
        .find(|v| {
            matches!(
                v.status,
                Status::Draft | Status::InReview | Status::Approved
            )
        })
        .map(|v| {
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
                submitted: match (&v.submitted_by, v.submitted_at) {
                    (Some(b), Some(t)) => format!("{b}, {}", minute(t)),
                    _ => String::new(),
                },
                approved: match (&v.approved_by, v.approved_at) {
                    (Some(b), Some(t)) => format!("{b}, {}", minute(t)),
                    _ => String::new(),
                },
                may_approve: check.is_ok(),
                why_not: check.err().map(|e| capitalize(&e)).unwrap_or_default(),
            }
        });
    let teams = state.db.list_teams().await?;
    let sites = state.db.list_sites().await?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = ManagePage {
        l: layout(
            Some(caller),
            &format!("{} (manage)", p.title),
            "/policies/manage",
        ),
        retired: p.retired_at.is_some(),
        versions: versions.iter().map(version_row).collect(),
        work,
        roles: Role::ALL
            .iter()
            .map(|r| Pick {
                value: r.as_str().into(),
                label: r.label().into(),
                checked: p.audience.roles.contains(r),
            })
            .collect(),
        teams: teams
            .iter()
            .map(|t| Pick {
                value: t.id.to_string(),
                label: format!("{} ({})", t.name, t.site_name),
                checked: p.audience.teams.contains(&t.id),
            })
            .collect(),
        sites: sites
            .iter()
            .map(|s| Pick {
                value: s.id.to_string(),
                label: s.name.clone(),
                checked: p.audience.sites.contains(&s.id),
            })
            .collect(),
        audience: describe(state, &p.audience).await?,
        error,
        notice,
        p,
    };
    Ok((status, render(page)).into_response())
}

/// `GET /policies/manage/{id}`: settings, versions, the version in work with its
/// preview and clause changes against the published one, and the workflow buttons.
pub async fn manage(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    manage_page(&state, &caller, &key, None, None, None).await
}

/// Reads the audience checkboxes (`role`, `team`, `site`); errors name the field.
async fn audience_from(state: &AppState, form: &FormData) -> AppResult<Audience> {
    let mut a = Audience::default();
    for r in form.all("role") {
        a.roles.push(
            Role::parse(&r).map_err(|e| AppError::unprocessable(format!("field `role`: {e}")))?,
        );
    }
    let teams = state.db.list_teams().await?;
    for t in form.all("team") {
        let id = TeamId::parse(&t)
            .filter(|id| teams.iter().any(|x| x.id == *id))
            .ok_or_else(|| AppError::unprocessable("field `team`: unknown team"))?;
        a.teams.push(id);
    }
    let sites = state.db.list_sites().await?;
    for s in form.all("site") {
        let id = SiteId::parse(&s)
            .filter(|id| sites.iter().any(|x| x.id == *id))
            .ok_or_else(|| AppError::unprocessable("field `site`: unknown site"))?;
        a.sites.push(id);
    }
    Ok(a)
}

/// `POST /policies/manage/{id}/settings`: title, audience, days to attest, pass mark.
pub async fn settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    let s = match rules::check_settings(
        &form.get("title"),
        &form.get("attest_days"),
        &form.get("pass_mark"),
    ) {
        Ok(s) => s,
        Err(e) => return manage_page(&state, &caller, &key, Some(e), None, None).await,
    };
    let audience = match audience_from(&state, &form).await {
        Ok(a) => a,
        Err(e) => return manage_page(&state, &caller, &key, Some(e.message), None, None).await,
    };
    state
        .db
        .update_policy(&p.id, &s.title, &audience, s.attest_days, s.pass_mark)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::new(Code::Conflict, "This policy is retired."),
            e => e.into(),
        })?;
    state
        .audit(
            &caller.actor(),
            "policy.settings_changed",
            &p.id,
            json!({"title": s.title, "audience": audience, "attest_days": s.attest_days, "pass_mark": s.pass_mark}),
        )
        .await?;
    // A wider audience is assigned at once, a narrower one keeps what was assigned.
    sync(&state, None, state.now()).await?;
    Ok(Redirect::to(&format!("/policies/manage/{}", p.slug)).into_response())
}

/// `POST /policies/manage/{id}/versions`: start the next version as a draft.
pub async fn new_version(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    if p.retired_at.is_some() {
        return Err(AppError::new(Code::Conflict, "This policy is retired."));
    }
    let id = state
        .db
        .new_draft(
            &p.id,
            &caller.user.username,
            state.now(),
            &mut rand::rngs::OsRng,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::new(
                Code::Conflict,
                "A version of this policy is already in work; finish or publish it first.",
            ),
            e => e.into(),
        })?;
    state
        .audit(
            &caller.actor(),
            "policy.version_started",
            &p.id,
            json!({"version": id}),
        )
        .await?;
    Ok(Redirect::to(&format!("/policies/manage/{}#work", p.slug)).into_response())
}

/// `POST /policies/manage/{id}/draft`: save the draft's kind, summary, text and quiz.
pub async fn save(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    let sub = Submitted {
        kind: form.get("kind"),
        summary: form.get("summary").trim().to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
        quiz: form.get("quiz").replace("\r\n", "\n"),
    };
    let Some(v) = state
        .db
        .version(&form.get("version"))
        .await?
        .filter(|v| v.policy_id == p.id)
    else {
        return Err(AppError::not_found());
    };
    let checked = (|| {
        let kind = Kind::parse(&sub.kind)
            .ok_or("field `kind`: expected material or editorial".to_owned())?;
        rules::check_text(&sub.body, &sub.summary)?;
        let quiz = rules::parse_quiz(&sub.quiz)?;
        Ok::<_, String>((kind, quiz))
    })();
    let (kind, quiz) = match checked {
        Ok(x) => x,
        Err(e) => return manage_page(&state, &caller, &key, Some(e), None, Some(sub)).await,
    };
    let saved = state
        .db
        .save_draft(
            &v.id,
            kind,
            &sub.summary,
            &sub.body,
            &quiz,
            &caller.user.username,
        )
        .await?;
    if !saved {
        return Err(AppError::new(
            Code::Conflict,
            "This version is no longer a draft; return it to draft to edit it.",
        ));
    }
    state
        .audit(
            &caller.actor(),
            "policy.draft_saved",
            &p.id,
            json!({"version": v.number, "kind": kind.as_str(), "questions": quiz.len()}),
        )
        .await?;
    Ok(Redirect::to(&format!("/policies/manage/{}#work", p.slug)).into_response())
}

/// `POST /policies/manage/{id}/step`: `step` = submit, approve, return or publish the
/// version in work (`version`).
pub async fn step(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let now = state.now();
    let p = policy_or_404(&state, &key).await?;
    if p.retired_at.is_some() {
        return Err(AppError::new(Code::Conflict, "This policy is retired."));
    }
    let Some(v) = state
        .db
        .version(&form.get("version"))
        .await?
        .filter(|v| v.policy_id == p.id)
    else {
        return Err(AppError::not_found());
    };
    let step = match form.get("step").as_str() {
        "submit" => Step::Submit,
        "approve" => Step::Approve,
        "return" => Step::Return,
        "publish" => Step::Publish,
        _ => {
            return Err(AppError::unprocessable(
                "field `step`: expected submit, approve, return or publish",
            ))
        }
    };
    let refuse = |msg: String| AppError::new(Code::Conflict, msg);
    let to = v
        .status
        .next(step)
        .map_err(|e| refuse(format!("{}.", capitalize(&e))))?;
    let me = caller.user.username.clone();
    let mut detail = json!({"version": v.number, "kind": v.kind.as_str()});
    match step {
        Step::Approve => {
            rules::may_approve(&me, &v.contributors)
                .map_err(|e| AppError::new(Code::Forbidden, format!("{}.", capitalize(&e))))?;
            detail["contributors"] = json!(v.contributors);
        }
        Step::Submit => {
            rules::check_text(&v.body, &v.summary).map_err(AppError::unprocessable)?;
        }
        Step::Publish if v.kind == Kind::Editorial && state.db.cycle(&p.id).await?.is_none() => {
            return Err(AppError::unprocessable(
                "field `kind`: the first published version of a policy must be material (everyone attests it); return it to draft and mark it material",
            ));
        }
        _ => {}
    }
    let done = if step == Step::Publish {
        let hash = rules::version_hash(&v.body);
        let due = (v.kind == Kind::Material).then(|| rules::due(now, p.attest_days));
        let ok = state
            .db
            .publish_version(&v.id, &me, now, &hash, due)
            .await?;
        detail["hash"] = json!(hash);
        detail["due_at"] = json!(due);
        if ok && v.kind == Kind::Material {
            detail["assigned"] = json!(sync(&state, None, now).await?);
        }
        ok
    } else {
        state.db.step_version(&v.id, v.status, to, &me, now).await?
    };
    if !done {
        return Err(refuse(
            "Someone else changed this version in the meantime; reload the page.".into(),
        ));
    }
    let action = match step {
        Step::Submit => "policy.version_submitted",
        Step::Approve => "policy.version_approved",
        Step::Return => "policy.version_returned",
        _ => "policy.version_published",
    };
    state.audit(&caller.actor(), action, &p.id, detail).await?;
    Ok(Redirect::to(&format!("/policies/manage/{}", p.slug)).into_response())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `POST /policies/manage/{id}/retire`: nothing more is asked of anyone.
pub async fn retire(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    if form.get("confirm") != "yes" {
        return Err(AppError::unprocessable(
            "field `confirm`: tick the box to confirm that nobody is to attest this policy any more",
        ));
    }
    if !state
        .db
        .retire_policy(&p.id, &caller.user.username, state.now())
        .await?
    {
        return Err(AppError::new(
            Code::Conflict,
            "This policy is already retired.",
        ));
    }
    state
        .audit(
            &caller.actor(),
            "policy.retired",
            &p.id,
            json!({"title": p.title}),
        )
        .await?;
    Ok(Redirect::to(&format!("/policies/manage/{}", p.slug)).into_response())
}

// -------------------------------------------------------------------------- reports

pub struct TrendRow {
    pub day: String,
    pub attested: u32,
    pub assigned: u32,
    pub percent: u32,
}

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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let now = state.now();
    let p = policy_or_404(&state, &key).await?;
    sync(&state, None, now).await?;
    let data = cycle_data(&state, &p).await?;
    let (mut by_team, mut by_site, mut by_role, mut overdue, mut trend) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut cycle = None;
    if let Some(d) = data {
        by_team = rules::coverage(&d.assignees, now, |a| vec![a.team.clone()]);
        by_site = rules::coverage(&d.assignees, now, |a| vec![a.site.clone()]);
        by_role = rules::coverage(&d.assignees, now, |a| a.roles.clone());
        let from = d.cycle.published_at.unwrap_or(now);
        trend = rules::trend(&d.assignees, from, now)
            .into_iter()
            .map(|(day, attested, assigned)| TrendRow {
                percent: (attested * 100).checked_div(assigned).unwrap_or(0),
                day,
                attested,
                assigned,
            })
            .collect();
        overdue = d
            .people
            .into_iter()
            .filter(|r| r.status == "overdue")
            .collect();
        overdue.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.name.cmp(&b.name))
        });
        cycle = Some(d.cycle);
    }
    let mut questions = question_rows(&state, &p).await?;
    questions.sort_by(|a, b| b.version.cmp(&a.version).then(b.rate.cmp(&a.rate)));
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
pub async fn reports(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let rows = reports_rows(&state).await?;
    Ok(render(ReportsPage {
        l: layout(Some(&caller), "Attestation", "/policies/reports"),
        rows,
    }))
}

fn csv(name: &str, header_line: &str, rows: Vec<Vec<String>>) -> Response {
    let mut out = String::from(header_line);
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

/// `GET /policies/reports/{id}/evidence.csv`: every attestation of the policy.
pub async fn evidence_csv(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    let rows: Vec<Vec<String>> = state
        .db
        .policy_evidence(&p.id)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                e.policy,
                e.username,
                e.display_name,
                e.cycle_number.to_string(),
                e.version_number.to_string(),
                e.version_hash,
                e.attested_at.to_string(),
                e.method,
                e.score.map(|s| s.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    state
        .audit(
            &caller.actor(),
            "policy.evidence_exported",
            &p.id,
            json!({"rows": rows.len(), "what": "evidence"}),
        )
        .await?;
    Ok(csv(
        &format!("{}-attestations.csv", p.slug),
        "policy,username,name,cycle_version,version_attested,version_sha256,attested_at,method,quiz_score",
        rows,
    ))
}

/// `GET /policies/reports/{id}/coverage.csv`: every person of the current cycle.
pub async fn coverage_csv(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let p = policy_or_404(&state, &key).await?;
    sync(&state, None, state.now()).await?;
    let rows: Vec<Vec<String>> = match cycle_data(&state, &p).await? {
        None => Vec::new(),
        Some(d) => d
            .people
            .into_iter()
            .map(|r| {
                vec![
                    r.username,
                    r.name,
                    r.team,
                    r.site,
                    r.roles.join("; "),
                    r.lead,
                    r.assigned,
                    r.due,
                    r.status.to_owned(),
                    r.days_overdue.to_string(),
                    r.attested,
                    r.reminders.to_string(),
                    r.escalations.to_string(),
                ]
            })
            .collect(),
    };
    state
        .audit(
            &caller.actor(),
            "policy.evidence_exported",
            &p.id,
            json!({"rows": rows.len(), "what": "coverage"}),
        )
        .await?;
    Ok(csv(
        &format!("{}-coverage.csv", p.slug),
        "username,name,team,site,roles,lead,assigned,due,status,days_overdue,attested_at,reminders,escalations",
        rows,
    ))
}

/// `GET /api/v1/policies/{id}/coverage`: the current cycle's coverage by team, site and
/// role, the overdue people and the quiz questions' failure rates.
pub async fn api_coverage(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    let now = state.now();
    let p = policy_or_404(&state, &key).await?;
    sync(&state, None, now).await?;
    let questions: Vec<Value> = question_rows(&state, &p)
        .await?
        .into_iter()
        .map(|q| json!({"version": q.version, "question": q.n, "prompt": q.prompt, "answers": q.answers, "wrong": q.wrong, "flagged": q.flagged}))
        .collect();
    let Some(d) = cycle_data(&state, &p).await? else {
        return Ok(Json(
            json!({"policy": p.slug, "cycle": null, "questions": questions}),
        ));
    };
    let overdue: Vec<Value> = d
        .people
        .iter()
        .filter(|r| r.status == "overdue")
        .map(|r| json!({"username": r.username, "team": r.team, "site": r.site, "due": r.due, "days_overdue": r.days_overdue, "reminders": r.reminders, "escalations": r.escalations}))
        .collect();
    Ok(Json(json!({
        "policy": p.slug,
        "cycle": {"version": d.cycle.number, "published_at": d.cycle.published_at, "due_at": d.cycle.due_at, "hash": d.cycle.hash},
        "total": rules::coverage(&d.assignees, now, |_| Vec::new()).into_iter().next(),
        "by_team": rules::coverage(&d.assignees, now, |a| vec![a.team.clone()]).into_iter().skip(1).collect::<Vec<_>>(),
        "by_site": rules::coverage(&d.assignees, now, |a| vec![a.site.clone()]).into_iter().skip(1).collect::<Vec<_>>(),
        "by_role": rules::coverage(&d.assignees, now, |a| a.roles.clone()).into_iter().skip(1).collect::<Vec<_>>(),
        "overdue": overdue,
        "questions": questions,
    })))
}

/// `GET /api/v1/policies/{id}/attestations`: the evidence of every attestation.
pub async fn api_evidence(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    let p = policy_or_404(&state, &key).await?;
    let rows = state.db.policy_evidence(&p.id).await?;
    state
        .audit(
            &caller.actor(),
            "policy.evidence_exported",
            &p.id,
            json!({"rows": rows.len(), "what": "api"}),
        )
        .await?;
    Ok(Json(json!({"policy": p.slug, "attestations": rows})))
}
