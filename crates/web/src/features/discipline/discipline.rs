//! Consistent discipline over HTTP: the pages, forms, CSV and API. The use cases
//! (recording, approving, the disparity report) live in `righttrack_app::program::discipline`
//! and the rules in `core::discipline`.
//!
//! A decision maker (team lead or ethics officer) records a structured decision. While
//! recording, the form shows the person's prior record and the distribution of
//! sanctions in comparable past cases (same class and severity, decisions in force), but
//! only from five cases on and never with names. A sanction more than one step from the
//! comparable median is a deviation: it needs a written rationale and waits for a second
//! approver (an ethics officer who is not the decision maker).
//!
//! Records are sensitive: a decision maker sees the decisions they made; ethics officers
//! (the HR-like second line) see all of them and the disparity report. Every view of a
//! record, every decision and approval is audited (without the rationale). Decisions
//! feed the retaliation watch of the hotline (`store::retaliation`).

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{csv_download, layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;

use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::discipline::{
    add_class as add_class_named, approve, classes, comparable, form, list as list_records,
    read_disparity, record, sees_all, view, Channel, Comparable, Input, Refused, DIMENSIONS,
};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::clock::day;
use righttrack_core::discipline::{
    self as rules, Approval, Sanction, AGGRAVATING, MIN_GROUP, MITIGATING,
};
use righttrack_store::discipline::Record;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- pages

/// A decision as the form submits it.
fn input_of(form: &FormData) -> Input {
    Input {
        subject: form.get("subject").trim().to_owned(),
        class: form.get("class").trim().to_owned(),
        severity: form.get("severity"),
        aggravating: form.all("aggravating"),
        mitigating: form.all("mitigating"),
        sanction: form.get("sanction"),
        rationale: form.get("rationale"),
    }
}

struct Row {
    id: String,
    subject: String,
    class: String,
    severity: i64,
    sanction: &'static str,
    decided_by: String,
    decided: String,
    approval: &'static str,
    pending: bool,
    deviation: bool,
}

impl From<&Record> for Row {
    fn from(r: &Record) -> Self {
        Row {
            id: r.id.clone(),
            subject: r.subject.clone(),
            class: r.violation_class.clone(),
            severity: r.severity,
            sanction: r.sanction_step.label(),
            decided_by: r.decided_by.clone(),
            decided: day(r.decided_at),
            approval: r.approval_state.label(),
            pending: r.approval_state == Approval::Pending,
            deviation: r.deviation,
        }
    }
}

#[derive(Template)]
#[template(path = "discipline.html")]
struct ListPage {
    l: crate::pages::Layout,
    all: bool,
    pending: Vec<Row>,
    records: Vec<Row>,
    configure: bool,
    classes: Vec<String>,
}

/// `GET /discipline`: my decisions (all decisions for ethics officers), those awaiting
/// a second approver.
pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let all = sees_all(&caller);
    let records = list_records(&state, &caller, 500, None).await?;
    Ok(render(ListPage {
        l: layout(Some(&caller), "Discipline", "/discipline"),
        all,
        pending: records
            .iter()
            .filter(|r| r.approval_state == Approval::Pending)
            .map(Row::from)
            .collect(),
        records: records.iter().map(Row::from).collect(),
        configure: allowed(&caller.user.roles, Action::ConductConfigure),
        classes: classes(&state).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    subject: Option<String>,
    class: Option<String>,
    severity: Option<String>,
    sanction: Option<String>,
}

struct Check {
    key: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "discipline_new.html")]
struct NewPage {
    l: crate::pages::Layout,
    users: Vec<(String, String)>,
    classes: Vec<String>,
    subject: String,
    class: String,
    severity: String,
    sanction: String,
    sanctions: Vec<(&'static str, &'static str)>,
    aggravating: Vec<Check>,
    mitigating: Vec<Check>,
    rationale: String,
    /// Prior decisions in force about the subject, when one is chosen.
    prior: Option<i64>,
    cmp: Option<Comparable>,
    min_group: usize,
    error: String,
    error_field: &'static str,
    /// Disclosed colleague relationships between decision maker and subject
    /// (`conflicts::colleague_relations_between`), as one sentence.
    relationship: Option<String>,
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    input: &Input,
    error: Option<Refused>,
) -> AppResult<Response> {
    let f = form(state, caller, input).await?;
    let checks = |list: &[(&'static str, &'static str)], chosen: &[String]| {
        list.iter()
            .map(|(k, l)| Check {
                key: k,
                label: l,
                on: chosen.iter().any(|c| c == k),
            })
            .collect()
    };
    let (error, error_field) = match error {
        Some(r) => (r.message, r.field),
        None => (String::new(), ""),
    };
    let status = if error.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(NewPage {
        l: layout(Some(caller), "Record a discipline decision", "/discipline"),
        users: f.colleagues,
        classes: f.classes,
        subject: input.subject.clone(),
        class: input.class.clone(),
        severity: input.severity.trim().to_owned(),
        sanction: input.sanction.clone(),
        sanctions: Sanction::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        aggravating: checks(AGGRAVATING, &input.aggravating),
        mitigating: checks(MITIGATING, &input.mitigating),
        rationale: input.rationale.clone(),
        prior: f.prior,
        cmp: f.cmp,
        min_group: MIN_GROUP,
        error,
        error_field,
        relationship: f.relationship,
    });
    Ok((status, page).into_response())
}

/// `GET /discipline/new?subject=&class=&severity=&sanction=`: the form, with the prior
/// record and the comparable cases once a person, class and severity are chosen.
pub async fn new_form(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    let input = Input {
        subject: q.subject.unwrap_or_default(),
        class: q.class.unwrap_or_default(),
        severity: q.severity.unwrap_or_default(),
        sanction: q.sanction.unwrap_or_default(),
        ..Default::default()
    };
    new_page(&state, &caller, &input, None).await
}

/// `POST /discipline`: records the decision, or shows the form again with what is
/// missing (a deviation asks for its rationale).
pub async fn record_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let input = input_of(&form);
    match record(&state, &caller, &input).await? {
        Ok((id, _)) => Ok(Redirect::to(&format!("/discipline/{id}")).into_response()),
        Err(r) => new_page(&state, &caller, &input, Some(r)).await,
    }
}

#[derive(Template)]
#[template(path = "discipline_record.html")]
struct RecordPage {
    l: crate::pages::Layout,
    r: Row,
    rec: Record,
    site: String,
    team: String,
    aggravating: Vec<&'static str>,
    mitigating: Vec<&'static str>,
    median: &'static str,
    approved: String,
    may_approve: bool,
    why_not: String,
}

fn label_of(key: &str) -> &'static str {
    AGGRAVATING
        .iter()
        .chain(MITIGATING)
        .find(|(k, _)| *k == key)
        .map_or("unknown factor", |(_, l)| l)
}

/// `GET /discipline/{id}`: the record; the approval form for a second approver.
pub async fn detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let rec = view(&state, &caller, &id).await?;
    let check = rules::may_approve(
        &caller.user.username,
        &rec.decided_by,
        &rec.subject,
        rec.approval_state,
    );
    let may = sees_all(&caller) && check.is_ok();
    Ok(render(RecordPage {
        l: layout(Some(&caller), "Discipline decision", "/discipline"),
        r: Row::from(&rec),
        site: rec.site_name.clone().unwrap_or_else(|| "no site".into()),
        team: rec.team_name.clone().unwrap_or_else(|| "no team".into()),
        aggravating: rec.aggravating.iter().map(|k| label_of(k)).collect(),
        mitigating: rec.mitigating.iter().map(|k| label_of(k)).collect(),
        median: rec
            .comparable_median
            .and_then(Sanction::parse)
            .map_or("", Sanction::label),
        approved: match (&rec.approver, rec.approved_at) {
            (Some(a), Some(t)) => format!("{a} on {}", day(t)),
            _ => String::new(),
        },
        may_approve: may,
        why_not: match check {
            Err(rules::Refusal::DecisionMaker) if rec.approval_state == Approval::Pending => {
                "You made this decision: another ethics officer approves it.".into()
            }
            _ => String::new(),
        },
        rec,
    }))
}

/// `POST /discipline/{id}/approval`: `decision` approve|reject and `note`.
pub async fn approve_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    approve(
        &state,
        &caller,
        &id,
        &form.get("decision"),
        &form.get("note"),
    )
    .await?;
    Ok(Redirect::to(&format!("/discipline/{id}")).into_response())
}

/// `POST /discipline/classes`: adds a violation class.
pub async fn add_class(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    add_class_named(&state, &caller, &form.get("name")).await?;
    Ok(Redirect::to("/discipline#classes").into_response())
}

// ---------------------------------------------------------------- disparity

struct GroupView {
    group: String,
    records: String,
    rate: String,
    expected: String,
    flag: bool,
}

#[derive(Template)]
#[template(path = "discipline_report.html")]
struct ReportPage {
    l: crate::pages::Layout,
    tables: Vec<(&'static str, Vec<GroupView>)>,
    min_group: usize,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// `GET /discipline/report`.
pub async fn report(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let tables = read_disparity(&state, &caller, Channel::Page).await?;
    Ok(render(ReportPage {
        l: layout(Some(&caller), "Discipline disparity", "/discipline"),
        tables: tables
            .into_iter()
            .map(|(label, rows)| {
                (
                    label,
                    rows.into_iter()
                        .map(|g| match g.figures {
                            Some(f) => GroupView {
                                group: g.group,
                                records: g.records.to_string(),
                                rate: format!("{} ({} of {})", pct(f.rate), f.severe, g.records),
                                expected: pct(f.expected),
                                flag: f.rate - f.expected > 0.15,
                            },
                            None => GroupView {
                                group: g.group,
                                records: format!("fewer than {MIN_GROUP}"),
                                rate: "suppressed".into(),
                                expected: "suppressed".into(),
                                flag: false,
                            },
                        })
                        .collect(),
                )
            })
            .collect(),
        min_group: MIN_GROUP,
    }))
}

fn csv_field(s: &str) -> String {
    righttrack_scan::csv::quoted(s)
}

/// `GET /discipline/report.csv`: the same figures; suppressed groups have empty cells.
pub async fn report_csv(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let tables = read_disparity(&state, &caller, Channel::Csv).await?;
    let mut out = String::from("dimension,group,records,severe,severe_rate,expected_rate\n");
    for (dim, rows) in tables {
        for g in rows {
            let (n, severe, rate, exp) = match g.figures {
                Some(f) => (
                    g.records.to_string(),
                    f.severe.to_string(),
                    format!("{:.3}", f.rate),
                    format!("{:.3}", f.expected),
                ),
                None => (
                    format!("<{MIN_GROUP}"),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(dim),
                csv_field(&g.group),
                csv_field(&n),
                severe,
                rate,
                exp
            ));
        }
    }
    Ok(csv_download("discipline-disparity.csv", out))
}

// ---------------------------------------------------------------- API

#[derive(Debug, Deserialize)]
pub struct CmpQuery {
    class: Option<String>,
    severity: Option<String>,
}

/// `GET /api/v1/discipline/comparable?class=&severity=`.
pub async fn api_comparable(
    State(state): State<AppState>,
    Query(q): Query<CmpQuery>,
) -> AppResult<Json<Value>> {
    let class = q.class.unwrap_or_default();
    if class.trim().is_empty() {
        return Err(AppError::bad_request("query `class`: required"));
    }
    let severity = rules::check_severity(q.severity.as_deref().unwrap_or(""))
        .map_err(|_| AppError::bad_request("query `severity`: expected 1, 2, 3 or 4"))?;
    let c = comparable(&state, class.trim(), severity).await?;
    let dist: Option<BTreeMap<&str, usize>> = c.dist.shown().map(|d| {
        Sanction::ALL
            .iter()
            .map(|s| (s.as_str(), d.counts[s.step()]))
            .collect()
    });
    Ok(Json(json!({
        "class": class.trim(),
        "severity": severity,
        "cases": if c.cases >= MIN_GROUP { json!(c.cases) } else { json!(format!("fewer than {MIN_GROUP}")) },
        "distribution": dist,
        "median": c.median.map(Sanction::as_str),
    })))
}

/// `GET /api/v1/discipline`: the caller's decisions (all, for ethics officers).
pub async fn api_list(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let records = list_records(&state, &caller, 1000, Some("api")).await?;
    Ok(Json(json!({ "records": records })))
}

/// `GET /api/v1/discipline/disparity`.
pub async fn api_disparity(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let tables = read_disparity(&state, &caller, Channel::Api).await?;
    let mut out = serde_json::Map::new();
    for ((key, _), (_, rows)) in DIMENSIONS.iter().zip(tables) {
        out.insert(
            (*key).to_owned(),
            rows.into_iter()
                .map(|g| match g.figures {
                    Some(f) => json!({"group": g.group, "records": g.records, "severe": f.severe, "severe_rate": f.rate, "expected_rate": f.expected}),
                    None => json!({"group": g.group, "records": format!("fewer than {MIN_GROUP}"), "suppressed": true}),
                })
                .collect(),
        );
    }
    Ok(Json(json!({"min_group": MIN_GROUP, "dimensions": out})))
}

#[derive(Template)]
#[template(path = "discipline_mine.html")]
struct MinePage {
    l: crate::pages::Layout,
    decisions: Vec<righttrack_app::program::discipline::OwnDecision>,
}

/// `GET /my/discipline`: the decisions in force about the caller, with their reasons.
pub async fn mine(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let decisions = righttrack_app::program::discipline::mine(&state, &caller).await?;
    Ok(render(MinePage {
        l: layout(Some(&caller), "My discipline record", "/my/work"),
        decisions,
    }))
}

/// `GET /api/v1/my/discipline`.
pub async fn mine_api(
    SignedIn { state, caller }: SignedIn,
) -> AppResult<Json<Vec<righttrack_app::program::discipline::OwnDecision>>> {
    Ok(Json(
        righttrack_app::program::discipline::mine(&state, &caller).await?,
    ))
}
