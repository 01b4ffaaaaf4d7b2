//! Internal audits and corrective actions (CAPA) over HTTP (`core::capa` holds the
//! rules, `store::capa` the records, `righttrack_app::program::capa` the audits, the
//! sweeper and the shared input checks).
//!
//! Audits: QA analysts and ethics officers keep checklist templates and schedules
//! ("monthly PCI checklist per site"); the sweeper of `serve` (and `righttrack audits
//! materialise`) creates each due audit two weeks ahead; an auditor answers every item
//! and the failed ones become findings, from which a CAPA is raised.
//!
//! CAPA: raised from a finding, a QA trend (a scan rule's violation rate over the stored
//! interactions), a survey hot-spot (an opaque reference and a label, wired by the
//! surveys module), a hotline case, or by hand. A case worker raises one from the case
//! page; the CAPA keeps only the case reference, and shows it only to people who hold
//! the case's key (everyone else reads "Hotline case (reference withheld)"). The owner
//! (or the creator, or a QA analyst / ethics officer) moves it through the ISO 9001
//! §10.2 states; a metric, when set, must be met before it can be verified. Overdue
//! CAPAs are escalated once (audited) and everyone concerned gets a content-free notice
//! a day on the home page. Every creation, move and escalation is audited; free text is
//! scrubbed of personal data before storage and never audited.

use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::capa::actions::{self, CapaRow, Prefill};
use righttrack_app::program::capa::audits::{
    self, complete, create_template, schedule, trends, NewSchedules, Trend,
};
use righttrack_app::program::capa::{
    move_step, raise, raise_from_case as raise_from, CapaInput, TREND_DAYS,
};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::capa::{Step, Verdict};
use righttrack_core::clock::day;
use serde_json::{json, Value};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- audits

const ALL_SITES: &str = "all sites";
const ANY_AUDITOR: &str = "any auditor";

struct AuditRow {
    id: String,
    title: String,
    site: String,
    auditor: String,
    due: String,
    status: &'static str,
    findings: i64,
}

impl From<righttrack_store::capa::Audit> for AuditRow {
    fn from(a: righttrack_store::capa::Audit) -> Self {
        AuditRow {
            due: day(a.due_at),
            site: a.site_name.unwrap_or_else(|| ALL_SITES.into()),
            auditor: a.auditor.unwrap_or_else(|| ANY_AUDITOR.into()),
            id: a.id,
            title: a.title,
            status: a.status,
            findings: a.findings,
        }
    }
}

struct FindingRow {
    id: String,
    audit_id: String,
    audit: String,
    text: String,
    note: String,
    site: String,
    capa: Option<String>,
}

impl From<righttrack_store::capa::Finding> for FindingRow {
    fn from(f: righttrack_store::capa::Finding) -> Self {
        FindingRow {
            id: f.id,
            audit_id: f.audit_id,
            audit: f.audit_title,
            text: f.text,
            note: f.note.unwrap_or_default(),
            site: f.site_name.unwrap_or_else(|| ALL_SITES.into()),
            capa: f.capa,
        }
    }
}

#[derive(Template)]
#[template(path = "audits_list.html")]
struct AuditsPage {
    l: crate::pages::Layout,
    audits: Vec<AuditRow>,
    findings: Vec<FindingRow>,
    manage: bool,
    templates: Vec<righttrack_store::capa::AuditTemplate>,
    schedules: Vec<(String, String, i64, String, String)>,
    sites: Vec<String>,
    users: Vec<String>,
    today: String,
}

/// `GET /audits`: open audits (overdue first), completed ones, findings without a CAPA;
/// templates and schedules for those who manage them.
pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let p = audits::page(&state, &caller).await?;
    let manage = p.manage.is_some();
    let m = p.manage.unwrap_or_default();
    Ok(render(AuditsPage {
        l: layout(Some(&caller), "Audits", "/audits"),
        audits: p.audits.into_iter().map(AuditRow::from).collect(),
        findings: p.findings.into_iter().map(FindingRow::from).collect(),
        manage,
        templates: m.templates,
        schedules: m
            .schedules
            .into_iter()
            .map(|s| {
                (
                    s.template,
                    s.site_name.unwrap_or_else(|| ALL_SITES.into()),
                    s.every_months,
                    day(s.next_due),
                    s.auditor.unwrap_or_else(|| ANY_AUDITOR.into()),
                )
            })
            .collect(),
        sites: m.sites,
        users: m.users,
        today: day(state.now()),
    }))
}

/// `POST /audits/templates`.
pub async fn template_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    create_template(&state, &caller, &form.get("name"), &form.get("items")).await?;
    Ok(Redirect::to("/audits#manage").into_response())
}

/// `POST /audits/schedules`: repeats a template every n months for a site (or all) and
/// creates the audits already due.
pub async fn schedule_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    schedule(
        &state,
        &caller,
        &NewSchedules {
            template: form.get("template"),
            every_months: form.get("every_months"),
            first_due: form.get("first_due"),
            sites: form.all("site"),
            auditor: form.get("auditor"),
        },
    )
    .await?;
    Ok(Redirect::to("/audits").into_response())
}

struct ItemView {
    position: i64,
    text: String,
    answer: String,
    note: String,
}

#[derive(Template)]
#[template(path = "audit_checklist.html")]
struct ChecklistPage {
    l: crate::pages::Layout,
    a: AuditRow,
    completed_by: String,
    items: Vec<ItemView>,
    findings: Vec<FindingRow>,
    open: bool,
    may_raise: bool,
}

/// `GET /audits/{id}`: the checklist to answer, or the answers and findings.
pub async fn detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (a, items, findings) = audits::checklist(&state, &id).await?;
    Ok(render(ChecklistPage {
        l: layout(Some(&caller), &a.title, ""),
        open: a.status != "completed",
        completed_by: a.completed_by.clone().unwrap_or_default(),
        items: items
            .into_iter()
            .map(|i| ItemView {
                position: i.position,
                text: i.text,
                answer: i.answer.unwrap_or_default(),
                note: i.note.unwrap_or_default(),
            })
            .collect(),
        findings: findings.into_iter().map(FindingRow::from).collect(),
        may_raise: allowed(&caller.user.roles, Action::CapaManage),
        a: AuditRow::from(a),
    }))
}

/// `POST /audits/{id}/complete`: `answer_N` and `note_N` per item.
pub async fn complete_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let mut answers: BTreeMap<i64, (String, String)> = BTreeMap::new();
    for (k, v) in &form.0 {
        if let Some(n) = k.strip_prefix("answer_").and_then(|n| n.parse().ok()) {
            answers.entry(n).or_default().0 = v.clone();
        } else if let Some(n) = k.strip_prefix("note_").and_then(|n| n.parse().ok()) {
            answers.entry(n).or_default().1 = v.clone();
        }
    }
    complete(&state, &caller, &id, &answers).await?;
    Ok(Redirect::to(&format!("/audits/{id}#findings")).into_response())
}

// ---------------------------------------------------------------- CAPA

fn input_of(form: &FormData) -> CapaInput {
    CapaInput {
        title: form.get("title"),
        source_kind: form.get("source_kind"),
        source_ref: form.get("source_ref"),
        source_label: form.get("source_label"),
        site: form.get("site"),
        rule: form.get("rule"),
        owner: form.get("owner"),
        due: form.get("due"),
        metric_baseline: form.get("metric_baseline"),
        metric_days: form.get("metric_days"),
    }
}

fn to_capa(id: &str) -> Response {
    Redirect::to(&format!("/capa/{id}")).into_response()
}

/// `POST /capa`.
pub async fn raise_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let (id, _) = raise(&state, &caller, &input_of(&form)).await?;
    Ok(to_capa(&id))
}

/// `POST /cases/{id}/capa`: a case worker raises a CAPA from a case they hold the key
/// to. Only the reference is kept; the label is fixed, so nothing of the case's content
/// reaches people without its key.
pub async fn raise_from_case(
    SignedIn { state, caller }: SignedIn,
    Path(case): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let id = raise_from(&state, &caller, &case, &input_of(&form)).await?;
    Ok(to_capa(&id))
}

#[derive(Template)]
#[template(path = "capa_list.html")]
struct CapaListPage {
    l: crate::pages::Layout,
    mine: Vec<CapaRow>,
    all: Vec<CapaRow>,
    trends: Vec<Trend>,
    interactions: u64,
    trend_days: i64,
}

/// `GET /capa`: my CAPAs, all (overdue first), and QA trends to raise one from.
pub async fn capa_list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let v = actions::list(&state, &caller).await?;
    Ok(render(CapaListPage {
        l: layout(Some(&caller), "Corrective actions", "/capa"),
        mine: v.mine,
        all: v.all,
        trends: v.trends,
        interactions: v.interactions,
        trend_days: TREND_DAYS,
    }))
}

#[derive(Template)]
#[template(path = "capa_new.html")]
struct NewPage {
    l: crate::pages::Layout,
    kind: String,
    kind_label: String,
    source_ref: String,
    source_label: String,
    rule: String,
    baseline: String,
    users: Vec<String>,
    me: String,
    due: String,
}

/// `GET /capa/new?source=&ref=&rule=&label=`: the form, prefilled from its source.
pub async fn new_form(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<Prefill>,
) -> AppResult<Response> {
    let f = actions::new_form(&state, q).await?;
    Ok(render(NewPage {
        l: layout(Some(&caller), "Raise a corrective action", ""),
        kind: f.kind.as_str().into(),
        kind_label: f.kind.label().into(),
        source_ref: f.source_ref,
        source_label: f.source_label,
        rule: f.rule,
        baseline: f.baseline,
        users: f.users,
        me: caller.user.username.clone(),
        due: f.due,
    }))
}

struct StepView {
    key: &'static str,
    label: &'static str,
    field: &'static str,
    field_label: &'static str,
}

#[derive(Template)]
#[template(path = "capa.html")]
struct DetailPage {
    l: crate::pages::Layout,
    c: CapaRow,
    site: String,
    rule: String,
    recurring_of: String,
    created_by: String,
    created: String,
    root_cause: String,
    plan: String,
    metric: String,
    metric_met: bool,
    events: Vec<actions::Event>,
    steps: Vec<StepView>,
    may_move: bool,
}

fn step_view(s: Step) -> StepView {
    let (field, field_label) = match s {
        Step::Analyse => ("root_cause", "Root cause (required)"),
        Step::Plan => ("plan", "Action plan (required)"),
        Step::NotEffective => ("note", "Why it was not effective (required)"),
        _ => ("note", "Note (optional)"),
    };
    StepView {
        key: s.as_str(),
        label: s.label(),
        field,
        field_label,
    }
}

/// `GET /capa/{id}`.
pub async fn capa_detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let d = actions::detail(&state, &caller, &id).await?;
    let c = d.capa;
    Ok(render(DetailPage {
        l: layout(Some(&caller), &d.row.title, ""),
        site: c.site_name.unwrap_or_default(),
        rule: c.rule.unwrap_or_default(),
        recurring_of: c.recurring_of.unwrap_or_default(),
        created_by: c.created_by,
        created: day(c.created_at),
        root_cause: c.root_cause.unwrap_or_default(),
        plan: c.plan.unwrap_or_default(),
        metric: d
            .verdict
            .as_ref()
            .map(|(v, b, d, r)| {
                format!(
                    "Rule {r} under {b:.1} violations per 1,000 interactions for {d} days after implementation — {}",
                    v.describe(*b)
                )
            })
            .unwrap_or_default(),
        metric_met: matches!(d.verdict, Some((Verdict::Met { .. }, ..))),
        events: d.events,
        steps: d.steps.into_iter().map(step_view).collect(),
        may_move: d.may_move,
        c: d.row,
    }))
}

/// `POST /capa/{id}/step`: `step` and `root_cause`, `plan` or `note`.
pub async fn step_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let step = form.get("step");
    let t = match step.as_str() {
        "analyse" => form.get("root_cause"),
        "plan" => form.get("plan"),
        _ => form.get("note"),
    };
    move_step(&state, &caller, &id, &step, &t).await?;
    Ok(to_capa(&id))
}

// ---------------------------------------------------------------- API

/// `GET /api/v1/audits`.
pub async fn api_audits(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let (audits, findings) = audits::overview(&state, 1000, 1000).await?;
    Ok(Json(json!({"audits": audits, "open_findings": findings})))
}

/// `GET /api/v1/capas`: CAPAs raised from a hotline case only for the case's key
/// holders, and without their (sealed) texts.
pub async fn api_capas(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let mut out = Vec::new();
    for (c, verdict) in actions::with_verdicts(&state, &caller).await? {
        let mut v = serde_json::to_value(&c).map_err(|e| crate::error::AppError::internal(&e))?;
        v["metric_verdict"] = json!(verdict);
        out.push(v);
    }
    Ok(Json(json!({"capas": out})))
}

/// `POST /api/v1/capas`: a JSON [`CapaInput`].
pub async fn api_raise(SignedIn { state, caller }: SignedIn, body: Bytes) -> AppResult<Response> {
    let input: CapaInput = crate::extract::parse_json(&body)?;
    let (id, recurring) = raise(&state, &caller, &input).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({"id": id, "recurring_of": recurring})),
    )
        .into_response())
}

/// `GET /api/v1/capa/trends`: per scan rule, violations per 1,000 interactions over the
/// last 30 days and the 30 before.
pub async fn api_trends(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let (n, t) = trends(&state, state.now()).await?;
    Ok(Json(json!({
        "days": TREND_DAYS,
        "interactions": n,
        "rules": t.iter().map(|t| json!({"rule": t.rule, "per_1000": t.recent, "hits": t.hits, "before_per_1000": t.before, "rising": t.rising})).collect::<Vec<_>>(),
    })))
}
