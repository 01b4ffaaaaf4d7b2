//! QA pages: the review queue, one interaction with its scorecard explained, and the
//! commitments ledger.

use super::text as s;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render};
use crate::params::{date, nonempty, start_of};
use crate::routes::urlencode;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use righttrack_app::qa::review::InteractionView;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::interactions::SEVERITIES;
use righttrack_store::interactions::{Grouping, InteractionFilter, LedgerFilter};
use serde::Deserialize;
use serde_json::json;

/// The rules of the default pack that emit events (the review queue's rule filter).
fn pack_rules() -> &'static [String] {
    // Parsed once: the pack is embedded in the binary and does not change.
    static RULES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        righttrack_scan::RulePack::default_pack()
            .map(|p| {
                p.rules
                    .into_iter()
                    .filter(|r| r.emit)
                    .map(|r| r.id)
                    .collect()
            })
            .unwrap_or_default()
    })
}

struct Row {
    severity: &'static str,
    ext_id: String,
    started: String,
    channel: String,
    agent: String,
    team: String,
    score: i64,
    score_max: i64,
    rules: Vec<String>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    l: crate::pages::Layout,
    items: Vec<Row>,
    rules: Vec<String>,
    agent: String,
    team: String,
    rule: String,
    all: bool,
    severity: String,
    severities: Vec<String>,
    from: String,
    to: String,
    /// The query string of the next (older) page, when there may be one.
    next: Option<String>,
}

/// Rows per page of the review queue.
pub const PAGE: i64 = 100;

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    agent: Option<String>,
    team: Option<String>,
    rule: Option<String>,
    all: Option<String>,
    severity: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC).
    from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive.
    to: Option<String>,
    /// Paging cursor: `MILLIS~EXT_ID` of the last row shown.
    after: Option<String>,
}

pub async fn review(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Response> {
    let severity = nonempty(&q.severity).unwrap_or_default();
    let min_severity = match severity.as_str() {
        "" => None,
        s => Some(SEVERITIES.iter().position(|x| *x == s).ok_or_else(|| {
            AppError::bad_request("query `severity`: expected medium, high or critical")
        })? as i64),
    };
    let from = date(&q.from, "from")?.map(start_of).transpose()?;
    // The last day is inclusive: up to the start of the next.
    let to = date(&q.to, "to")?
        .and_then(|d| d.tomorrow().ok())
        .map(start_of)
        .transpose()?;
    let before = match nonempty(&q.after) {
        None => None,
        Some(c) => Some(
            c.split_once('~')
                .and_then(|(ms, id)| {
                    let t = jiff::Timestamp::from_millisecond(ms.parse().ok()?).ok()?;
                    Some((t, id.to_owned()))
                })
                .ok_or_else(|| AppError::bad_request("query `after`: not a paging cursor"))?,
        ),
    };
    let f = InteractionFilter {
        flagged_only: q.all.is_none(),
        agent_refs: None,
        agent_ref: nonempty(&q.agent),
        team_ref: nonempty(&q.team),
        rule: nonempty(&q.rule),
        min_severity,
        from,
        to,
        before,
        limit: PAGE,
    };
    let found = righttrack_app::qa::review::queue(&state, &caller, f.clone()).await?;
    let next = (found.len() as i64 == PAGE)
        .then(|| found.last())
        .flatten()
        .map(|last| {
            let mut qs = vec![format!(
                "after={}~{}",
                last.started_at.as_millisecond(),
                urlencode(&last.ext_id)
            )];
            for (k, v) in [
                ("agent", &q.agent),
                ("team", &q.team),
                ("rule", &q.rule),
                ("severity", &q.severity),
                ("from", &q.from),
                ("to", &q.to),
                ("all", &q.all),
            ] {
                if let Some(v) = nonempty(v) {
                    qs.push(format!("{k}={}", urlencode(&v)));
                }
            }
            qs.join("&")
        });
    let items = found
        .into_iter()
        .map(|i| Row {
            severity: SEVERITIES
                .get(usize::try_from(i.severity).unwrap_or(0))
                .copied()
                .unwrap_or("none"),
            started: righttrack_core::clock::minute(i.started_at),
            team: i.team_ref.unwrap_or_default(),
            ext_id: i.ext_id,
            channel: i.channel,
            agent: i.agent_ref,
            score: i.score,
            score_max: i.score_max,
            rules: i.rules,
        })
        .collect();
    Ok(render(ReviewPage {
        l: layout(Some(&caller), "Review queue", "/qa/review"),
        items,
        rules: pack_rules().to_vec(),
        agent: f.agent_ref.unwrap_or_default(),
        team: f.team_ref.unwrap_or_default(),
        rule: f.rule.unwrap_or_default(),
        all: q.all.is_some(),
        severity,
        severities: SEVERITIES[1..].iter().map(|s| s.to_string()).collect(),
        from: nonempty(&q.from).unwrap_or_default(),
        to: nonempty(&q.to).unwrap_or_default(),
        next,
    }))
}

struct ItemView {
    /// The override in force, described ("met, by quinn: reason").
    overridden: Option<String>,
    /// The item's latest dispute, described.
    dispute: Option<DisputeNote>,
    /// The caller is the agent and may dispute this item now.
    may_dispute: bool,
    item: String,
    /// What the item asks of the agent, in words (the rule pack's description).
    description: String,
    points: u64,
    max: u64,
    na: bool,
    critical: bool,
    reasons: Vec<String>,
}

struct DisputeNote {
    /// CSS class: notice (accepted) or alert (anything else).
    class: &'static str,
    text: String,
}

fn dispute_note(d: &righttrack_store::disputes::Dispute) -> DisputeNote {
    let t = righttrack_core::clock::minute;
    let opened = format!("Disputed {} UTC: “{}” ·", t(d.opened_at), d.reason);
    match (d.status, &d.outcome) {
        ("resolved", Some(outcome)) => DisputeNote {
            class: if outcome == "accepted" {
                "notice"
            } else {
                "alert"
            },
            text: format!(
                "{opened} Dispute {outcome} by {} on {} UTC: {}",
                d.resolved_by.as_deref().unwrap_or_default(),
                d.resolved_at.map(t).unwrap_or_default(),
                d.resolution.as_deref().unwrap_or_default()
            ),
        },
        (status, _) => DisputeNote {
            class: "alert",
            text: format!(
                "{opened} Dispute {status}, {}, due {} UTC.",
                match &d.assignee {
                    Some(a) => format!("assigned to {a}"),
                    None => "not assigned yet (no eligible QA analyst)".to_owned(),
                },
                t(d.due_at)
            ),
        },
    }
}

#[derive(Template)]
#[template(path = "interaction.html")]
struct InteractionPage {
    l: crate::pages::Layout,
    id: String,
    channel: String,
    agent: String,
    started: String,
    score: i64,
    score_max: i64,
    critical_failed: bool,
    original_score: u64,
    may_override: bool,
    /// The coaching form filled with this agent and interaction, for a lead who may
    /// coach (empty otherwise); a scorecard item is appended per row.
    coach_link: String,
    history: Vec<String>,
    items: Vec<ItemView>,
    /// Why the agent can no longer dispute (the window closed), if so.
    dispute_closed: String,
    disputes: Vec<righttrack_app::qa::disputes::Row>,
    turns: Vec<super::Turn>,
    commitments: Vec<String>,
    /// Context about the contact (a hostile customer), never scored.
    context: Vec<String>,
    vault: Option<righttrack_app::interactions::vault::VaultView>,
    feedback: Option<righttrack_app::qa::feedback::FeedbackView>,
}

pub async fn interaction(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = righttrack_app::qa::review::interaction(&state, &caller, &id).await?;
    Ok(interaction_page(&caller, v))
}

/// An agent's own interaction. Anyone else's is "not found", not "forbidden": an agent
/// learns nothing about which ids exist.
pub async fn my_interaction(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = righttrack_app::qa::review::my_interaction(&state, &caller, &id).await?;
    Ok(interaction_page(&caller, v))
}

fn interaction_page(caller: &Caller, v: InteractionView) -> Response {
    let InteractionView {
        interaction: i,
        disputes,
        overrides,
        own,
        window_open,
        may_override,
        dispute_closed,
        vault,
        feedback,
    } = v;
    let f = &i.findings;
    let latest = |item: &str| {
        disputes
            .iter()
            .filter(|d| d.item == item)
            .max_by_key(|d| (d.opened_at, d.id.clone()))
    };
    let history: Vec<String> = overrides
        .iter()
        .map(|o| {
            format!(
                "{} UTC: {} set {} to {}: {}",
                o.at.strftime("%Y-%m-%d %H:%M"),
                o.by_user,
                o.item,
                if o.failed { "failed" } else { "met" },
                o.justification
            )
        })
        .collect();
    let in_force: std::collections::BTreeMap<
        String,
        &righttrack_store::interactions::ScoreOverride,
    > = overrides.iter().map(|o| (o.item.clone(), o)).collect();
    let event_turns: Vec<u64> = f["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["kind"] != "commitment")
                .filter_map(|e| e["turn"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    let items = f["scorecard"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|it| ItemView {
                    dispute: latest(it["item"].as_str().unwrap_or_default()).map(dispute_note),
                    may_dispute: own
                        && window_open
                        && !it["na"].as_bool().unwrap_or(false)
                        && latest(it["item"].as_str().unwrap_or_default())
                            .is_none_or(|d| d.status == "resolved"),
                    overridden: in_force
                        .get(it["item"].as_str().unwrap_or_default())
                        .map(|o| {
                            format!(
                                "Overridden to {} by {}: {}",
                                if o.failed { "failed" } else { "met" },
                                o.by_user,
                                o.justification
                            )
                        }),
                    item: s(&it["item"]),
                    description: righttrack_app::qa::calibration::pack_items()
                        .iter()
                        .find(|p| p.id == s(&it["item"]))
                        .map(|p| p.description.clone())
                        .unwrap_or_default(),
                    points: it["points"].as_u64().unwrap_or(0),
                    max: it["max"].as_u64().unwrap_or(0),
                    na: it["na"].as_bool().unwrap_or(false),
                    critical: it["critical"].as_bool().unwrap_or(false),
                    reasons: it["evidence"]
                        .as_array()
                        .map(|ev| {
                            ev.iter()
                                .map(|e| {
                                    format!(
                                        "{} in turn {}: “{}”",
                                        s(&e["rule"]),
                                        e["turn"].as_u64().unwrap_or(0) + 1,
                                        s(&e["evidence"])
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let turns = super::turns(&i.interaction["turns"], |n| {
        event_turns.contains(&(n as u64))
    });
    let commitments = f["commitments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "Turn {}: “{}” — due {}",
                        c["turn"].as_u64().unwrap_or(0) + 1,
                        s(&c["text"]),
                        s(&c["due"])
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(InteractionPage {
        l: layout(Some(caller), &format!("Interaction {}", i.ext_id), ""),
        id: i.ext_id.clone(),
        channel: i.channel.clone(),
        agent: i.agent_ref.clone(),
        started: righttrack_core::clock::minute(i.started_at),
        score: i.score,
        score_max: i.score_max,
        critical_failed: f["scorecard"]["critical_failed"].as_bool().unwrap_or(false),
        original_score: f["score"]["value"].as_u64().unwrap_or(0),
        may_override,
        coach_link: if allowed(&caller.user.roles, Action::CoachingRecord) {
            format!(
                "/coaching?agent={}&interaction={}",
                urlencode(&i.agent_ref),
                urlencode(&i.ext_id)
            )
        } else {
            String::new()
        },
        history,
        items,
        dispute_closed,
        disputes: disputes
            .into_iter()
            .map(righttrack_app::qa::disputes::Row::from)
            .collect(),
        turns,
        commitments,
        context: f["context"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| match e["kind"].as_str() {
                        Some("context.hostile_customer") => format!(
                            "The customer was hostile in turn {}: a difficult contact in the fairness analytics, never counted against the agent.",
                            e["turn"].as_u64().unwrap_or(0) + 1
                        ),
                        _ => format!(
                            "{} in turn {}",
                            s(&e["rule"]),
                            e["turn"].as_u64().unwrap_or(0) + 1
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        vault,
        feedback,
    })
}

impl LedgerRow {
    fn from(c: righttrack_store::interactions::CommitmentRow, may_fulfil: bool) -> Self {
        LedgerRow {
            due: c
                .due
                .map(|d| d.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "—".into()),
            can_fulfil: may_fulfil && matches!(c.status, "open" | "overdue"),
            id: c.id,
            agent: c.agent_ref,
            text: c.text,
            interaction: c.interaction,
            turn: c.turn,
            status: c.status,
        }
    }
}

struct LedgerRow {
    id: String,
    due: String,
    agent: String,
    text: String,
    interaction: String,
    turn: i64,
    status: &'static str,
    can_fulfil: bool,
}

#[derive(Template)]
#[template(path = "commitments.html")]
struct CommitmentsPage {
    l: crate::pages::Layout,
    rows: Vec<LedgerRow>,
    status: String,
    status_label: String,
    statuses: Vec<(String, String)>,
    agent: String,
    team: String,
    /// Kept rates per team, or per agent within the chosen team.
    rates: Vec<RateRow>,
    rates_by: &'static str,
}

struct RateRow {
    key: String,
    kept: i64,
    broken: i64,
    overdue: i64,
    open: i64,
    rate: String,
    /// Below the target: highlighted.
    low: bool,
}

impl RateRow {
    fn from(r: righttrack_store::interactions::KeptRate) -> Self {
        RateRow {
            rate: r
                .kept_rate
                .map(|x| format!("{:.1}%", x * 100.0))
                .unwrap_or_else(|| "—".into()),
            low: r.kept_rate.is_some_and(|x| x < KEPT_RATE_TARGET),
            key: if r.key.is_empty() {
                "(no team)".into()
            } else {
                r.key
            },
            kept: r.kept,
            broken: r.broken,
            overdue: r.overdue,
            open: r.open,
        }
    }
}

/// Kept rates under this are highlighted on the ledger.
pub const KEPT_RATE_TARGET: f64 = 0.9;
/// The period kept rates are computed over.
pub use righttrack_app::qa::review::KEPT_RATE_DAYS;

#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    status: Option<String>,
    agent: Option<String>,
    team: Option<String>,
}

pub async fn commitments(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<LedgerQuery>,
) -> AppResult<Response> {
    let status_name = nonempty(&q.status).unwrap_or_else(|| "overdue".into());
    let status = righttrack_app::interactions::parse_status(Some(&status_name))?;
    let may_fulfil = allowed(&caller.user.roles, Action::CommitmentFulfil);
    let f = LedgerFilter {
        status,
        agent_ref: nonempty(&q.agent),
        team_ref: nonempty(&q.team),
        limit: 500,
    };
    let rows = righttrack_app::interactions::commitments::list(&state, &f)
        .await?
        .into_iter()
        .map(|c| LedgerRow::from(c, may_fulfil))
        .collect();
    let (by, rates_by) = match &f.team_ref {
        Some(_) => (Grouping::Agent, "agent"),
        None => (Grouping::Team, "team"),
    };
    let (_, rates) = righttrack_app::interactions::commitments::kept_rates(
        &state,
        by,
        KEPT_RATE_DAYS,
        f.team_ref.as_deref(),
    )
    .await?;
    let rates = rates.into_iter().map(RateRow::from).collect();
    Ok(render(CommitmentsPage {
        l: layout(Some(&caller), "Commitments", "/commitments"),
        rows,
        statuses: [
            ("overdue", "overdue"),
            ("due_soon", "due soon"),
            ("open", "open"),
            ("kept", "kept"),
            ("broken", "broken"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec(),
        status_label: status_name.replace('_', " "),
        status: status_name,
        agent: f.agent_ref.unwrap_or_default(),
        team: f.team_ref.unwrap_or_default(),
        rates,
        rates_by,
    }))
}

pub async fn fulfil(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !righttrack_app::interactions::commitments::fulfil(
        &state,
        &caller,
        &id,
        json!({"via": "web"}),
    )
    .await?
    {
        return Err(AppError::new(
            crate::error::Code::Conflict,
            "That commitment is no longer open.",
        ));
    }
    Ok(Redirect::to("/commitments?status=kept").into_response())
}

struct MyRow {
    ext_id: String,
    started: String,
    channel: String,
    score: i64,
    score_max: i64,
    rules: Vec<String>,
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    l: crate::pages::Layout,
    items: Vec<MyRow>,
    open: Vec<LedgerRow>,
    kept: Option<RateRow>,
    disputes: Vec<righttrack_app::qa::disputes::Row>,
}

/// An agent's own recent interactions with their scores, and their open promises.
/// Interactions are matched to people by `agent_id` = RightTrack username.
pub async fn my_work(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let w = righttrack_app::qa::review::my_work(&state, &caller).await?;
    let items = w
        .items
        .into_iter()
        .map(|i| MyRow {
            started: righttrack_core::clock::minute(i.started_at),
            ext_id: i.ext_id,
            channel: i.channel,
            score: i.score,
            score_max: i.score_max,
            rules: i.rules,
        })
        .collect();
    let open = w
        .open
        .into_iter()
        .map(|c| LedgerRow::from(c, false))
        .collect();
    let kept = w.kept.map(RateRow::from);
    let disputes = w.disputes;
    Ok(render(MyWorkPage {
        l: layout(Some(&caller), "My work", "/my/work"),
        items,
        open,
        kept,
        disputes,
    }))
}

/// A QA analyst overrides one scorecard item (met or failed) with a justification.
/// The original finding stays; the override joins the item's history and the
/// interaction's effective score is recomputed by the engine's rule.
pub async fn override_item(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: crate::pages::FormData,
) -> AppResult<Response> {
    righttrack_app::qa::review::override_item(
        &state,
        &caller,
        &id,
        &righttrack_app::qa::review::Override {
            item: form.get("item"),
            outcome: form.get("outcome"),
            justification: form.get("justification"),
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/interactions/{id}")).into_response())
}
