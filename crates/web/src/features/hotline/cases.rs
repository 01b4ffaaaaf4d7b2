//! Speak-up case management: what ethics officers, audit-committee members, investigators
//! and identity custodians see and do with hotline cases.
//!
//! **Who holds a case's key.** Reading a case needs its key, and its key exists in the
//! database only wrapped for particular people ([`entitled`]):
//! * the *managers* of its category: ethics officers, or audit-committee members for
//!   categories routed to the audit committee (accounting); if conflicts exclude every
//!   one of them, the other group;
//! * identity custodians (who must be able to judge requests to open the identity);
//! * the investigator assigned to it, and only while assigned;
//!
//! minus everyone a conflict of interest excludes: the people named as subjects, their
//! management chain, whoever evaluated their QA work, anyone the reporter named as not
//! to be trusted with the report, and whoever recused themselves. The conflict record
//! (`coi` field) is sealed under the case key, so only a key holder can re-apply it:
//! when anything changes who is entitled (roles, teams, leads, keys; see
//! `readers_epoch`), the next key holder who opens the case [`reconcile`]s its wraps,
//! adding keys for newly entitled readers and destroying those of anyone no longer
//! entitled. Every staff query joins on the viewer's wraps, so an excluded person cannot
//! reach a case through the list, search, counts, export or API: it is absent, not
//! greyed out.
//!
//! **The identity envelope** is sealed under a second key, wrapped only for identity
//! custodians. A case worker asks with a reason; a custodian approves (which wraps the
//! identity key for the requester) or denies, with a reason. Every opening is audited.
//!
//! **Sessions, not tokens, read content.** A reader's X25519 secret is sealed for the
//! length of their web session under the session id ([`Caller::reader_secret`]); API
//! tokens list case metadata but never open content.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use jiff::Timestamp;
use righttrack_app::hotline::cases::{
    entitled, event, excluded, identity_key_for, no_key, open_ungated, random_id, reconcile,
    Opened, Watched, ALL_CASE_ROLES,
};
use righttrack_core::casekeys::{identity_context, unwrap_for_reader, wrap_for_reader};
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::UserId;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::speakup_cases::{
    is_final, CaseSummary, ClockState, IdentityRequest, STATUSES,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The most a note, message or reason may hold.
pub const MAX_TEXT: usize = 10_000;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(&e)
}

/// Opens a case for a caller who holds its key ([`open_ungated`]). A case the caller
/// holds no key to is "not found"; a case they hold a key to opens only through the
/// data-access gate (current data-privacy
/// training; `gate.granted` / `gate.denied` audited with the case reference). Every
/// handler that decrypts case content (page, actions, attachments) comes through here.
pub async fn open(state: &AppState, caller: &Caller, id: &str) -> AppResult<Opened> {
    Ok(righttrack_app::hotline::cases::open(state, caller, id).await?)
}

// ---------------------------------------------------------------- names

/// Display names of users, by id (for timelines and lists).
async fn names(state: &AppState) -> AppResult<BTreeMap<UserId, User>> {
    Ok(state
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn name_of(names: &BTreeMap<UserId, User>, id: Option<UserId>) -> String {
    match id {
        None => String::new(),
        Some(id) => names
            .get(&id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| "a former user".into()),
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "received" => "received",
        "acknowledged" => "acknowledged",
        "investigating" => "investigating",
        "substantiated" => "substantiated",
        "unsubstantiated" => "unsubstantiated",
        "closed" => "closed",
        _ => "unknown",
    }
}

// ---------------------------------------------------------------- the list

/// One case as a row of the list, the export and the API (no content).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub case: String,
    pub category: String,
    pub status: String,
    pub anonymous: bool,
    pub risk: String,
    pub assignee: String,
    pub submitted: String,
    pub acknowledge_due: String,
    pub acknowledge: &'static str,
    pub feedback_due: String,
    pub feedback: &'static str,
    pub clock: &'static str,
    pub retaliation_flag: bool,
    pub reporter_activity: String,
    pub legal_hold: bool,
    pub retain_until: String,
}

fn row(s: &CaseSummary, names: &BTreeMap<UserId, User>, now: Timestamp) -> Row {
    Row {
        case: s.id.clone(),
        category: s.category.clone(),
        status: s.status.clone(),
        anonymous: s.anonymous,
        risk: s.risk.clone().unwrap_or_default(),
        assignee: name_of(names, s.assignee),
        submitted: day(s.submitted_at),
        acknowledge_due: day(s.ack.due_at),
        acknowledge: s.ack.state(now, s.warn_days).as_str(),
        feedback_due: day(s.feedback.due_at),
        feedback: s.feedback.state(now, s.warn_days).as_str(),
        clock: s.clock_state(now).as_str(),
        retaliation_flag: s.retaliation_flag,
        reporter_activity: s.reporter_activity_at.map(day).unwrap_or_default(),
        legal_hold: s.legal_hold,
        retain_until: s.retain_until.map(day).unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `open` (default), `closed`, `all`, or one status.
    pub status: Option<String>,
    /// `overdue`, `due_soon`.
    pub clock: Option<String>,
    pub category: Option<String>,
    /// `me`: assigned to the caller.
    pub assigned: Option<String>,
    /// A case reference, or words to find in the report (needs the session key).
    pub q: Option<String>,
}

/// The cases a caller may see, filtered; a text search opens each case with the caller's
/// key. Cases due a reconciliation are reconciled on the way (when the caller has a key).
/// Returns every visible case, the filtered ones, and whether the caller has a key.
async fn visible(
    state: &AppState,
    caller: &Caller,
    q: &ListQuery,
) -> AppResult<(Vec<CaseSummary>, Vec<CaseSummary>, bool)> {
    let now = state.now();
    let secret = caller.reader_secret();
    let epoch = state.db.readers_epoch().await?;
    let mut all = state.db.cases_visible_to(caller.user.id).await?;
    let text = crate::params::nonempty(&q.q).map(|t| t.to_lowercase());
    // A word search decrypts every case: one gate decision (audited) for the search.
    // A bare reference is matched on metadata and needs no gate.
    if let Some(t) = &text {
        if !all.iter().any(|c| c.id.to_lowercase() == *t) {
            righttrack_app::program::training::gate::check(
                state,
                caller,
                righttrack_app::program::training::gate::Resource::CaseSearch,
                "cases",
            )
            .await?;
        }
    }
    // Reconciling shows the caller nothing, but it decrypts the conflict record: only
    // someone the gate would let in does it (unaudited, as nothing is shown); otherwise
    // the next trained key holder will.
    let trained = secret.is_some()
        && all.iter().any(|c| c.wraps_epoch < epoch)
        && righttrack_app::program::training::gate::standing(state, caller.user.id)
            .await?
            .current;
    if trained {
        for c in all.iter().filter(|c| c.wraps_epoch < epoch) {
            // Opening reconciles; a case the caller just lost simply drops out below.
            match open_ungated(state, caller, &c.id).await {
                Ok(_) => {}
                Err(e) if e.kind == righttrack_app::Kind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        all = state.db.cases_visible_to(caller.user.id).await?;
    }
    let status = crate::params::nonempty(&q.status).unwrap_or_else(|| "open".into());
    let mut out = Vec::new();
    for c in &all {
        let keep_status = match status.as_str() {
            "open" => c.closed_at.is_none(),
            "closed" => c.closed_at.is_some(),
            "all" => true,
            s => c.status == s,
        };
        let keep_clock = match crate::params::nonempty(&q.clock).as_deref() {
            Some("overdue") => c.clock_state(now) == ClockState::Overdue,
            Some("due_soon") => c.clock_state(now) == ClockState::DueSoon,
            _ => true,
        };
        let keep_cat = crate::params::nonempty(&q.category).is_none_or(|k| c.category == k);
        let keep_mine = q.assigned.as_deref() != Some("me") || c.assignee == Some(caller.user.id);
        if !(keep_status && keep_clock && keep_cat && keep_mine) {
            continue;
        }
        if let Some(t) = &text {
            if c.id.to_lowercase() != *t && !matches_text(state, caller, &c.id, t).await? {
                continue;
            }
        }
        out.push(c.clone());
    }
    Ok((all, out, secret.is_some()))
}

/// Does the case's report (description, where/when, people, answers) or its thread
/// contain `needle`? Opens the case with the caller's key; without one, nothing matches.
async fn matches_text(
    state: &AppState,
    caller: &Caller,
    id: &str,
    needle: &str,
) -> AppResult<bool> {
    // The search passed the gate once in `visible`.
    let o = match open_ungated(state, caller, id).await {
        Ok(o) => o,
        Err(_) => return Ok(false),
    };
    for (field, sealed) in &o.fields {
        let searchable = ["description", "when_where", "people"].contains(&field.as_str())
            || field.starts_with("answer:");
        if searchable && o.open_text(field, sealed)?.to_lowercase().contains(needle) {
            return Ok(true);
        }
    }
    for m in state.db.speakup_messages(id).await? {
        let t = o.open_text(&format!("message:{}", m.id), &m.body_sealed)?;
        if t.to_lowercase().contains(needle) {
            return Ok(true);
        }
    }
    Ok(false)
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    q: ListQueryView,
    has_key: bool,
    overdue: usize,
    due_soon: usize,
    untriaged: usize,
    flagged: usize,
    identity_requests: Vec<String>,
    categories: Vec<String>,
    statuses: Vec<&'static str>,
    may_decide: bool,
}

#[derive(Default)]
struct ListQueryView {
    status: String,
    clock: String,
    category: String,
    assigned: String,
    q: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let (all, cases, has_key) = visible(&state, &caller, &q).await?;
    let open: Vec<&CaseSummary> = all.iter().filter(|c| c.closed_at.is_none()).collect();
    let names = names(&state).await?;
    let mut categories: Vec<String> = all.iter().map(|c| c.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let may_decide = caller.user.has(Role::IdentityCustodian);
    let identity_requests = if may_decide {
        state
            .db
            .pending_identity_requests_for(caller.user.id)
            .await?
    } else {
        Vec::new()
    };
    Ok(render(ListPage {
        l: layout(Some(&caller), "Cases", "/cases"),
        rows: cases.iter().map(|c| row(c, &names, now)).collect(),
        q: ListQueryView {
            status: q.status.clone().unwrap_or_else(|| "open".into()),
            clock: q.clock.clone().unwrap_or_default(),
            category: q.category.clone().unwrap_or_default(),
            assigned: q.assigned.clone().unwrap_or_default(),
            q: q.q.clone().unwrap_or_default(),
        },
        has_key,
        overdue: open
            .iter()
            .filter(|c| c.clock_state(now) == ClockState::Overdue)
            .count(),
        due_soon: open
            .iter()
            .filter(|c| c.clock_state(now) == ClockState::DueSoon)
            .count(),
        untriaged: open.iter().filter(|c| c.status == "received").count(),
        flagged: open.iter().filter(|c| c.retaliation_flag).count(),
        identity_requests,
        categories,
        statuses: STATUSES.to_vec(),
        may_decide,
    }))
}

/// `GET /cases/export.csv`: the filtered list as CSV (metadata only, never content).
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let (_, cases, _) = visible(&state, &caller, &q).await?;
    let names = names(&state).await?;
    let mut out = String::from(
        "case,category,status,anonymous,risk,assignee,submitted,acknowledge_due,acknowledge,feedback_due,feedback,retaliation_flag,legal_hold,retain_until\n",
    );
    for c in &cases {
        let r = row(c, &names, now);
        let cells = [
            r.case,
            r.category,
            r.status,
            r.anonymous.to_string(),
            r.risk,
            r.assignee,
            r.submitted,
            r.acknowledge_due,
            r.acknowledge.to_owned(),
            r.feedback_due,
            r.feedback.to_owned(),
            r.retaliation_flag.to_string(),
            r.legal_hold.to_string(),
            r.retain_until,
        ];
        let line: Vec<String> = cells
            .iter()
            .map(|c| righttrack_scan::csv::cell(c))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    state
        .audit(
            &caller.actor(),
            "speakup.cases_exported",
            "cases",
            json!({"rows": cases.len()}),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"cases.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Quotes a CSV cell, and defuses spreadsheet formulas.
/// `GET /api/v1/speakup/cases`: the caller's cases as JSON (metadata only).
pub async fn api_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let now = state.now();
    let (_, cases, _) = visible(&state, &caller, &q).await?;
    let names = names(&state).await?;
    let rows: Vec<Row> = cases.iter().map(|c| row(c, &names, now)).collect();
    Ok(Json(json!({"count": rows.len(), "cases": rows})))
}

// ---------------------------------------------------------------- one case

struct FieldView {
    label: String,
    text: String,
}

struct MessageView {
    who: &'static str,
    retaliation: bool,
    at: String,
    body: String,
}

struct EventView {
    at: String,
    who: String,
    what: String,
    detail: String,
}

struct RequestView {
    id: String,
    requester: String,
    reason: String,
    status: String,
    decided_by: String,
    decision: String,
    at: String,
}

struct PersonView {
    name: String,
    why: String,
}

struct WatchView {
    name: String,
    role: String,
    since: String,
    alerts: Vec<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct DetailPage {
    l: Layout,
    r: Row,
    jurisdiction: String,
    report: Vec<FieldView>,
    identity: IdentityView,
    attachments: Vec<FileView>,
    messages: Vec<MessageView>,
    timeline: Vec<EventView>,
    requests: Vec<RequestView>,
    excluded: Vec<PersonView>,
    watch: Vec<WatchView>,
    statuses: Vec<Choice>,
    risks: Vec<Choice>,
    jurisdictions: Vec<Choice>,
    workers: Vec<Choice>,
    may_manage: bool,
    may_decide: bool,
    is_assignee: bool,
    subjects: String,
    error: String,
}

/// One attachment on the case page: what it is, never what it says.
struct FileView {
    id: String,
    name: String,
    mime: &'static str,
    size: String,
    who: &'static str,
    at: String,
    /// A PDF keeps its document properties (author and the like).
    pdf: bool,
}

enum IdentityView {
    Anonymous,
    Sealed { pending: bool },
    Open { name: String, contact: String },
}

impl IdentityView {
    fn is_anonymous(&self) -> bool {
        matches!(self, IdentityView::Anonymous)
    }
    fn is_sealed(&self) -> bool {
        matches!(self, IdentityView::Sealed { .. })
    }
    fn pending(&self) -> bool {
        matches!(self, IdentityView::Sealed { pending: true })
    }
    fn name(&self) -> &str {
        match self {
            IdentityView::Open { name, .. } => name,
            _ => "",
        }
    }
    fn contact(&self) -> &str {
        match self {
            IdentityView::Open { contact, .. } => contact,
            _ => "",
        }
    }
}

fn event_text(kind: &str, value: Option<&str>, names: &BTreeMap<UserId, User>) -> String {
    let v = value.unwrap_or("");
    let person = || {
        UserId::parse(v)
            .map(|u| name_of(names, Some(u)))
            .unwrap_or_else(|| "nobody".into())
    };
    match kind {
        "status" => format!("Status set to {}", status_label(v)),
        "note" => "Internal note".into(),
        "message" => "Message sent to the reporter".into(),
        "feedback" => "Feedback given to the reporter (legal deadline met)".into(),
        "risk" => format!("Retaliation risk assessed as {v}"),
        "jurisdiction" => format!("Deadlines of jurisdiction {v} applied"),
        "subjects" => format!("People concerned set ({v} named)"),
        "assigned" => format!("Assigned to {}", person()),
        "unassigned" => "Assignee removed".into(),
        "handover" => format!("Handed over to {}", person()),
        "assignee_left" => {
            "The assignee left or lost the role: the case needs a new assignee".into()
        }
        "recused" => "A case worker recused themselves".into(),
        "hold" if v == "on" => "Legal hold placed".into(),
        "hold" => "Legal hold lifted".into(),
        "watch" => "Retaliation watch started for a person who consented".into(),
        "identity_requested" => "Identity requested".into(),
        "identity_approved" => "Identity request approved".into(),
        "identity_denied" => "Identity request denied".into(),
        "identity_opened" => "Identity read".into(),
        other => other.replace('_', " "),
    }
}

async fn identity_view(state: &AppState, caller: &Caller, o: &Opened) -> AppResult<IdentityView> {
    if o.summary.anonymous || !o.fields.contains_key("identity") {
        return Ok(IdentityView::Anonymous);
    }
    let pending = state
        .db
        .identity_requests(&o.summary.id)
        .await?
        .iter()
        .any(|r| r.requester == caller.user.id && r.status == "pending");
    let Some(w) = state
        .db
        .identity_wrap(&o.summary.id, caller.user.id)
        .await?
    else {
        return Ok(IdentityView::Sealed { pending });
    };
    // A custodian holds the key to judge requests, not to read: only an approved
    // requester (or a custodian who approved their own request) reads the identity.
    let approved = state
        .db
        .identity_requests(&o.summary.id)
        .await?
        .iter()
        .any(|r| r.requester == caller.user.id && r.status == "approved");
    if !approved {
        return Ok(IdentityView::Sealed { pending });
    }
    let k = unwrap_for_reader(&o.secret, &identity_context(&o.summary.id), &w).map_err(internal)?;
    let sealed = &o.fields["identity"];
    let raw = k
        .open(&o.summary.id, "identity", sealed)
        .map_err(internal)?;
    let v: Value = serde_json::from_slice(&raw).map_err(internal)?;
    state
        .audit(
            &caller.actor(),
            "speakup.identity_opened",
            &o.summary.id,
            json!({}),
        )
        .await?;
    Ok(IdentityView::Open {
        name: v["name"].as_str().unwrap_or_default().to_owned(),
        contact: v["contact"].as_str().unwrap_or_default().to_owned(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    pub error: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(dq): Query<DetailQuery>,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let now = state.now();
    let names = names(&state).await?;
    let s = &o.summary;
    // The questions as the reporter was asked them (kept with the case), else the
    // category's current ones; shown in English to staff.
    let questions: Vec<String> = match o.text(righttrack_app::hotline::QUESTIONS_FIELD)? {
        Some(json) => {
            serde_json::from_str::<righttrack_store::speakup_config::TextLists>(&json)
                .map_err(internal)?
                .en
        }
        None => state
            .db
            .speakup_category(&s.category)
            .await?
            .map(|c| c.questions.en)
            .unwrap_or_default(),
    };
    let mut report = Vec::new();
    for (field, label) in [
        ("description", "What happened"),
        ("when_where", "When and where"),
        ("people", "People involved"),
    ] {
        if let Some(t) = o.text(field)? {
            report.push(FieldView {
                label: label.into(),
                text: t,
            });
        }
    }
    let mut answers: Vec<(usize, String)> = Vec::new();
    for field in o.fields.keys() {
        if let Some(n) = field
            .strip_prefix("answer:")
            .and_then(|n| n.parse::<usize>().ok())
        {
            answers.push((n, field.clone()));
        }
    }
    answers.sort();
    for (n, field) in answers {
        if let Some(t) = o.text(&field)? {
            report.push(FieldView {
                label: questions
                    .get(n - 1)
                    .cloned()
                    .unwrap_or_else(|| format!("Question {n}")),
                text: t,
            });
        }
    }
    let messages = state
        .db
        .speakup_messages(&s.id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(MessageView {
                who: if m.author == "staff" {
                    "Case team"
                } else {
                    "Reporter"
                },
                retaliation: m.kind == "retaliation",
                // By day: when exactly a reporter wrote could tell who they are.
                at: day(m.created_at),
                body: o.open_text(&format!("message:{}", m.id), &m.body_sealed)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let timeline = state
        .db
        .case_events(&s.id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(EventView {
                at: minute(e.at),
                who: match e.actor {
                    None => "RightTrack".into(),
                    a => name_of(&names, a),
                },
                what: event_text(&e.kind, e.value.as_deref(), &names),
                detail: match &e.detail_sealed {
                    Some(d) => o.open_text(&format!("event:{}", e.id), d)?,
                    None => String::new(),
                },
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let requests = state
        .db
        .identity_requests(&s.id)
        .await?
        .into_iter()
        .map(|r| {
            Ok(RequestView {
                reason: o.open_text(&format!("identity_request:{}", r.id), &r.reason_sealed)?,
                decision: match &r.decision_sealed {
                    Some(d) => o.open_text(&format!("identity_decision:{}", r.id), d)?,
                    None => String::new(),
                },
                id: r.id,
                requester: name_of(&names, Some(r.requester)),
                status: r.status,
                decided_by: name_of(&names, r.decided_by),
                at: minute(r.created_at),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let coi = o.coi()?;
    let mut kept_away = Vec::new();
    for (list, why) in [
        (
            &coi.subjects,
            "named as concerned: they, their managers and their QA evaluators cannot see this case",
        ),
        (
            &coi.reporter_excluded,
            "the reporter asked that they not see this case",
        ),
        (&coi.recused, "recused"),
    ] {
        for u in list {
            kept_away.push(PersonView {
                name: name_of(&names, Some(*u)),
                why: why.into(),
            });
        }
    }
    let mut watch = Vec::new();
    for w in o.watch()? {
        watch.push(WatchView {
            name: name_of(&names, Some(w.user)),
            role: w.role.clone(),
            since: day(w.consent_at),
            alerts: retaliation_alerts(&state, &w, s.submitted_at, now).await?,
        });
    }
    let may_manage = righttrack_core::authz::allowed(
        &caller.user.roles,
        righttrack_core::authz::Action::CaseManage,
    );
    let out_of_bounds = excluded(&state, &coi).await?;
    let workers = state
        .db
        .active_users_with(&[
            Role::Investigator,
            Role::EthicsOfficer,
            Role::AuditCommittee,
        ])
        .await?
        .into_iter()
        .filter(|(u, _)| !out_of_bounds.contains(u))
        .map(|(u, _)| Choice {
            value: u.to_string(),
            label: name_of(&names, Some(u)),
            selected: s.assignee == Some(u),
        })
        .collect();
    let subjects = coi
        .subjects
        .iter()
        .filter_map(|u| names.get(u).map(|u| u.username.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    let identity = identity_view(&state, &caller, &o).await?;
    let attachments = super::speakup_attachments::staff_list(&state, &s.id, &o.key)
        .await?
        .into_iter()
        .map(|a| FileView {
            size: super::speakup_attachments::size_label(a.size, false),
            who: if a.author == "staff" {
                "Case team"
            } else {
                "Reporter"
            },
            at: day(a.created_at),
            pdf: !a.metadata_stripped,
            id: a.id,
            name: a.name,
            mime: a.mime,
        })
        .collect();
    Ok(render(DetailPage {
        l: layout(Some(&caller), &format!("Case {}", s.id), "/cases"),
        r: row(s, &names, now),
        jurisdiction: s.jurisdiction.clone(),
        report,
        identity,
        attachments,
        messages,
        timeline,
        requests,
        excluded: kept_away,
        watch,
        statuses: STATUSES
            .iter()
            .map(|st| Choice {
                value: (*st).into(),
                label: status_label(st).into(),
                selected: s.status == *st,
            })
            .collect(),
        risks: ["low", "medium", "high"]
            .iter()
            .map(|r| Choice {
                value: (*r).into(),
                label: (*r).into(),
                selected: s.risk.as_deref() == Some(*r),
            })
            .collect(),
        jurisdictions: state
            .db
            .speakup_jurisdictions()
            .await?
            .into_iter()
            .map(|j| Choice {
                selected: j.code == s.jurisdiction,
                label: format!(
                    "{} ({} days / {} months)",
                    j.name, j.ack_days, j.feedback_months
                ),
                value: j.code,
            })
            .collect(),
        workers,
        may_manage,
        may_decide: caller.user.has(Role::IdentityCustodian),
        is_assignee: s.assignee == Some(caller.user.id),
        subjects,
        error: dq.error.unwrap_or_default(),
    }))
}

/// `GET /cases/{id}/attachments/{attachment}`: one attachment, as stored (metadata
/// stripped), for a key holder. Opening the case first is the access check: a case the
/// caller holds no key to is "not found". Every download is audited, by ids only.
pub async fn attachment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, attachment)): Path<(String, String)>,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let response =
        super::speakup_attachments::staff_download(&state, &o.summary.id, &attachment, &o.key)
            .await?;
    state
        .audit(
            &caller.actor(),
            "speakup.attachment_opened",
            &o.summary.id,
            json!({"attachment": attachment}),
        )
        .await?;
    Ok(response)
}

/// The retaliation-watch alerts of one watched person: each window (30/60/90/180 days
/// after the report) in which their RightTrack record turned worse than their peers'
/// (`core::retaliation`). A person no longer in the directory has none.
async fn retaliation_alerts(
    state: &AppState,
    w: &Watched,
    since: Timestamp,
    now: Timestamp,
) -> AppResult<Vec<String>> {
    let windows = match state.db.retaliation_watch(w.user, since, now).await {
        Ok(w) => w,
        Err(righttrack_store::StoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok(windows
        .into_iter()
        .flat_map(|win| {
            let span = if win.complete {
                format!("{} days", win.days)
            } else {
                format!("{} days (so far {})", win.days, win.elapsed_days)
            };
            win.alerts
                .into_iter()
                .map(move |a| format!("{span}: {}", a.explanation))
        })
        .collect())
}

// ---------------------------------------------------------------- actions

fn back(id: &str) -> Response {
    Redirect::to(&format!("/cases/{}", crate::routes::urlencode(id))).into_response()
}

fn back_with(id: &str, error: &str) -> Response {
    Redirect::to(&format!(
        "/cases/{}?error={}",
        crate::routes::urlencode(id),
        crate::routes::urlencode(error)
    ))
    .into_response()
}

/// Records a staff action in the audit trail (no content: the detail is machine values)
/// and returns to the case page.
async fn audited(
    state: &AppState,
    caller: &Caller,
    id: &str,
    action: &str,
    detail: Value,
) -> AppResult<Response> {
    state.audit(&caller.actor(), action, id, detail).await?;
    Ok(back(id))
}

/// A required free-text field: trimmed, not empty, at most [`MAX_TEXT`] characters.
fn text_field(form: &FormData, field: &str, required: bool) -> Result<String, String> {
    let t = form.get(field).trim().to_owned();
    if required && t.is_empty() {
        return Err(format!("{field}: required"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(format!("{field}: at most {MAX_TEXT} characters"));
    }
    Ok(t)
}

/// `POST /cases/{id}/status`: a new status; a final status needs the outcome (sealed).
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let status = form.get("status");
    if !STATUSES.contains(&status.as_str()) {
        return Ok(back_with(
            &id,
            &format!("status: must be one of {}", STATUSES.join(", ")),
        ));
    }
    let note = match text_field(&form, "outcome", is_final(&status)) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let now = state.now();
    state.db.set_case_status(&id, &status, now).await?;
    if is_final(&status) {
        // The retention clock starts at the first close and follows the final status.
        let closed = o.summary.closed_at.unwrap_or(now);
        state.db.close_case_retention(&id, closed).await?;
    }
    if status == "acknowledged" {
        state.db.meet_clock(&id, "acknowledge", now).await?;
    }
    event(
        &state,
        &o,
        Some(caller.user.id),
        "status",
        Some(&status),
        Some(&note),
    )
    .await?;
    audited(
        &state,
        &caller,
        &id,
        "speakup.case_status",
        json!({"status": status}),
    )
    .await
}

/// `POST /cases/{id}/note`: an internal note (sealed; never shown to the reporter).
pub async fn add_note(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let note = match text_field(&form, "note", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    event(&state, &o, Some(caller.user.id), "note", None, Some(&note)).await?;
    Ok(back(&id))
}

/// `POST /cases/{id}/message`: a message to the reporter (they read it with their
/// receipt). Marked as feedback, it meets the feedback deadline.
pub async fn send_message(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let body = match text_field(&form, "message", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let mid = random_id();
    let body_sealed = o.seal(&format!("message:{mid}"), &body)?;
    let now = state.now();
    state
        .db
        .add_speakup_message(
            &id,
            &righttrack_store::speakup::StoredMessage {
                id: mid,
                author: "staff".into(),
                kind: "message".into(),
                body_sealed,
                created_at: now,
            },
        )
        .await?;
    let feedback = form.get("feedback") == "on";
    if feedback {
        state.db.meet_clock(&id, "feedback", now).await?;
    }
    event(
        &state,
        &o,
        Some(caller.user.id),
        if feedback { "feedback" } else { "message" },
        None,
        None,
    )
    .await?;
    audited(
        &state,
        &caller,
        &id,
        "speakup.message_sent",
        json!({"feedback": feedback}),
    )
    .await
}

/// Resolves `name, name2` (usernames) against the directory; unknown names are an error
/// naming them.
fn usernames(list: &str, users: &[User]) -> Result<Vec<UserId>, String> {
    let mut out = Vec::new();
    for n in list
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match users.iter().find(|u| u.username == n) {
            Some(u) => out.push(u.id),
            None => return Err(format!("subjects: no user named {n:?}")),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `POST /cases/{id}/triage`: retaliation risk, jurisdiction and the people concerned
/// (whose conflicts are applied at once).
pub async fn triage(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let risk = form.get("risk");
    if !["low", "medium", "high"].contains(&risk.as_str()) {
        return Ok(back_with(&id, "risk: choose low, medium or high"));
    }
    let code = form.get("jurisdiction");
    let Some(j) = state.db.jurisdiction(&code).await? else {
        return Ok(back_with(&id, "jurisdiction: unknown"));
    };
    let users = state.db.list_users().await?;
    let subjects = match usernames(&form.get("subjects"), &users) {
        Ok(s) => s,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let reason = match text_field(&form, "reason", false) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let me = caller.user.id;
    if o.summary.risk.as_deref() != Some(risk.as_str()) {
        state.db.set_case_risk(&id, &risk).await?;
        event(&state, &o, Some(me), "risk", Some(&risk), Some(&reason)).await?;
    }
    if j.code != o.summary.jurisdiction {
        let (ack, fb) = j
            .deadlines(o.summary.submitted_at)
            .ok_or_else(|| internal("deadline out of range"))?;
        state
            .db
            .set_case_jurisdiction(&id, &j.code, ack, fb)
            .await?;
        event(&state, &o, Some(me), "jurisdiction", Some(&j.code), None).await?;
    }
    let mut coi = o.coi()?;
    if coi.subjects != subjects {
        coi.subjects = subjects;
        let sealed = o.seal("coi", &serde_json::to_string(&coi).map_err(internal)?)?;
        state.db.put_case_field(&id, "coi", &sealed).await?;
        let n = coi.subjects.len().to_string();
        event(&state, &o, Some(me), "subjects", Some(&n), None).await?;
        // Apply the conflicts now, not at the next epoch.
        let o = open(&state, &caller, &id).await?;
        reconcile(&state, &caller.actor(), &o, state.db.readers_epoch().await?).await?;
    }
    if o.summary.status == "received" {
        state
            .db
            .set_case_status(&id, "acknowledged", state.now())
            .await?;
        event(&state, &o, None, "status", Some("acknowledged"), None).await?;
    }
    state
        .audit(
            &caller.actor(),
            "speakup.case_triaged",
            &id,
            json!({"risk": risk, "jurisdiction": j.code}),
        )
        .await?;
    if state.db.case_visible_to(me, &id).await?.is_none() {
        return Ok(Redirect::to("/cases").into_response());
    }
    Ok(back(&id))
}

/// `POST /cases/{id}/assign`: gives the case to a worker (who then gets its key) or
/// takes it back (`assignee` empty).
pub async fn assign(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    reassign(&state, &caller, &o, &form.get("assignee"), "assigned").await
}

/// `POST /cases/{id}/handover`: the assignee hands the case to another worker.
pub async fn handover(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    if o.summary.assignee != Some(caller.user.id) {
        return Ok(back_with(&id, "only the assignee hands a case over"));
    }
    if form.get("assignee").is_empty() {
        return Ok(back_with(&id, "assignee: choose who takes the case over"));
    }
    reassign(&state, &caller, &o, &form.get("assignee"), "handover").await
}

async fn reassign(
    state: &AppState,
    caller: &Caller,
    o: &Opened,
    to: &str,
    kind: &str,
) -> AppResult<Response> {
    let id = o.summary.id.clone();
    let to = if to.is_empty() {
        None
    } else {
        match UserId::parse(to) {
            Some(u) => Some(u),
            None => return Ok(back_with(&id, "assignee: unknown")),
        }
    };
    if let Some(u) = to {
        let workers = state
            .db
            .active_users_with(&[
                Role::Investigator,
                Role::EthicsOfficer,
                Role::AuditCommittee,
            ])
            .await?;
        if !workers.iter().any(|(w, _)| *w == u) {
            return Ok(back_with(&id, "assignee: not an active case worker"));
        }
        if excluded(state, &o.coi()?).await?.contains(&u) {
            return Ok(back_with(
                &id,
                "assignee: a conflict of interest keeps this person away from the case",
            ));
        }
    }
    let previous = o.summary.assignee;
    state.db.set_case_assignee(&id, to).await?;
    let value = to.map(|u| u.to_string());
    event(
        state,
        o,
        Some(caller.user.id),
        if to.is_none() { "unassigned" } else { kind },
        value.as_deref(),
        None,
    )
    .await?;
    let mut moved = o.summary.clone();
    moved.assignee = to;
    let o2 = Opened {
        summary: moved,
        key: o.key.clone(),
        fields: o.fields.clone(),
        secret: caller.reader_secret().ok_or_else(no_key)?,
    };
    reconcile(state, &caller.actor(), &o2, state.db.readers_epoch().await?).await?;
    state
        .audit(
            &caller.actor(),
            "speakup.case_assigned",
            &id,
            json!({"to": value, "from": previous.map(|p| p.to_string()), "handover": kind == "handover"}),
        )
        .await?;
    if state
        .db
        .case_visible_to(caller.user.id, &id)
        .await?
        .is_none()
    {
        return Ok(Redirect::to("/cases").into_response());
    }
    Ok(back(&id))
}

/// `POST /cases/{id}/recuse`: the caller steps away from the case (reason sealed); their
/// key is destroyed and they stay excluded.
pub async fn recuse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let reason = match text_field(&form, "reason", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let mut coi = o.coi()?;
    if !coi.recused.contains(&caller.user.id) {
        coi.recused.push(caller.user.id);
    }
    // The last key holder cannot walk away: the case would be unreadable for good.
    let after = entitled(&state, &o.summary.category, o.summary.assignee, &coi).await?;
    if after.readers.is_empty() {
        return Ok(back_with(
            &id,
            "recuse: no one else could read this case; ask for another case manager to be appointed first",
        ));
    }
    let sealed = o.seal("coi", &serde_json::to_string(&coi).map_err(internal)?)?;
    state.db.put_case_field(&id, "coi", &sealed).await?;
    event(
        &state,
        &o,
        Some(caller.user.id),
        "recused",
        None,
        Some(&reason),
    )
    .await?;
    if o.summary.assignee == Some(caller.user.id) {
        state.db.set_case_assignee(&id, None).await?;
        event(&state, &o, None, "assignee_left", None, None).await?;
    }
    // Others' wraps are reconciled with the new record; the caller's goes last.
    let o = open(&state, &caller, &id).await?;
    reconcile(&state, &caller.actor(), &o, state.db.readers_epoch().await?).await?;
    state.db.delete_wraps(&id, caller.user.id).await?;
    state
        .audit(&caller.actor(), "speakup.case_recused", &id, json!({}))
        .await?;
    Ok(Redirect::to("/cases").into_response())
}

/// `POST /cases/{id}/hold`: places or lifts a legal hold (a held case is never destroyed).
pub async fn hold(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let on = match form.get("hold").as_str() {
        "on" => true,
        "off" => false,
        _ => return Ok(back_with(&id, "hold: on or off")),
    };
    let reason = match text_field(&form, "reason", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    state.db.set_legal_hold(&id, on).await?;
    event(
        &state,
        &o,
        Some(caller.user.id),
        "hold",
        Some(if on { "on" } else { "off" }),
        Some(&reason),
    )
    .await?;
    audited(
        &state,
        &caller,
        &id,
        "speakup.legal_hold",
        json!({"on": on}),
    )
    .await
}

/// `POST /cases/{id}/watch`: puts a named reporter or witness under retaliation watch,
/// with their consent.
pub async fn watch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    if form.get("consent") != "on" {
        return Ok(back_with(
            &id,
            "consent: the person must agree to be watched",
        ));
    }
    let role = form.get("role");
    if role != "reporter" && role != "witness" {
        return Ok(back_with(&id, "role: reporter or witness"));
    }
    let users = state.db.list_users().await?;
    let name = form.get("username");
    let Some(u) = users.iter().find(|u| u.username == name.trim()) else {
        return Ok(back_with(&id, "username: no such user"));
    };
    let mut list = o.watch()?;
    if !list.iter().any(|w| w.user == u.id) {
        list.push(Watched {
            user: u.id,
            role: role.clone(),
            consent_at: state.now(),
        });
        let sealed = o.seal("watch", &serde_json::to_string(&list).map_err(internal)?)?;
        state.db.put_case_field(&id, "watch", &sealed).await?;
        event(&state, &o, Some(caller.user.id), "watch", None, None).await?;
    }
    Ok(back(&id))
}

/// `POST /cases/{id}/identity`: asks the custodians to open the identity envelope.
pub async fn request_identity(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    if o.summary.anonymous || !o.fields.contains_key("identity") {
        return Ok(back_with(
            &id,
            "the reporter stayed anonymous: there is no identity to open",
        ));
    }
    let reason = match text_field(&form, "reason", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let rid = random_id();
    let reason_sealed = o.seal(&format!("identity_request:{rid}"), &reason)?;
    state
        .db
        .add_identity_request(&IdentityRequest {
            id: rid,
            case_id: id.clone(),
            requester: caller.user.id,
            reason_sealed,
            status: "pending".into(),
            decided_by: None,
            decision_sealed: None,
            created_at: state.now(),
            decided_at: None,
        })
        .await?;
    event(
        &state,
        &o,
        Some(caller.user.id),
        "identity_requested",
        None,
        None,
    )
    .await?;
    audited(
        &state,
        &caller,
        &id,
        "speakup.identity_requested",
        json!({}),
    )
    .await
}

/// A decision on a request that was already decided: nothing changes (no key is
/// wrapped); the attempt is audited.
async fn refused_decision(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: &IdentityRequest,
    approve: bool,
) -> AppResult<Response> {
    state
        .audit(
            &caller.actor(),
            "speakup.identity_decision_refused",
            id,
            json!({"approved": approve, "requester": req.requester.to_string(), "reason": "already decided"}),
        )
        .await?;
    Ok(back_with(id, "this request was already decided"))
}

/// `POST /cases/{id}/identity/{request}`: a custodian approves (wrapping the identity key
/// for the requester) or denies, with a reason.
pub async fn decide_identity(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, rid)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let o = open(&state, &caller, &id).await?;
    let approve = match form.get("decision").as_str() {
        "approve" => true,
        "deny" => false,
        _ => return Ok(back_with(&id, "decision: approve or deny")),
    };
    let reason = match text_field(&form, "reason", true) {
        Ok(n) => n,
        Err(e) => return Ok(back_with(&id, &e)),
    };
    let Some(req) = state
        .db
        .identity_requests(&id)
        .await?
        .into_iter()
        .find(|r| r.id == rid)
    else {
        return Err(AppError::not_found());
    };
    if req.requester == caller.user.id {
        return Ok(back_with(
            &id,
            "decision: another custodian must decide your own request",
        ));
    }
    // Check first: a request already decided is refused before any key is touched.
    if req.status != "pending" {
        return refused_decision(&state, &caller, &id, &req, approve).await;
    }
    let grant = if approve {
        let Some(k) = identity_key_for(&state, &o).await? else {
            return Ok(back_with(&id, "you do not hold this case's identity key"));
        };
        let Some((_, Some(public))) =
            righttrack_app::hotline::keys::verified_readers(&state, &ALL_CASE_ROLES)
                .await?
                .into_iter()
                .find(|(u, _)| *u == req.requester)
        else {
            return Ok(back_with(
                &id,
                "the requester has no key: they must sign in once first",
            ));
        };
        Some(
            wrap_for_reader(&public, &identity_context(&id), &k, &mut rand::rngs::OsRng)
                .map_err(internal)?,
        )
    } else {
        None
    };
    let decision_sealed = o.seal(&format!("identity_decision:{rid}"), &reason)?;
    // Then decide and wrap in one transaction: the wrap is stored only if the request
    // was still pending.
    if !state
        .db
        .decide_identity_request(
            &rid,
            approve,
            caller.user.id,
            &decision_sealed,
            state.now(),
            grant.as_deref(),
        )
        .await?
    {
        return refused_decision(&state, &caller, &id, &req, approve).await;
    }
    event(
        &state,
        &o,
        Some(caller.user.id),
        if approve {
            "identity_approved"
        } else {
            "identity_denied"
        },
        None,
        None,
    )
    .await?;
    audited(
        &state,
        &caller,
        &id,
        "speakup.identity_decided",
        json!({"approved": approve, "requester": req.requester.to_string(), "identity_key_wrapped": approve}),
    )
    .await
}
