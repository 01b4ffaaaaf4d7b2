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

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_app::program::capa::audits::{
    self, active_usernames, complete, create_template, days, due_day, metric_verdict, optional,
    schedule, scrub, text, trends, NewSchedules, Trend,
};
use righttrack_app::program::capa::{HOTLINE_TITLE, TREND_DAYS};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::capa::{self as rules, SourceKind, State as CapaState, Step};
use righttrack_core::clock::day;
use righttrack_store::capa::{Capa, Move, NewCapa};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A refusal about one form field, as this module's handlers return it.
fn unprocessable(field: &str, why: impl std::fmt::Display) -> AppError {
    audits::unprocessable(field, why).into()
}

// ---------------------------------------------------------------- audits

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
            site: a.site_name.unwrap_or_else(|| "all sites".into()),
            auditor: a.auditor.unwrap_or_else(|| "any auditor".into()),
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
            site: f.site_name.unwrap_or_else(|| "all sites".into()),
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
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let now = state.now();
    let manage = allowed(&caller.user.roles, Action::AuditManage);
    let (templates, schedules, sites, users) = if manage {
        (
            state.db.audit_templates().await?,
            state
                .db
                .audit_schedules()
                .await?
                .into_iter()
                .map(|s| {
                    (
                        s.template,
                        s.site_name.unwrap_or_else(|| "all sites".into()),
                        s.every_months,
                        day(s.next_due),
                        s.auditor.unwrap_or_else(|| "any auditor".into()),
                    )
                })
                .collect(),
            state
                .db
                .list_sites()
                .await?
                .into_iter()
                .map(|s| s.name)
                .collect(),
            active_usernames(&state).await?,
        )
    } else {
        Default::default()
    };
    Ok(render(AuditsPage {
        l: layout(Some(&caller), "Audits", "/audits"),
        audits: state
            .db
            .audits(now, 300)
            .await?
            .into_iter()
            .map(AuditRow::from)
            .collect(),
        findings: state
            .db
            .open_findings(100)
            .await?
            .into_iter()
            .map(FindingRow::from)
            .collect(),
        manage,
        templates,
        schedules,
        sites,
        users,
        today: day(now),
    }))
}

/// `POST /audits/templates`.
pub async fn template_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    create_template(&state, &caller, &form.get("name"), &form.get("items")).await?;
    Ok(Redirect::to("/audits#manage").into_response())
}

/// `POST /audits/schedules`: repeats a template every n months for a site (or all) and
/// creates the audits already due.
pub async fn schedule_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let Some((a, items, findings)) = state.db.audit(&id, state.now()).await? else {
        return Err(AppError::not_found());
    };
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
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

/// What a CAPA is raised from, as a form or JSON gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CapaInput {
    pub title: String,
    pub source_kind: String,
    #[serde(default)]
    pub source_ref: String,
    #[serde(default)]
    pub source_label: String,
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub rule: String,
    pub owner: String,
    /// YYYY-MM-DD.
    pub due: String,
    #[serde(default)]
    pub metric_baseline: String,
    #[serde(default)]
    pub metric_days: String,
}

/// Raises a CAPA. The source is checked: a finding must exist (its site and label come
/// from it); a QA trend needs a rule; a survey hot-spot needs its reference; a hotline
/// case is only raised through [`raise_from_case`]. Audited. Returns (id, recurring of).
pub async fn raise(
    state: &AppState,
    caller: &Caller,
    input: &CapaInput,
) -> AppResult<(String, Option<String>)> {
    let kind = SourceKind::parse(input.source_kind.trim()).ok_or_else(|| {
        unprocessable(
            "source_kind",
            "expected audit_finding, qa_trend, survey_hotspot or manual",
        )
    })?;
    let mut site = optional(&input.site);
    let rule = optional(&input.rule);
    // (reference, label, recurrence subject)
    let (source_ref, label, subject) = match kind {
        SourceKind::HotlineCase => {
            return Err(unprocessable(
                "source_kind",
                "a CAPA from a hotline case is raised on the case page",
            ))
        }
        SourceKind::AuditFinding => {
            let Some(f) = state.db.audit_finding(input.source_ref.trim()).await? else {
                return Err(unprocessable("source_ref", "no such audit finding"));
            };
            if let Some(c) = f.capa {
                return Err(AppError::new(
                    Code::Conflict,
                    format!("field `source_ref`: this finding already has CAPA {c}"),
                ));
            }
            site = f.site_name.clone();
            // The same checklist item failing again at the same site recurs.
            let label = format!("{}: {}", f.audit_title, f.text);
            (f.id, label, f.text)
        }
        SourceKind::QaTrend => {
            let Some(r) = &rule else {
                return Err(unprocessable("rule", "a QA trend names its scan rule"));
            };
            (r.clone(), format!("Violation rate of rule {r}"), r.clone())
        }
        SourceKind::SurveyHotspot => {
            let r = text("source_ref", &input.source_ref, rules::MAX_TITLE)?;
            let l = optional(&input.source_label).unwrap_or_else(|| format!("Survey hot-spot {r}"));
            let l = text("source_label", &l, rules::MAX_TITLE)?;
            (r.clone(), l, r)
        }
        SourceKind::Manual => (String::new(), "Entered by hand".to_owned(), String::new()),
    };
    create(
        state,
        caller,
        Source {
            kind,
            source_ref,
            label,
            subject,
            site,
            rule,
        },
        input,
        None,
    )
    .await
}

/// A checked source.
struct Source {
    kind: SourceKind,
    source_ref: String,
    label: String,
    /// What recurrence is judged on (with the site).
    subject: String,
    site: Option<String>,
    rule: Option<String>,
}

async fn create(
    state: &AppState,
    caller: &Caller,
    src: Source,
    input: &CapaInput,
    case: Option<&righttrack_app::hotline::cases::Opened>,
) -> AppResult<(String, Option<String>)> {
    let now = state.now();
    let Source {
        kind,
        source_ref,
        label: source_label,
        subject,
        site,
        rule,
    } = src;
    let title = text("title", &input.title, rules::MAX_TITLE)?;
    let title = scrub(state, &title)?;
    let owner = input.owner.trim().to_owned();
    if !active_usernames(state).await?.contains(&owner) {
        return Err(unprocessable("owner", "no such user"));
    }
    if let Some(o) = case {
        // Only the case's key holders see a CAPA raised from it: so must its owner.
        let owner_id = state
            .db
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.username == owner)
            .map(|u| u.id);
        let holds_key = match owner_id {
            Some(u) => state.db.case_visible_to(u, &o.summary.id).await?.is_some(),
            None => false,
        };
        if !holds_key {
            return Err(unprocessable(
                "owner",
                "must be someone who can read this hotline case",
            ));
        }
    }
    let due_at = due_day("due", &input.due)?;
    if due_at <= now {
        return Err(unprocessable("due", "must be in the future"));
    }
    let metric = match (
        optional(&input.metric_baseline),
        optional(&input.metric_days),
    ) {
        (None, None) => None,
        (b, d) => {
            let Some(r) = rule.clone() else {
                return Err(unprocessable(
                    "rule",
                    "a metric needs the scan rule it measures",
                ));
            };
            let baseline: f64 = b
                .as_deref()
                .and_then(|b| b.parse().ok())
                .filter(|b: &f64| b.is_finite() && *b > 0.0)
                .ok_or_else(|| {
                    unprocessable(
                        "metric_baseline",
                        "violations per 1,000 interactions, above 0",
                    )
                })?;
            let days: i64 = d
                .as_deref()
                .and_then(|d| d.parse().ok())
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| unprocessable("metric_days", "a number of days from 1 to 365"))?;
            Some((r, baseline, days))
        }
    };
    let (id, recurring) = state
        .db
        .create_capa(
            &NewCapa {
                // A hotline CAPA's title is sealed below; only a fixed text is clear.
                title: if case.is_some() {
                    HOTLINE_TITLE.to_owned()
                } else {
                    title.clone()
                },
                source_kind: kind,
                source_ref,
                source_label,
                subject,
                site_name: site,
                rule,
                owner: owner.clone(),
                due_at,
                metric,
                created_by: caller.user.username.clone(),
                created_at: now,
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    if let Some(o) = case {
        let sealed = o.seal(&title_field(&id), &title)?;
        state.db.set_capa_title_sealed(&id, &sealed).await?;
    }
    state
        .audit(
            &caller.actor(),
            "capa.created",
            &id,
            json!({"source_kind": kind.as_str(), "owner": owner, "recurring_of": recurring}),
        )
        .await?;
    Ok((id, recurring))
}

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

/// `POST /capa`.
pub async fn raise_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let (id, _) = raise(&state, &caller, &input_of(&form)).await?;
    Ok(Redirect::to(&format!("/capa/{id}")).into_response())
}

/// `POST /cases/{id}/capa`: a case worker raises a CAPA from a case they hold the key
/// to. Only the reference is kept; the label is fixed, so nothing of the case's content
/// reaches people without its key.
pub async fn raise_from_case(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(case): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    // Opening proves the caller holds the case key ("not found" otherwise).
    let o = righttrack_app::hotline::cases::open(&state, &caller, &case).await?;
    let mut input = input_of(&form);
    input.source_kind = SourceKind::HotlineCase.as_str().into();
    let (id, _) = create(
        &state,
        &caller,
        Source {
            kind: SourceKind::HotlineCase,
            source_ref: o.summary.id.clone(),
            label: SourceKind::HotlineCase.label().to_owned(),
            subject: o.summary.id.clone(),
            site: None,
            rule: None,
        },
        &input,
        Some(&o),
    )
    .await?;
    Ok(Redirect::to(&format!("/capa/{id}")).into_response())
}

/// A scan rule's violation rate now and before.
struct CapaRow {
    id: String,
    title: String,
    source: String,
    owner: String,
    due: String,
    state: &'static str,
    overdue: bool,
    recurring: bool,
}

/// How the caller may see a CAPA's source: a hotline case reference only with its key.
async fn source_text(state: &AppState, caller: &Caller, c: &Capa) -> AppResult<String> {
    if c.source_kind == SourceKind::HotlineCase.as_str() {
        let visible = state
            .db
            .case_visible_to(caller.user.id, &c.source_ref)
            .await?
            .is_some();
        return Ok(if visible {
            format!("Hotline case {}", c.source_ref)
        } else {
            "Hotline case (reference withheld)".into()
        });
    }
    Ok(c.source_label.clone())
}

fn is_hotline(c: &Capa) -> bool {
    c.source_kind == SourceKind::HotlineCase.as_str()
}

fn title_field(id: &str) -> String {
    format!("capa:{id}:title")
}

fn root_cause_field(id: &str) -> String {
    format!("capa:{id}:root_cause")
}

fn plan_field(id: &str) -> String {
    format!("capa:{id}:plan")
}

fn note_field(id: &str) -> String {
    format!("capa:{id}:note")
}

/// A CAPA raised from a hotline case exists only for the case's key holders: for anyone
/// else it is not listed and its page is "not found" (its owner may be the accused).
async fn hidden_from(state: &AppState, caller: &Caller, c: &Capa) -> AppResult<bool> {
    Ok(is_hotline(c)
        && state
            .db
            .case_visible_to(caller.user.id, &c.source_ref)
            .await?
            .is_none())
}

/// Opens the case a hotline CAPA was raised from (through the case's data-access gate)
/// and seals, once, what an older version kept of the CAPA in the clear.
async fn open_hotline(
    state: &AppState,
    caller: &Caller,
    c: &Capa,
) -> AppResult<righttrack_app::hotline::cases::Opened> {
    let o = righttrack_app::hotline::cases::open(state, caller, &c.source_ref).await?;
    let clear_notes = state.db.capa_clear_notes(&c.id).await?;
    if c.title_sealed.is_none()
        || c.root_cause.is_some()
        || c.plan.is_some()
        || !clear_notes.is_empty()
    {
        let seal_opt = |field: String, v: &Option<String>| -> AppResult<Option<Vec<u8>>> {
            v.as_deref()
                .map(|t| o.seal(&field, t))
                .transpose()
                .map_err(Into::into)
        };
        let sealed = righttrack_store::capa::SealedCapaTexts {
            title: match &c.title_sealed {
                Some(t) => t.clone(),
                None => o.seal(&title_field(&c.id), &c.title)?,
            },
            root_cause: seal_opt(root_cause_field(&c.id), &c.root_cause)?,
            plan: seal_opt(plan_field(&c.id), &c.plan)?,
            notes: clear_notes
                .iter()
                .map(|(e, n)| Ok((e.clone(), o.seal(&note_field(&c.id), n)?)))
                .collect::<AppResult<Vec<_>>>()?,
        };
        state
            .db
            .seal_capa_texts(&c.id, HOTLINE_TITLE, &sealed)
            .await?;
    }
    Ok(o)
}

/// A sealed text of a hotline CAPA, or the clear one of an older version.
fn unsealed(
    o: &righttrack_app::hotline::cases::Opened,
    field: &str,
    sealed: &Option<Vec<u8>>,
    clear: &Option<String>,
) -> AppResult<Option<String>> {
    match sealed {
        Some(b) => o.open_text(field, b).map(Some).map_err(Into::into),
        None => Ok(clear.clone()),
    }
}

async fn capa_row(state: &AppState, caller: &Caller, c: Capa) -> AppResult<CapaRow> {
    Ok(CapaRow {
        source: source_text(state, caller, &c).await?,
        state: c.state().label(),
        due: day(c.due_at),
        overdue: c.overdue,
        recurring: c.recurring_of.is_some(),
        title: if is_hotline(&c) {
            HOTLINE_TITLE.to_owned()
        } else {
            c.title
        },
        id: c.id,
        owner: c.owner,
    })
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
pub async fn capa_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let now = state.now();
    let mut mine = Vec::new();
    let mut all = Vec::new();
    for c in state.db.capas(now, 500).await? {
        if hidden_from(&state, &caller, &c).await? {
            continue;
        }
        let is_mine = c.owner == caller.user.username;
        let row = capa_row(&state, &caller, c).await?;
        if is_mine {
            mine.push(capa_row_clone(&row));
        }
        all.push(row);
    }
    let (interactions, mut trends) = trends(&state, now).await?;
    trends.truncate(15);
    Ok(render(CapaListPage {
        l: layout(Some(&caller), "Corrective actions", "/capa"),
        mine,
        all,
        trends,
        interactions,
        trend_days: TREND_DAYS,
    }))
}

fn capa_row_clone(r: &CapaRow) -> CapaRow {
    CapaRow {
        id: r.id.clone(),
        title: r.title.clone(),
        source: r.source.clone(),
        owner: r.owner.clone(),
        due: r.due.clone(),
        state: r.state,
        overdue: r.overdue,
        recurring: r.recurring,
    }
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    source: Option<String>,
    #[serde(rename = "ref")]
    source_ref: Option<String>,
    rule: Option<String>,
    label: Option<String>,
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let kind = SourceKind::parse(q.source.as_deref().unwrap_or("manual"))
        .filter(|k| *k != SourceKind::HotlineCase)
        .ok_or_else(|| {
            AppError::bad_request(
                "query `source`: expected audit_finding, qa_trend, survey_hotspot or manual",
            )
        })?;
    let source_ref = q.source_ref.clone().unwrap_or_default();
    let mut source_label = q.label.clone().unwrap_or_default();
    if kind == SourceKind::AuditFinding {
        let Some(f) = state.db.audit_finding(&source_ref).await? else {
            return Err(AppError::not_found());
        };
        source_label = format!("{}: {}", f.audit_title, f.text);
    }
    let rule = q.rule.clone().unwrap_or_default();
    // The baseline offered for a QA trend: the rule's rate over the last TREND_DAYS.
    let baseline = if rule.is_empty() {
        String::new()
    } else {
        let from = now.checked_sub(days(TREND_DAYS)).unwrap_or(now);
        let (n, hits) = state.db.rule_count(&rule, from, now).await?;
        rules::rate_per_1000(hits, n)
            .map(|r| format!("{r:.1}"))
            .unwrap_or_default()
    };
    Ok(render(NewPage {
        l: layout(Some(&caller), "Raise a corrective action", ""),
        kind: kind.as_str().into(),
        kind_label: kind.label().into(),
        source_ref,
        source_label,
        rule,
        baseline,
        users: active_usernames(&state).await?,
        me: caller.user.username.clone(),
        due: day(now.checked_add(days(30)).unwrap_or(now)),
    }))
}

/// The metric verdict of a CAPA, if it has a metric.
struct EventView {
    at: String,
    by: String,
    step: String,
    to: &'static str,
    note: String,
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
    events: Vec<EventView>,
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

/// May `caller` move CAPA `c`? Its owner and creator, and QA analysts and ethics
/// officers (who manage audits and coordinate corrective actions).
fn may_move(caller: &Caller, c: &Capa) -> bool {
    c.owner == caller.user.username
        || c.created_by == caller.user.username
        || allowed(&caller.user.roles, Action::AuditManage)
}

/// `GET /capa/{id}`.
pub async fn capa_detail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let now = state.now();
    let Some(mut c) = state.db.capa(&id, now).await? else {
        return Err(AppError::not_found());
    };
    if hidden_from(&state, &caller, &c).await? {
        return Err(AppError::not_found());
    }
    // A hotline CAPA's texts open with the case key, on a case reader's session only.
    let case = if is_hotline(&c) {
        let o = open_hotline(&state, &caller, &c).await?;
        let title = unsealed(
            &o,
            &title_field(&id),
            &c.title_sealed,
            &Some(c.title.clone()),
        )?;
        c.title = title.unwrap_or_default();
        c.root_cause = unsealed(
            &o,
            &root_cause_field(&id),
            &c.root_cause_sealed,
            &c.root_cause,
        )?;
        c.plan = unsealed(&o, &plan_field(&id), &c.plan_sealed, &c.plan)?;
        Some(o)
    } else {
        None
    };
    let verdict = metric_verdict(&state, &c, now).await?;
    let events = state
        .db
        .capa_events(&id)
        .await?
        .into_iter()
        .map(|e| {
            let note = match &case {
                Some(o) => unsealed(o, &note_field(&id), &e.note_sealed, &e.note)?,
                None => e.note,
            };
            Ok(EventView {
                at: righttrack_core::clock::minute(e.at),
                by: e.by_user,
                step: Step::parse(&e.step).map_or(e.step.clone(), |s| s.label().to_owned()),
                to: CapaState::parse(&e.to_state).map_or("", CapaState::label),
                note: note.unwrap_or_default(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let may = may_move(&caller, &c);
    let title = c.title.clone();
    let mut row = capa_row(&state, &caller, c.clone()).await?;
    row.title = title;
    Ok(render(DetailPage {
        l: layout(Some(&caller), &row.title, ""),
        site: c.site_name.clone().unwrap_or_default(),
        rule: c.rule.clone().unwrap_or_default(),
        recurring_of: c.recurring_of.clone().unwrap_or_default(),
        created_by: c.created_by.clone(),
        created: day(c.created_at),
        root_cause: c.root_cause.clone().unwrap_or_default(),
        plan: c.plan.clone().unwrap_or_default(),
        metric: verdict
            .as_ref()
            .map(|(v, b, d, r)| {
                format!(
                    "Rule {r} under {b:.1} violations per 1,000 interactions for {d} days after implementation — {}",
                    v.describe(*b)
                )
            })
            .unwrap_or_default(),
        metric_met: matches!(verdict, Some((rules::Verdict::Met { .. }, ..))),
        events,
        steps: if may {
            rules::steps_from(c.state()).into_iter().map(step_view).collect()
        } else {
            Vec::new()
        },
        may_move: may,
        c: row,
    }))
}

/// Moves CAPA `id` by `step` with its text. Audited (without the text).
pub async fn move_step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    step: &str,
    text_in: &str,
) -> AppResult<CapaState> {
    let now = state.now();
    let Some(c) = state.db.capa(id, now).await? else {
        return Err(AppError::not_found());
    };
    if hidden_from(state, caller, &c).await? {
        return Err(AppError::not_found());
    }
    if !may_move(caller, &c) {
        return Err(AppError::new(
            Code::Forbidden,
            "Only the owner, the creator, a QA analyst or an ethics officer moves this corrective action.",
        ));
    }
    let step = Step::parse(step.trim()).ok_or_else(|| {
        unprocessable(
            "step",
            "expected analyse, plan, implement, verify, not_effective or close",
        )
    })?;
    let from = c.state();
    let to = rules::next(from, step).map_err(|e| AppError::new(Code::Conflict, format!("{e}.")))?;
    let mut m = Move::default();
    match step {
        Step::Analyse => {
            m.root_cause = Some(scrub(
                state,
                &text("root_cause", text_in, rules::MAX_TEXT)?,
            )?)
        }
        Step::Plan => m.plan = Some(scrub(state, &text("plan", text_in, rules::MAX_TEXT)?)?),
        Step::NotEffective => {
            m.note = Some(scrub(state, &text("note", text_in, rules::MAX_TEXT)?)?)
        }
        _ => {
            if let Some(n) = optional(text_in) {
                m.note = Some(scrub(state, &text("note", &n, rules::MAX_TEXT)?)?);
            }
        }
    }
    if is_hotline(&c) {
        // Sealed under the case key like the case's own content: never in the clear.
        let o = open_hotline(state, caller, &c).await?;
        let seal = |field: String, t: Option<String>| -> AppResult<Option<Vec<u8>>> {
            t.map(|t| o.seal(&field, &t))
                .transpose()
                .map_err(Into::into)
        };
        m.root_cause_sealed = seal(root_cause_field(id), m.root_cause.take())?;
        m.plan_sealed = seal(plan_field(id), m.plan.take())?;
        m.note_sealed = seal(note_field(id), m.note.take())?;
    }
    if step == Step::Verify {
        if let Some((v, b, ..)) = metric_verdict(state, &c, now).await? {
            if !matches!(v, rules::Verdict::Met { .. }) {
                return Err(AppError::new(
                    Code::Conflict,
                    format!("{}.", rules::TransitionError::MetricNotMet(v.describe(b))),
                ));
            }
        }
    }
    if !state
        .db
        .move_capa(
            id,
            from,
            to,
            step,
            &m,
            &caller.user.username,
            now,
            &mut rand::rngs::OsRng,
        )
        .await?
    {
        return Err(AppError::new(
            Code::Conflict,
            "Someone moved this corrective action meanwhile; reload it.",
        ));
    }
    state
        .audit(
            &caller.actor(),
            "capa.moved",
            id,
            json!({"step": step.as_str(), "from": from.as_str(), "to": to.as_str()}),
        )
        .await?;
    Ok(to)
}

/// `POST /capa/{id}/step`: `step` and `root_cause`, `plan` or `note`.
pub async fn step_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
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
    Ok(Redirect::to(&format!("/capa/{id}")).into_response())
}

// ---------------------------------------------------------------- API

/// `GET /api/v1/audits`.
pub async fn api_audits(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let audits = state.db.audits(state.now(), 1000).await?;
    let findings = state.db.open_findings(1000).await?;
    Ok(Json(json!({"audits": audits, "open_findings": findings})))
}

/// `GET /api/v1/capas`: CAPAs raised from a hotline case only for the case's key
/// holders, and without their (sealed) texts.
pub async fn api_capas(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Json<Value>> {
    let now = state.now();
    let mut out = Vec::new();
    for mut c in state.db.capas(now, 1000).await? {
        if hidden_from(&state, &caller, &c).await? {
            continue;
        }
        if is_hotline(&c) {
            // Tokens never open case content: the texts stay sealed.
            c.title = HOTLINE_TITLE.to_owned();
            c.root_cause = None;
            c.plan = None;
        }
        let verdict = metric_verdict(&state, &c, now).await?;
        let mut v = serde_json::to_value(&c).map_err(|e| AppError::internal(&e))?;
        v["metric_verdict"] = json!(verdict.map(|(v, b, ..)| v.describe(b)));
        out.push(v);
    }
    Ok(Json(json!({"capas": out})))
}

/// `POST /api/v1/capas`: a JSON [`CapaInput`].
pub async fn api_raise(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> AppResult<Response> {
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
