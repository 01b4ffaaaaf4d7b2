//! Corrective actions: raising one (from an audit finding, a QA trend, a survey
//! hot-spot, a hotline case or by hand), moving it through the ISO 9001 §10.2 steps, and
//! what the pages and the API show of them.
//!
//! A CAPA raised from a hotline case exists only for the case's key holders: for anyone
//! else it is not listed and reading it is "not found" (its owner may be the accused).
//! Its title, root cause, plan and notes are sealed under the case key; only
//! [`HOTLINE_TITLE`] is kept in the clear. Free text is scrubbed of personal data before
//! storage and never audited.

use super::audits::{
    active_usernames, days, due_day, metric_verdict, optional, scrub, text, trends, unprocessable,
    Trend,
};
use super::{HOTLINE_TITLE, TREND_DAYS};
use crate::hotline::cases::{self, Opened};
use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::capa::{self as rules, SourceKind, State, Step, Verdict};
use righttrack_core::clock::day;
use righttrack_store::capa::{Capa, Move, NewCapa, SealedCapaTexts};
use serde::Deserialize;
use serde_json::json;

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
    ctx: &Ctx,
    caller: &Caller,
    input: &CapaInput,
) -> Result<(String, Option<String>)> {
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
            let Some(f) = ctx.db.audit_finding(input.source_ref.trim()).await? else {
                return Err(unprocessable("source_ref", "no such audit finding"));
            };
            if let Some(c) = f.capa {
                return Err(Error::conflict(format!(
                    "field `source_ref`: this finding already has CAPA {c}"
                )));
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
        ctx,
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

/// A case worker raises a CAPA from hotline case `case`, which they hold the key to
/// ("not found" otherwise). Only the reference is kept; the label is fixed and the
/// title sealed under the case key. Audited. Returns the CAPA's id.
pub async fn raise_from_case(
    ctx: &Ctx,
    caller: &Caller,
    case: &str,
    input: &CapaInput,
) -> Result<String> {
    // Opening proves the caller holds the case key.
    let o = cases::open(ctx, caller, case).await?;
    let (id, _) = create(
        ctx,
        caller,
        Source {
            kind: SourceKind::HotlineCase,
            source_ref: o.summary.id.clone(),
            label: SourceKind::HotlineCase.label().to_owned(),
            subject: o.summary.id.clone(),
            site: None,
            rule: None,
        },
        input,
        Some(&o),
    )
    .await?;
    Ok(id)
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

/// The effectiveness metric of the input: the rule, the baseline and the days, or none.
fn metric_of(input: &CapaInput, rule: &Option<String>) -> Result<Option<(String, f64, i64)>> {
    let (b, d) = (
        optional(&input.metric_baseline),
        optional(&input.metric_days),
    );
    if b.is_none() && d.is_none() {
        return Ok(None);
    }
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
    Ok(Some((r, baseline, days)))
}

async fn create(
    ctx: &Ctx,
    caller: &Caller,
    src: Source,
    input: &CapaInput,
    case: Option<&Opened>,
) -> Result<(String, Option<String>)> {
    let now = ctx.now();
    let Source {
        kind,
        source_ref,
        label: source_label,
        subject,
        site,
        rule,
    } = src;
    let title = text("title", &input.title, rules::MAX_TITLE)?;
    let title = scrub(ctx, &title)?;
    let owner = input.owner.trim().to_owned();
    if !active_usernames(ctx).await?.contains(&owner) {
        return Err(unprocessable("owner", "no such user"));
    }
    if let Some(o) = case {
        // Only the case's key holders see a CAPA raised from it: so must its owner.
        let owner_id = ctx
            .db
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.username == owner)
            .map(|u| u.id);
        let holds_key = match owner_id {
            Some(u) => ctx.db.case_visible_to(u, &o.summary.id).await?.is_some(),
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
    let metric = metric_of(input, &rule)?;
    let (id, recurring) = ctx
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
        let sealed = o.seal(&field(&id, TITLE), &title)?;
        ctx.db.set_capa_title_sealed(&id, &sealed).await?;
    }
    ctx.audit(
        &caller.actor(),
        "capa.created",
        &id,
        json!({"source_kind": kind.as_str(), "owner": owner, "recurring_of": recurring}),
    )
    .await?;
    Ok((id, recurring))
}

// ---------------------------------------------------------------- sealed texts

const TITLE: &str = "title";
const ROOT_CAUSE: &str = "root_cause";
const PLAN: &str = "plan";
const NOTE: &str = "note";

/// The name a hotline CAPA's text is sealed under.
fn field(id: &str, name: &str) -> String {
    format!("capa:{id}:{name}")
}

fn is_hotline(c: &Capa) -> bool {
    c.source_kind == SourceKind::HotlineCase.as_str()
}

/// Does `caller` hold the key of hotline case `case`?
async fn holds_case_key(ctx: &Ctx, caller: &Caller, case: &str) -> Result<bool> {
    Ok(ctx
        .db
        .case_visible_to(caller.user.id, case)
        .await?
        .is_some())
}

/// A CAPA raised from a hotline case exists only for the case's key holders.
async fn hidden_from(ctx: &Ctx, caller: &Caller, c: &Capa) -> Result<bool> {
    Ok(is_hotline(c) && !holds_case_key(ctx, caller, &c.source_ref).await?)
}

/// A CAPA the caller may see, or "not found".
async fn visible(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Capa> {
    match ctx.db.capa(id, ctx.now()).await? {
        Some(c) if !hidden_from(ctx, caller, &c).await? => Ok(c),
        _ => Err(Error::not_found()),
    }
}

/// Opens the case a hotline CAPA was raised from (through the case's data-access gate)
/// and seals, once, what an older version kept of the CAPA in the clear.
async fn open_hotline(ctx: &Ctx, caller: &Caller, c: &Capa) -> Result<Opened> {
    let o = cases::open(ctx, caller, &c.source_ref).await?;
    let clear_notes = ctx.db.capa_clear_notes(&c.id).await?;
    if c.title_sealed.is_none()
        || c.root_cause.is_some()
        || c.plan.is_some()
        || !clear_notes.is_empty()
    {
        let seal_opt = |name: &str, v: &Option<String>| -> Result<Option<Vec<u8>>> {
            v.as_deref()
                .map(|t| o.seal(&field(&c.id, name), t))
                .transpose()
        };
        let sealed = SealedCapaTexts {
            title: match &c.title_sealed {
                Some(t) => t.clone(),
                None => o.seal(&field(&c.id, TITLE), &c.title)?,
            },
            root_cause: seal_opt(ROOT_CAUSE, &c.root_cause)?,
            plan: seal_opt(PLAN, &c.plan)?,
            notes: clear_notes
                .iter()
                .map(|(e, n)| Ok((e.clone(), o.seal(&field(&c.id, NOTE), n)?)))
                .collect::<Result<Vec<_>>>()?,
        };
        ctx.db
            .seal_capa_texts(&c.id, HOTLINE_TITLE, &sealed)
            .await?;
    }
    Ok(o)
}

/// A sealed text of a hotline CAPA, or the clear one of an older version.
fn unsealed(
    o: &Opened,
    field: &str,
    sealed: &Option<Vec<u8>>,
    clear: &Option<String>,
) -> Result<Option<String>> {
    match sealed {
        Some(b) => o.open_text(field, b).map(Some),
        None => Ok(clear.clone()),
    }
}

// ---------------------------------------------------------------- moving

/// May `caller` move CAPA `c`? Its owner and creator, and QA analysts and ethics
/// officers (who manage audits and coordinate corrective actions).
fn may_move(caller: &Caller, c: &Capa) -> bool {
    c.owner == caller.user.username
        || c.created_by == caller.user.username
        || allowed(&caller.user.roles, Action::AuditManage)
}

/// A scrubbed text of at most [`rules::MAX_TEXT`] characters for `field`.
fn step_text(ctx: &Ctx, field: &str, s: &str) -> Result<Option<String>> {
    Ok(Some(scrub(ctx, &text(field, s, rules::MAX_TEXT)?)?))
}

/// Moves CAPA `id` by `step` with its text. Audited (without the text).
pub async fn move_step(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    step: &str,
    text_in: &str,
) -> Result<State> {
    let now = ctx.now();
    let c = visible(ctx, caller, id).await?;
    if !may_move(caller, &c) {
        return Err(Error::new(
            Kind::Forbidden,
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
    let to = rules::next(from, step).map_err(|e| Error::conflict(format!("{e}.")))?;
    let mut m = Move::default();
    match step {
        Step::Analyse => m.root_cause = step_text(ctx, ROOT_CAUSE, text_in)?,
        Step::Plan => m.plan = step_text(ctx, PLAN, text_in)?,
        Step::NotEffective => m.note = step_text(ctx, NOTE, text_in)?,
        _ => {
            if let Some(n) = optional(text_in) {
                m.note = step_text(ctx, NOTE, &n)?;
            }
        }
    }
    if is_hotline(&c) {
        // Sealed under the case key like the case's own content: never in the clear.
        let o = open_hotline(ctx, caller, &c).await?;
        let seal = |name: &str, t: Option<String>| -> Result<Option<Vec<u8>>> {
            t.map(|t| o.seal(&field(id, name), &t)).transpose()
        };
        m.root_cause_sealed = seal(ROOT_CAUSE, m.root_cause.take())?;
        m.plan_sealed = seal(PLAN, m.plan.take())?;
        m.note_sealed = seal(NOTE, m.note.take())?;
    }
    if step == Step::Verify {
        if let Some((v, b, ..)) = metric_verdict(ctx, &c, now).await? {
            if !matches!(v, Verdict::Met { .. }) {
                return Err(Error::conflict(format!(
                    "{}.",
                    rules::TransitionError::MetricNotMet(v.describe(b))
                )));
            }
        }
    }
    if !ctx
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
        return Err(Error::conflict(
            "Someone moved this corrective action meanwhile; reload it.",
        ));
    }
    ctx.audit(
        &caller.actor(),
        "capa.moved",
        id,
        json!({"step": step.as_str(), "from": from.as_str(), "to": to.as_str()}),
    )
    .await?;
    Ok(to)
}

// ---------------------------------------------------------------- reading

/// One CAPA as a list shows it.
#[derive(Debug, Clone)]
pub struct CapaRow {
    pub id: String,
    pub title: String,
    /// The source as the caller may see it: a hotline case reference only with its key.
    pub source: String,
    pub owner: String,
    pub due: String,
    pub state: &'static str,
    pub overdue: bool,
    pub recurring: bool,
}

async fn capa_row(ctx: &Ctx, caller: &Caller, c: Capa) -> Result<CapaRow> {
    let hotline = is_hotline(&c);
    let source = if !hotline {
        c.source_label.clone()
    } else if holds_case_key(ctx, caller, &c.source_ref).await? {
        format!("Hotline case {}", c.source_ref)
    } else {
        "Hotline case (reference withheld)".into()
    };
    Ok(CapaRow {
        source,
        state: c.state().label(),
        due: day(c.due_at),
        overdue: c.overdue,
        recurring: c.recurring_of.is_some(),
        title: if hotline {
            HOTLINE_TITLE.to_owned()
        } else {
            c.title
        },
        id: c.id,
        owner: c.owner,
    })
}

/// The corrective actions page: the caller's CAPAs, all they may see (overdue first),
/// and the QA trends to raise one from.
#[derive(Debug, Clone)]
pub struct CapaList {
    pub mine: Vec<CapaRow>,
    pub all: Vec<CapaRow>,
    /// The fifteen steepest.
    pub trends: Vec<Trend>,
    /// Interactions over the last [`TREND_DAYS`].
    pub interactions: u64,
}

/// What the corrective actions page lists for `caller`.
pub async fn list(ctx: &Ctx, caller: &Caller) -> Result<CapaList> {
    let now = ctx.now();
    let mut mine = Vec::new();
    let mut all = Vec::new();
    for c in ctx.db.capas(now, 500).await? {
        if hidden_from(ctx, caller, &c).await? {
            continue;
        }
        let is_mine = c.owner == caller.user.username;
        let row = capa_row(ctx, caller, c).await?;
        if is_mine {
            mine.push(row.clone());
        }
        all.push(row);
    }
    let (interactions, mut trends) = trends(ctx, now).await?;
    trends.truncate(15);
    Ok(CapaList {
        mine,
        all,
        trends,
        interactions,
    })
}

/// Where the form to raise a CAPA comes from, as its link gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Prefill {
    pub source: Option<String>,
    #[serde(rename = "ref")]
    pub source_ref: Option<String>,
    pub rule: Option<String>,
    pub label: Option<String>,
}

/// The form to raise a CAPA, prefilled from its source.
#[derive(Debug, Clone)]
pub struct NewForm {
    pub kind: SourceKind,
    pub source_ref: String,
    pub source_label: String,
    pub rule: String,
    /// For a QA trend: the rule's rate over the last [`TREND_DAYS`].
    pub baseline: String,
    pub users: Vec<String>,
    /// Thirty days from now.
    pub due: String,
}

/// The form to raise a CAPA from `p`'s source (a hotline case is raised on its page).
pub async fn new_form(ctx: &Ctx, p: Prefill) -> Result<NewForm> {
    let now = ctx.now();
    let kind = SourceKind::parse(p.source.as_deref().unwrap_or("manual"))
        .filter(|k| *k != SourceKind::HotlineCase)
        .ok_or_else(|| {
            Error::bad_request(
                "query `source`: expected audit_finding, qa_trend, survey_hotspot or manual",
            )
        })?;
    let source_ref = p.source_ref.unwrap_or_default();
    let mut source_label = p.label.unwrap_or_default();
    if kind == SourceKind::AuditFinding {
        let Some(f) = ctx.db.audit_finding(&source_ref).await? else {
            return Err(Error::not_found());
        };
        source_label = format!("{}: {}", f.audit_title, f.text);
    }
    let rule = p.rule.unwrap_or_default();
    let baseline = if rule.is_empty() {
        String::new()
    } else {
        let from = now.checked_sub(days(TREND_DAYS)).unwrap_or(now);
        let (n, hits) = ctx.db.rule_count(&rule, from, now).await?;
        rules::rate_per_1000(hits, n)
            .map(|r| format!("{r:.1}"))
            .unwrap_or_default()
    };
    Ok(NewForm {
        kind,
        source_ref,
        source_label,
        rule,
        baseline,
        users: active_usernames(ctx).await?,
        due: day(now.checked_add(days(30)).unwrap_or(now)),
    })
}

/// One step of a CAPA's history.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: String,
    pub by: String,
    pub step: String,
    pub to: &'static str,
    pub note: String,
}

/// One CAPA with its texts opened (a hotline CAPA's with the case key), its metric
/// verdict, its history and the steps the caller may take.
#[derive(Debug, Clone)]
pub struct Detail {
    pub row: CapaRow,
    pub capa: Capa,
    /// The verdict, baseline, days and rule of its metric, if it has one.
    pub verdict: Option<(Verdict, f64, i64, String)>,
    pub events: Vec<Event>,
    /// Empty when the caller may not move it.
    pub steps: Vec<Step>,
    pub may_move: bool,
}

/// CAPA `id` as `caller` may read it; "not found" for a hotline CAPA without the case key.
pub async fn detail(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Detail> {
    let now = ctx.now();
    let mut c = visible(ctx, caller, id).await?;
    // A hotline CAPA's texts open with the case key, on a case reader's session only.
    let case = if is_hotline(&c) {
        let o = open_hotline(ctx, caller, &c).await?;
        let title = unsealed(
            &o,
            &field(id, TITLE),
            &c.title_sealed,
            &Some(c.title.clone()),
        )?;
        c.title = title.unwrap_or_default();
        c.root_cause = unsealed(
            &o,
            &field(id, ROOT_CAUSE),
            &c.root_cause_sealed,
            &c.root_cause,
        )?;
        c.plan = unsealed(&o, &field(id, PLAN), &c.plan_sealed, &c.plan)?;
        Some(o)
    } else {
        None
    };
    let verdict = metric_verdict(ctx, &c, now).await?;
    let events = ctx
        .db
        .capa_events(id)
        .await?
        .into_iter()
        .map(|e| {
            let note = match &case {
                Some(o) => unsealed(o, &field(id, NOTE), &e.note_sealed, &e.note)?,
                None => e.note,
            };
            Ok(Event {
                at: righttrack_core::clock::minute(e.at),
                by: e.by_user,
                step: Step::parse(&e.step).map_or(e.step.clone(), |s| s.label().to_owned()),
                to: State::parse(&e.to_state).map_or("", State::label),
                note: note.unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let may = may_move(caller, &c);
    let mut row = capa_row(ctx, caller, c.clone()).await?;
    row.title = c.title.clone();
    Ok(Detail {
        row,
        verdict,
        events,
        steps: if may {
            rules::steps_from(c.state())
        } else {
            Vec::new()
        },
        may_move: may,
        capa: c,
    })
}

/// The CAPAs `caller` may see, each with its metric verdict described; a hotline CAPA
/// without its (sealed) texts, for tokens never open case content.
pub async fn with_verdicts(ctx: &Ctx, caller: &Caller) -> Result<Vec<(Capa, Option<String>)>> {
    let now = ctx.now();
    let mut out = Vec::new();
    for mut c in ctx.db.capas(now, 1000).await? {
        if hidden_from(ctx, caller, &c).await? {
            continue;
        }
        if is_hotline(&c) {
            c.title = HOTLINE_TITLE.to_owned();
            c.root_cause = None;
            c.plan = None;
        }
        let verdict = metric_verdict(ctx, &c, now).await?;
        out.push((c, verdict.map(|(v, b, ..)| v.describe(b))));
    }
    Ok(out)
}
