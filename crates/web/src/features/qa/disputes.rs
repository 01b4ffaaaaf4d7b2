//! Scorecard disputes over HTTP: the agent's form, the analyst's queue, detail page and
//! resolution form, and the API list.
//!
//! Opening, routing and resolving are use cases in `righttrack_app::qa::disputes` (the
//! demo seeder runs them too); these handlers parse the form, call them and render.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_app::qa::disputes::{active_analysts, items_of, open, resolve, Decision, Row};
use righttrack_core::disputes as rules;
use righttrack_store::disputes::{Dispute, DisputeFilter, DisputeStatus};
use serde::Deserialize;
use serde_json::{json, Value};

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
    /// Disclosed colleague relationships between the viewer and the agent .
    relations: Vec<righttrack_app::program::conflicts::RelationNotice>,
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
            righttrack_app::program::conflicts::colleague_relations_between(
                &state,
                caller.user.id,
                agent.id,
            )
            .await?
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
