//! What the case team sees: the case list (filtered, searched, exported) and one case
//! with its report, thread, timeline, identity requests, conflicts and retaliation watch.
//!
//! Every list joins on the viewer's wraps, so a case the viewer holds no key to is
//! absent, not greyed out; the list, the CSV export and the API carry metadata only.
//! Content is decrypted only through [`open`] (the data-access gate) or, for a word
//! search, after one gate decision for the whole search.

use super::cases::{excluded, open, open_ungated, Opened, Watched};
use crate::program::training::gate;
use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::casekeys::{identity_context, unwrap_for_reader};
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::UserId;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::speakup::StoredMessage;
use righttrack_store::speakup_cases::{
    CaseEvent, CaseSummary, ClockState, IdentityRequest, STATUSES,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(&e)
}

// ---------------------------------------------------------------- names

/// The directory by id (for timelines and lists).
type Names = BTreeMap<UserId, User>;

async fn names(ctx: &Ctx) -> Result<Names> {
    crate::platform::directory::users_by_id(ctx).await
}

fn name_of(names: &Names, id: Option<UserId>) -> String {
    match id {
        None => String::new(),
        Some(id) => names
            .get(&id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| "a former user".into()),
    }
}

/// A case status in words for the case team.
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

fn row(s: &CaseSummary, names: &Names, now: Timestamp) -> Row {
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

/// The list's filters.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filter {
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

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
}

fn keeps(f: &Filter, c: &CaseSummary, me: UserId, now: Timestamp) -> bool {
    let keep_status = match nonempty(&f.status).as_deref().unwrap_or("open") {
        "open" => c.closed_at.is_none(),
        "closed" => c.closed_at.is_some(),
        "all" => true,
        s => c.status == s,
    };
    let keep_clock = match nonempty(&f.clock).as_deref() {
        Some("overdue") => c.clock_state(now) == ClockState::Overdue,
        Some("due_soon") => c.clock_state(now) == ClockState::DueSoon,
        _ => true,
    };
    let keep_cat = nonempty(&f.category).is_none_or(|k| c.category == k);
    let keep_mine = f.assigned.as_deref() != Some("me") || c.assignee == Some(me);
    keep_status && keep_clock && keep_cat && keep_mine
}

/// The cases a caller may see, and those the filter keeps; a text search opens each case
/// with the caller's key. Cases due a reconciliation are reconciled on the way (when the
/// caller has a key and current training).
async fn visible(
    ctx: &Ctx,
    caller: &Caller,
    f: &Filter,
) -> Result<(Vec<CaseSummary>, Vec<CaseSummary>)> {
    let now = ctx.now();
    let epoch = ctx.db.readers_epoch().await?;
    let mut all = ctx.db.cases_visible_to(caller.user.id).await?;
    let text = nonempty(&f.q).map(|t| t.to_lowercase());
    // A word search decrypts every case: one gate decision (audited) for the search.
    // A bare reference is matched on metadata and needs no gate.
    if let Some(t) = &text {
        if !all.iter().any(|c| c.id.to_lowercase() == *t) {
            gate::check(ctx, caller, gate::Resource::CaseSearch, "cases").await?;
        }
    }
    // Reconciling shows the caller nothing, but it decrypts the conflict record: only
    // someone the gate would let in does it (unaudited, as nothing is shown); otherwise
    // the next trained key holder will.
    let trained = caller.reader_secret().is_some()
        && all.iter().any(|c| c.wraps_epoch < epoch)
        && gate::standing(ctx, caller.user.id).await?.current;
    if trained {
        for c in all.iter().filter(|c| c.wraps_epoch < epoch) {
            // Opening reconciles; a case the caller just lost simply drops out below.
            match open_ungated(ctx, caller, &c.id).await {
                Ok(_) => {}
                Err(e) if e.kind == Kind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        all = ctx.db.cases_visible_to(caller.user.id).await?;
    }
    let mut out = Vec::new();
    for c in &all {
        if !keeps(f, c, caller.user.id, now) {
            continue;
        }
        if let Some(t) = &text {
            if c.id.to_lowercase() != *t && !matches_text(ctx, caller, &c.id, t).await? {
                continue;
            }
        }
        out.push(c.clone());
    }
    Ok((all, out))
}

/// Does the case's report (description, where/when, people, answers) or its thread
/// contain `needle`? Opens the case with the caller's key; without one, nothing matches.
async fn matches_text(ctx: &Ctx, caller: &Caller, id: &str, needle: &str) -> Result<bool> {
    // The search passed the gate once in `visible`.
    let Ok(o) = open_ungated(ctx, caller, id).await else {
        return Ok(false);
    };
    for (field, sealed) in &o.fields {
        let searchable = ["description", "when_where", "people"].contains(&field.as_str())
            || field.starts_with("answer:");
        if searchable && o.open_text(field, sealed)?.to_lowercase().contains(needle) {
            return Ok(true);
        }
    }
    for m in ctx.db.speakup_messages(id).await? {
        let t = o.open_text(&format!("message:{}", m.id), &m.body_sealed)?;
        if t.to_lowercase().contains(needle) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The filtered cases as rows (metadata only), for the API.
pub async fn rows(ctx: &Ctx, caller: &Caller, f: &Filter) -> Result<Vec<Row>> {
    let (_, cases) = visible(ctx, caller, f).await?;
    let names = names(ctx).await?;
    let now = ctx.now();
    Ok(cases.iter().map(|c| row(c, &names, now)).collect())
}

/// The case list page: the filtered rows and the counts over all open cases.
#[derive(Debug)]
pub struct CaseList {
    pub rows: Vec<Row>,
    /// Whether the caller's session holds a reader key (content searches need it).
    pub has_key: bool,
    /// Open cases past a deadline.
    pub overdue: usize,
    /// Open cases with a deadline close.
    pub due_soon: usize,
    /// Open cases not yet acknowledged.
    pub untriaged: usize,
    /// Open cases the reporter flagged for retaliation.
    pub flagged: usize,
    /// Cases with identity requests waiting for this custodian.
    pub identity_requests: Vec<String>,
    /// The categories of the cases the caller sees.
    pub categories: Vec<String>,
    /// Whether the caller decides identity requests (an identity custodian).
    pub may_decide: bool,
}

/// Loads the case list for `caller`, filtered.
pub async fn list(ctx: &Ctx, caller: &Caller, f: &Filter) -> Result<CaseList> {
    let now = ctx.now();
    let (all, cases) = visible(ctx, caller, f).await?;
    let open: Vec<&CaseSummary> = all.iter().filter(|c| c.closed_at.is_none()).collect();
    let names = names(ctx).await?;
    let mut categories: Vec<String> = all.iter().map(|c| c.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let may_decide = caller.user.has(Role::IdentityCustodian);
    let identity_requests = if may_decide {
        ctx.db.pending_identity_requests_for(caller.user.id).await?
    } else {
        Vec::new()
    };
    let count = |state: ClockState| open.iter().filter(|c| c.clock_state(now) == state).count();
    Ok(CaseList {
        rows: cases.iter().map(|c| row(c, &names, now)).collect(),
        has_key: caller.reader_secret().is_some(),
        overdue: count(ClockState::Overdue),
        due_soon: count(ClockState::DueSoon),
        untriaged: open.iter().filter(|c| c.status == "received").count(),
        flagged: open.iter().filter(|c| c.retaliation_flag).count(),
        identity_requests,
        categories,
        may_decide,
    })
}

/// The filtered list as CSV (metadata only, never content); the export is audited.
pub async fn export_csv(ctx: &Ctx, caller: &Caller, f: &Filter) -> Result<String> {
    let rows = rows(ctx, caller, f).await?;
    let mut out = String::from(
        "case,category,status,anonymous,risk,assignee,submitted,acknowledge_due,acknowledge,feedback_due,feedback,retaliation_flag,legal_hold,retain_until\n",
    );
    for r in &rows {
        let cells = [
            r.case.as_str(),
            &r.category,
            &r.status,
            &r.anonymous.to_string(),
            &r.risk,
            &r.assignee,
            &r.submitted,
            &r.acknowledge_due,
            r.acknowledge,
            &r.feedback_due,
            r.feedback,
            &r.retaliation_flag.to_string(),
            &r.legal_hold.to_string(),
            &r.retain_until,
        ];
        let line: Vec<String> = cells
            .iter()
            .map(|c| righttrack_scan::csv::cell(c))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    ctx.audit(
        &caller.actor(),
        "speakup.cases_exported",
        "cases",
        json!({"rows": rows.len()}),
    )
    .await?;
    Ok(out)
}

// ---------------------------------------------------------------- one case

/// A labelled part of the report.
#[derive(Debug)]
pub struct FieldView {
    pub label: String,
    pub text: String,
}

/// A message of the thread with the reporter.
#[derive(Debug)]
pub struct MessageView {
    /// `Case team` or `Reporter`.
    pub who: &'static str,
    pub retaliation: bool,
    /// By day: when exactly a reporter wrote could tell who they are.
    pub at: String,
    pub body: String,
}

/// A timeline entry.
#[derive(Debug)]
pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: String,
    pub detail: String,
}

/// A request to open the identity envelope.
#[derive(Debug)]
pub struct RequestView {
    pub id: String,
    pub requester: String,
    pub reason: String,
    pub status: String,
    pub decided_by: String,
    pub decision: String,
    pub at: String,
}

/// A person a conflict of interest keeps away, and why.
#[derive(Debug)]
pub struct PersonView {
    pub name: String,
    pub why: String,
}

/// A person under retaliation watch, with the alerts of their record.
#[derive(Debug)]
pub struct WatchView {
    pub name: String,
    pub role: String,
    pub since: String,
    pub alerts: Vec<String>,
}

/// An option of a select.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The reporter's identity as the viewer sees it.
#[derive(Debug)]
pub enum IdentityView {
    /// The reporter stayed anonymous.
    Anonymous,
    /// Named, but sealed for this viewer (`pending`: they asked and wait).
    Sealed { pending: bool },
    /// Opened for an approved requester (audited).
    Open { name: String, contact: String },
}

impl IdentityView {
    pub fn is_anonymous(&self) -> bool {
        matches!(self, IdentityView::Anonymous)
    }
    pub fn is_sealed(&self) -> bool {
        matches!(self, IdentityView::Sealed { .. })
    }
    pub fn pending(&self) -> bool {
        matches!(self, IdentityView::Sealed { pending: true })
    }
    pub fn name(&self) -> &str {
        match self {
            IdentityView::Open { name, .. } => name,
            _ => "",
        }
    }
    pub fn contact(&self) -> &str {
        match self {
            IdentityView::Open { contact, .. } => contact,
            _ => "",
        }
    }
}

/// Everything the case page shows.
#[derive(Debug)]
pub struct CaseView {
    pub r: Row,
    pub jurisdiction: String,
    pub report: Vec<FieldView>,
    pub identity: IdentityView,
    pub attachments: Vec<super::attachments::AttachmentView>,
    pub messages: Vec<MessageView>,
    pub timeline: Vec<EventView>,
    pub requests: Vec<RequestView>,
    pub excluded: Vec<PersonView>,
    pub watch: Vec<WatchView>,
    pub statuses: Vec<Choice>,
    pub risks: Vec<Choice>,
    pub jurisdictions: Vec<Choice>,
    pub workers: Vec<Choice>,
    pub may_manage: bool,
    pub may_decide: bool,
    pub is_assignee: bool,
    /// The people concerned, as usernames (`a, b`).
    pub subjects: String,
}

fn event_text(kind: &str, value: Option<&str>, names: &Names) -> String {
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

async fn identity_view(ctx: &Ctx, caller: &Caller, o: &Opened) -> Result<IdentityView> {
    if o.summary.anonymous || !o.fields.contains_key("identity") {
        return Ok(IdentityView::Anonymous);
    }
    let mine = |status: &str, requests: &[IdentityRequest]| {
        requests
            .iter()
            .any(|r| r.requester == caller.user.id && r.status == status)
    };
    let pending = mine("pending", &ctx.db.identity_requests(&o.summary.id).await?);
    let Some(w) = ctx.db.identity_wrap(&o.summary.id, caller.user.id).await? else {
        return Ok(IdentityView::Sealed { pending });
    };
    // A custodian holds the key to judge requests, not to read: only an approved
    // requester (or a custodian who approved their own request) reads the identity.
    if !mine("approved", &ctx.db.identity_requests(&o.summary.id).await?) {
        return Ok(IdentityView::Sealed { pending });
    }
    let k = unwrap_for_reader(&o.secret, &identity_context(&o.summary.id), &w).map_err(internal)?;
    let sealed = &o.fields["identity"];
    let raw = k
        .open(&o.summary.id, "identity", sealed)
        .map_err(internal)?;
    let v: Value = serde_json::from_slice(&raw).map_err(internal)?;
    ctx.audit(
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

/// The report's parts: description, when/where, people, then the answers labelled with
/// the questions as the reporter was asked them (kept with the case, else the category's
/// current ones), in English for staff.
async fn report(ctx: &Ctx, o: &Opened) -> Result<Vec<FieldView>> {
    let questions: Vec<String> = match o.text(super::QUESTIONS_FIELD)? {
        Some(json) => {
            serde_json::from_str::<righttrack_store::speakup_config::TextLists>(&json)
                .map_err(internal)?
                .en
        }
        None => ctx
            .db
            .speakup_category(&o.summary.category)
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
        if let Some(text) = o.text(field)? {
            report.push(FieldView {
                label: label.into(),
                text,
            });
        }
    }
    let mut answers: Vec<(usize, &String)> = o
        .fields
        .keys()
        .filter_map(|f| Some((f.strip_prefix("answer:")?.parse::<usize>().ok()?, f)))
        .collect();
    answers.sort();
    for (n, field) in answers {
        if let Some(text) = o.text(field)? {
            report.push(FieldView {
                label: questions
                    .get(n - 1)
                    .cloned()
                    .unwrap_or_else(|| format!("Question {n}")),
                text,
            });
        }
    }
    Ok(report)
}

/// Opens a sealed text if there is one (empty otherwise).
fn opened_or_empty(o: &Opened, field: &str, sealed: Option<&Vec<u8>>) -> Result<String> {
    sealed.map_or_else(|| Ok(String::new()), |d| o.open_text(field, d))
}

fn choices<'a>(
    items: impl IntoIterator<Item = (&'a str, String)>,
    selected: Option<&str>,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: selected == Some(value),
            value: value.to_owned(),
            label,
        })
        .collect()
}

/// A message of the thread, opened.
fn message_view(o: &Opened, m: &StoredMessage) -> Result<MessageView> {
    Ok(MessageView {
        who: if m.author == "staff" {
            "Case team"
        } else {
            "Reporter"
        },
        retaliation: m.kind == "retaliation",
        at: day(m.created_at),
        body: o.open_text(&format!("message:{}", m.id), &m.body_sealed)?,
    })
}

/// A timeline entry, its detail opened.
fn event_view(o: &Opened, names: &Names, e: &CaseEvent) -> Result<EventView> {
    Ok(EventView {
        at: minute(e.at),
        who: match e.actor {
            None => "RightTrack".into(),
            a => name_of(names, a),
        },
        what: event_text(&e.kind, e.value.as_deref(), names),
        detail: opened_or_empty(o, &format!("event:{}", e.id), e.detail_sealed.as_ref())?,
    })
}

/// An identity request, its reason and decision opened.
fn request_view(o: &Opened, names: &Names, r: IdentityRequest) -> Result<RequestView> {
    let decision = format!("identity_decision:{}", r.id);
    Ok(RequestView {
        reason: o.open_text(&format!("identity_request:{}", r.id), &r.reason_sealed)?,
        decision: opened_or_empty(o, &decision, r.decision_sealed.as_ref())?,
        requester: name_of(names, Some(r.requester)),
        decided_by: name_of(names, r.decided_by),
        at: minute(r.created_at),
        id: r.id,
        status: r.status,
    })
}

/// Opens case `id` for `caller` ([`open`]: no key is "no such case", then the data-access
/// gate) and gathers everything its page shows; reading a named reporter's identity is
/// audited.
pub async fn case(ctx: &Ctx, caller: &Caller, id: &str) -> Result<CaseView> {
    let o = open(ctx, caller, id).await?;
    let now = ctx.now();
    let names = names(ctx).await?;
    let s = &o.summary;
    let report = report(ctx, &o).await?;
    let messages = ctx.db.speakup_messages(&s.id).await?;
    let messages = messages
        .iter()
        .map(|m| message_view(&o, m))
        .collect::<Result<_>>()?;
    let events = ctx.db.case_events(&s.id).await?;
    let timeline = events
        .iter()
        .map(|e| event_view(&o, &names, e))
        .collect::<Result<_>>()?;
    let requests = ctx.db.identity_requests(&s.id).await?;
    let requests = requests
        .into_iter()
        .map(|r| request_view(&o, &names, r))
        .collect::<Result<_>>()?;
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
            alerts: retaliation_alerts(ctx, &w, s.submitted_at, now).await?,
        });
    }
    let may_manage = righttrack_core::authz::allowed(
        &caller.user.roles,
        righttrack_core::authz::Action::CaseManage,
    );
    let out_of_bounds = excluded(ctx, &coi).await?;
    let workers = ctx
        .db
        .active_users_with(&super::actions::WORKER_ROLES)
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
    let identity = identity_view(ctx, caller, &o).await?;
    let attachments = super::attachments::list(ctx, &s.id, &o.key).await?;
    let jurisdictions = ctx.db.speakup_jurisdictions().await?;
    Ok(CaseView {
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
        statuses: choices(
            STATUSES.iter().map(|st| (*st, status_label(st).to_owned())),
            Some(s.status.as_str()),
        ),
        risks: choices(
            ["low", "medium", "high"].map(|r| (r, r.to_owned())),
            s.risk.as_deref(),
        ),
        jurisdictions: choices(
            jurisdictions.iter().map(|j| {
                let label = format!(
                    "{} ({} days / {} months)",
                    j.name, j.ack_days, j.feedback_months
                );
                (j.code.as_str(), label)
            }),
            Some(s.jurisdiction.as_str()),
        ),
        workers,
        may_manage,
        may_decide: caller.user.has(Role::IdentityCustodian),
        is_assignee: s.assignee == Some(caller.user.id),
        subjects,
    })
}

/// The retaliation-watch alerts of one watched person: each window (30/60/90/180 days
/// after the report) in which their RightTrack record turned worse than their peers'
/// (`core::retaliation`). A person no longer in the directory has none.
async fn retaliation_alerts(
    ctx: &Ctx,
    w: &Watched,
    since: Timestamp,
    now: Timestamp,
) -> Result<Vec<String>> {
    let windows = match ctx.db.retaliation_watch(w.user, since, now).await {
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

/// Opens one attachment of case `id` for a key holder (opening the case first is the
/// access check); every download is audited, by ids only.
pub async fn attachment(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    attachment: &str,
) -> Result<super::attachments::Download> {
    let o = open(ctx, caller, id).await?;
    let file = super::attachments::download(ctx, &o.summary.id, attachment, &o.key).await?;
    ctx.audit(
        &caller.actor(),
        "speakup.attachment_opened",
        &o.summary.id,
        json!({"attachment": attachment}),
    )
    .await?;
    Ok(file)
}
