//! Scorecard disputes: an agent contests one item of their own interaction, a QA analyst
//! other than the original evaluator resolves it (`core::disputes` holds the rules).
//!
//! An accepted dispute reverses the item through an ordinary score override (justified
//! "Dispute accepted: …"), so the override history stays the one source of the effective
//! score, and may add the redacted turn its evidence was matched in as a "should not
//! fire" example of the rule (`righttrack rules export-examples`). Opening, assignment and resolution are
//! audited; reasons and notes are scrubbed before storage and never audited.

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use jiff::Timestamp;
use righttrack_core::disputes::{self as rules, Analyst, Outcome};
use righttrack_core::Role;
use righttrack_store::disputes::{
    Dispute, DisputeFilter, DisputeStatus, NewDispute, Resolution, RuleExample,
};
use righttrack_store::interactions::{ScoreOverride, StoredInteraction};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

fn items_of(i: &StoredInteraction) -> AppResult<Vec<righttrack_scan::ItemResult>> {
    serde_json::from_value(i.findings["scorecard"]["items"].clone())
        .map_err(|e| AppError::internal(&e))
}

/// The analyst whose override of `item` is in force, if any.
async fn evaluator(state: &AppState, ext_id: &str, item: &str) -> AppResult<Option<String>> {
    Ok(state
        .db
        .score_overrides(ext_id)
        .await?
        .into_iter()
        .rfind(|o| o.item == item)
        .map(|o| o.by_user))
}

/// Usernames of the active QA analysts.
async fn active_analysts(state: &AppState) -> AppResult<Vec<String>> {
    Ok(state
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.has(Role::QaAnalyst) && !u.disabled)
        .map(|u| u.username)
        .collect())
}

/// Opens a dispute of `item` on `agent`'s interaction `ext_id` at `now`, routes it and
/// audits both steps. Returns the dispute id.
pub async fn open(
    state: &AppState,
    agent: &str,
    ext_id: &str,
    item: &str,
    reason: &str,
    now: Timestamp,
) -> AppResult<String> {
    let Some(i) = state.db.interaction(ext_id).await? else {
        return Err(AppError::not_found());
    };
    if i.agent_ref != agent {
        // Someone else's interaction does not exist, as on the page.
        return Err(AppError::not_found());
    }
    if !items_of(&i)?.iter().any(|it| it.item == item && !it.na) {
        return Err(AppError::unprocessable(
            "field `item`: not an applicable item of this scorecard",
        ));
    }
    let reason = rules::check_text(reason)
        .map_err(|e| AppError::unprocessable(format!("field `reason`: {e}")))?;
    if !rules::may_open(i.ingested_at, now) {
        return Err(AppError::unprocessable(window_closed(i.ingested_at)));
    }
    let reason = righttrack_core::interactions::scrub(
        &*state.engine().map_err(|e| AppError::internal(&e))?,
        reason,
    );
    let evaluator = evaluator(state, ext_id, item).await?;
    let counts: BTreeMap<String, i64> = state.db.open_dispute_counts().await?.into_iter().collect();
    let names = active_analysts(state).await?;
    let analysts: Vec<Analyst> = names
        .iter()
        .map(|n| Analyst {
            username: n,
            open_disputes: counts.get(n).copied().unwrap_or(0).try_into().unwrap_or(0),
        })
        .collect();
    let assignee = rules::route(&analysts, agent, evaluator.as_deref()).map(str::to_owned);
    let id = state
        .db
        .open_dispute(
            &NewDispute {
                interaction: ext_id.to_owned(),
                item: item.to_owned(),
                agent_ref: agent.to_owned(),
                reason,
                evaluator: evaluator.clone(),
                assignee: assignee.clone(),
                opened_at: now,
                due_at: rules::due(now),
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    state
        .audit(
            agent,
            "dispute.opened",
            &id,
            json!({"interaction": ext_id, "item": item}),
        )
        .await?;
    state
        .audit(
            "system",
            "dispute.assigned",
            &id,
            json!({"assignee": assignee, "evaluator": evaluator}),
        )
        .await?;
    Ok(id)
}

pub(crate) fn window_closed(scored: Timestamp) -> String {
    let until = scored.checked_add(rules::WINDOW).unwrap_or(scored);
    format!(
        "Items can be disputed for {} days after scoring; this interaction was scored on {} UTC, so disputes closed on {} UTC.",
        rules::WINDOW.as_hours() / 24,
        day(scored),
        day(until)
    )
}

/// What an analyst decided.
pub struct Decision<'a> {
    pub outcome: &'a str,
    pub note: &'a str,
    /// Rules to add the item's evidence to as "should not fire" examples.
    pub examples: Vec<String>,
}

/// Resolves dispute `id` as `resolver` at `now`. An accepted dispute reverses the item
/// with a score override and may add rule examples. Audited.
pub async fn resolve(
    state: &AppState,
    resolver: &str,
    id: &str,
    d: Decision<'_>,
    now: Timestamp,
) -> AppResult<()> {
    let Some(dispute) = state.db.dispute(id, now).await? else {
        return Err(AppError::not_found());
    };
    if dispute.status == "resolved" {
        return Err(AppError::new(
            Code::Conflict,
            "This dispute is already resolved.",
        ));
    }
    let assignee_active = match &dispute.assignee {
        Some(a) => active_analysts(state).await?.contains(a),
        None => false,
    };
    rules::may_resolve(
        resolver,
        &dispute.agent_ref,
        dispute.evaluator.as_deref(),
        dispute.assignee.as_deref(),
        assignee_active,
    )
    .map_err(|r| AppError::new(Code::Forbidden, format!("You cannot resolve this: {r}.")))?;
    let outcome = Outcome::parse(d.outcome)
        .ok_or_else(|| AppError::unprocessable("field `outcome`: expected upheld or accepted"))?;
    let note = rules::check_text(d.note)
        .map_err(|e| AppError::unprocessable(format!("field `note`: {e}")))?;
    if outcome == Outcome::Upheld && !d.examples.is_empty() {
        return Err(AppError::unprocessable(
            "field `example`: only an accepted dispute adds rule examples",
        ));
    }
    let Some(i) = state.db.interaction(&dispute.interaction).await? else {
        return Err(AppError::not_found());
    };
    let items = items_of(&i)?;
    let Some(target) = items.iter().find(|it| it.item == dispute.item) else {
        return Err(AppError::internal(
            &"disputed item missing from its scorecard",
        ));
    };
    let mut examples = Vec::new();
    for rule in &d.examples {
        // The redacted turn the rule fired in: the matched phrase alone would fire on
        // any pack, the sentence around it is what a rules author can work with.
        let mut texts: Vec<String> = Vec::new();
        for e in target.evidence.iter().filter(|e| &e.rule == rule) {
            let turn = i.interaction["turns"][e.turn]["text"]
                .as_str()
                .unwrap_or(&e.evidence);
            let t = turn.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() && !texts.contains(&t) {
                texts.push(t);
            }
        }
        if texts.is_empty() {
            return Err(AppError::unprocessable(
                "field `example`: that rule has no evidence in this item",
            ));
        }
        examples.extend(texts.into_iter().map(|text| RuleExample {
            rule: rule.clone(),
            text,
            channel: i.channel.clone(),
            dispute: Some(id.to_owned()),
            added_by: resolver.to_owned(),
            at: now,
        }));
    }
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let note = righttrack_core::interactions::scrub(&engine, note);
    let mut accepted = None;
    if outcome == Outcome::Accepted {
        let mut in_force: BTreeMap<String, bool> = state
            .db
            .score_overrides(&i.ext_id)
            .await?
            .into_iter()
            .map(|o| (o.item, o.failed))
            .collect();
        let failed = !in_force.get(&target.item).copied().unwrap_or(target.failed);
        in_force.insert(target.item.clone(), failed);
        let (score, _) = righttrack_core::interactions::rescore(&items, &in_force);
        accepted = Some((
            ScoreOverride {
                item: target.item.clone(),
                failed,
                justification: format!("Dispute accepted: {note}"),
                by_user: resolver.to_owned(),
                at: now,
            },
            score,
        ));
    }
    let done = state
        .db
        .resolve_dispute(
            id,
            &Resolution {
                outcome: outcome.as_str().to_owned(),
                note,
                by_user: resolver.to_owned(),
                at: now,
            },
            accepted.as_ref().map(|(o, s)| (o, *s)),
            &examples,
            &mut rand::rngs::OsRng,
        )
        .await?;
    if !done {
        return Err(AppError::new(
            Code::Conflict,
            "This dispute is already resolved.",
        ));
    }
    if let Some((o, score)) = &accepted {
        state
            .audit(
                resolver,
                "score.overridden",
                &i.ext_id,
                json!({"item": o.item, "failed": o.failed, "score_from": i.score, "score_to": score, "dispute": id}),
            )
            .await?;
    }
    state
        .audit(
            resolver,
            "dispute.resolved",
            id,
            json!({
                "outcome": outcome.as_str(),
                "interaction": i.ext_id,
                "item": dispute.item,
                "rule_examples": examples.len(),
            }),
        )
        .await?;
    Ok(())
}

/// `POST /my/interactions/{id}/disputes`: the agent's form.
pub async fn open_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let now = state.now();
    open(
        &state,
        &caller.user.username,
        &id,
        &form.get("item"),
        &form.get("reason"),
        now,
    )
    .await?;
    Ok(Redirect::to(&format!("/my/interactions/{id}#disputes")).into_response())
}

/// `POST /qa/disputes/{id}/resolve`: the analyst's form.
pub async fn resolve_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let now = state.now();
    let outcome = form.get("outcome");
    let note = form.get("note");
    resolve(
        &state,
        &caller.user.username,
        &id,
        Decision {
            outcome: &outcome,
            note: &note,
            examples: form.all("example"),
        },
        now,
    )
    .await?;
    Ok(Redirect::to(&format!("/qa/disputes/{id}")).into_response())
}

/// One dispute as a table row.
pub struct Row {
    pub id: String,
    pub interaction: String,
    pub item: String,
    pub agent: String,
    pub assignee: String,
    pub opened: String,
    pub due: String,
    pub status: &'static str,
    pub outcome: String,
    pub reason: String,
    pub resolution: String,
}

impl Row {
    pub fn from(d: Dispute) -> Self {
        Row {
            opened: day(d.opened_at),
            due: day(d.due_at),
            assignee: d.assignee.unwrap_or_else(|| "unassigned".into()),
            outcome: d.outcome.unwrap_or_default(),
            resolution: d.resolution.unwrap_or_default(),
            id: d.id,
            interaction: d.interaction,
            item: d.item,
            agent: d.agent_ref,
            status: d.status,
            reason: d.reason,
        }
    }
}

#[derive(Template)]
#[template(path = "disputes.html")]
struct QueuePage {
    l: crate::pages::Layout,
    mine: Vec<Row>,
    open: Vec<Row>,
    resolved: Vec<Row>,
}

fn filter(status: DisputeStatus, assignee: Option<String>, limit: i64) -> DisputeFilter {
    DisputeFilter {
        status: Some(status),
        assignee,
        limit,
        ..Default::default()
    }
}

/// `GET /qa/disputes`: assigned to me, all open (overdue first), recently resolved.
pub async fn queue(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let now = state.now();
    let me = caller.user.username.clone();
    let rows = |v: Vec<Dispute>| v.into_iter().map(Row::from).collect::<Vec<_>>();
    let mine = rows(
        state
            .db
            .disputes(&filter(DisputeStatus::Open, Some(me), 200), now)
            .await?,
    );
    let open = rows(
        state
            .db
            .disputes(&filter(DisputeStatus::Open, None, 500), now)
            .await?,
    );
    let resolved = rows(
        state
            .db
            .disputes(&filter(DisputeStatus::Resolved, None, 50), now)
            .await?,
    );
    Ok(render(QueuePage {
        l: layout(Some(&caller), "Disputes", "/qa/disputes"),
        mine,
        open,
        resolved,
    }))
}

struct TurnView {
    n: usize,
    speaker: String,
    text: String,
    flagged: bool,
}

#[derive(Template)]
#[template(path = "dispute.html")]
struct DetailPage {
    l: crate::pages::Layout,
    d: Row,
    channel: String,
    evaluator: String,
    points: String,
    critical: bool,
    evidence: Vec<String>,
    /// Rules with evidence in this item, offered as negative examples.
    rules: Vec<String>,
    turns: Vec<TurnView>,
    may_resolve: bool,
    why_not: String,
    /// Disclosed colleague relationships between the viewer and the agent (issue 9).
    relations: Vec<crate::conflicts::RelationNotice>,
}

/// `GET /qa/disputes/{id}`: the transcript, the item and its evidence, the reason, and
/// the resolution form for whoever may resolve it.
pub async fn detail(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let now = state.now();
    let Some(d) = state.db.dispute(&id, now).await? else {
        return Err(AppError::not_found());
    };
    let Some(i) = state.db.interaction(&d.interaction).await? else {
        return Err(AppError::not_found());
    };
    state
        .audit(
            &caller.actor(),
            "interaction.viewed",
            &i.ext_id,
            json!({"via": "dispute"}),
        )
        .await?;
    let items = items_of(&i)?;
    let it = items.iter().find(|x| x.item == d.item);
    let mut rules_with_evidence: Vec<String> = Vec::new();
    let mut flagged_turns = Vec::new();
    let evidence = it
        .map(|x| {
            x.evidence
                .iter()
                .map(|e| {
                    if !e.evidence.trim().is_empty() && !rules_with_evidence.contains(&e.rule) {
                        rules_with_evidence.push(e.rule.clone());
                    }
                    flagged_turns.push(e.turn);
                    format!("{} in turn {}: “{}”", e.rule, e.turn + 1, e.evidence)
                })
                .collect()
        })
        .unwrap_or_default();
    let turns = i.interaction["turns"]
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(n, t)| TurnView {
                    n,
                    speaker: t["speaker"].as_str().unwrap_or_default().to_owned(),
                    text: t["text"].as_str().unwrap_or_default().to_owned(),
                    flagged: flagged_turns.contains(&n),
                })
                .collect()
        })
        .unwrap_or_default();
    let assignee_active = match &d.assignee {
        Some(a) => active_analysts(&state).await?.contains(a),
        None => false,
    };
    let check = rules::may_resolve(
        &caller.user.username,
        &d.agent_ref,
        d.evaluator.as_deref(),
        d.assignee.as_deref(),
        assignee_active,
    );
    let relations = match state.db.user_by_username(&d.agent_ref).await? {
        Some(agent) => {
            crate::conflicts::colleague_relations_between(&state, caller.user.id, agent.id).await?
        }
        None => Vec::new(),
    };
    let open = d.status != "resolved";
    let may =
        open && righttrack_core::authz::allowed(
            &caller.user.roles,
            righttrack_core::Action::DisputeResolve,
        ) && check.is_ok();
    Ok(render(DetailPage {
        l: layout(Some(&caller), &format!("Dispute of {}", d.item), ""),
        channel: i.channel.clone(),
        evaluator: d
            .evaluator
            .clone()
            .unwrap_or_else(|| "the automated review".into()),
        points: it
            .map(|x| {
                if x.na {
                    "n/a".to_owned()
                } else {
                    format!("{}/{}", x.points, x.max)
                }
            })
            .unwrap_or_default(),
        critical: it.is_some_and(|x| x.critical),
        evidence,
        rules: rules_with_evidence,
        turns,
        may_resolve: may,
        relations,
        why_not: match check {
            Err(r) if open => format!("You cannot resolve this dispute: {r}."),
            _ => String::new(),
        },
        d: Row::from(d),
    }))
}

#[derive(Debug, Deserialize)]
pub struct ApiQuery {
    status: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/disputes?status=open|resolved|overdue`.
pub async fn api_list(
    State(state): State<AppState>,
    Query(q): Query<ApiQuery>,
) -> AppResult<Json<Value>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(DisputeStatus::parse(s).ok_or_else(|| {
            AppError::bad_request("query `status`: expected open, resolved or overdue")
        })?),
    };
    let rows = state
        .db
        .disputes(
            &DisputeFilter {
                status,
                limit: q.limit.unwrap_or(100),
                ..Default::default()
            },
            state.now(),
        )
        .await?;
    Ok(Json(json!({ "disputes": rows })))
}
