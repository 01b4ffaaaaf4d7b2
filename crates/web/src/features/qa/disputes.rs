//! Scorecard disputes over HTTP: the agent's form, the analyst's queue, detail page and
//! resolution form, and the API list.
//!
//! Opening, routing and resolving are use cases in `righttrack_app::qa::disputes` (the
//! demo seeder runs them too); these handlers parse the form, call them and render.

use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::qa::disputes::{
    detail as detail_of, list, open, resolve, Decision, Detail, Row,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// `POST /my/interactions/{id}/disputes`: the agent's form.
pub async fn open_form(
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
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

/// `GET /qa/disputes`: assigned to me, all open (overdue first), recently resolved.
pub async fn queue(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let q = righttrack_app::qa::disputes::queue(&state, &caller).await?;
    Ok(render(QueuePage {
        l: layout(Some(&caller), "Disputes", "/qa/disputes"),
        mine: q.mine,
        open: q.open,
        resolved: q.resolved,
    }))
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
    turns: Vec<super::Turn>,
    may_resolve: bool,
    why_not: String,
    /// Disclosed colleague relationships between the viewer and the agent .
    relations: Vec<righttrack_app::program::conflicts::RelationNotice>,
}

/// `GET /qa/disputes/{id}`: the transcript, the item and its evidence, the reason, and
/// the resolution form for whoever may resolve it.
pub async fn detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let Detail {
        dispute: d,
        interaction: i,
        item,
        may_resolve,
        why_not,
        relations,
    } = detail_of(&state, &caller, &id).await?;
    let it = item.as_ref();
    let mut rules_with_evidence: Vec<String> = Vec::new();
    let mut flagged_turns = Vec::new();
    let evidence = it
        .map(|x| {
            x.evidence
                .iter()
                .map(|e| {
                    if !e.evidence.trim().is_empty()
                        && !rules_with_evidence.contains(&e.rule)
                        && righttrack_app::qa::disputes::takes_examples(&e.rule)
                    {
                        rules_with_evidence.push(e.rule.clone());
                    }
                    flagged_turns.push(e.turn);
                    format!("{} in turn {}: “{}”", e.rule, e.turn + 1, e.evidence)
                })
                .collect()
        })
        .unwrap_or_default();
    let turns = super::turns(&i.interaction["turns"], |n| flagged_turns.contains(&n));
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
        may_resolve,
        relations,
        why_not,
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
    let rows = list(&state, q.status.as_deref(), q.limit).await?;
    Ok(Json(json!({ "disputes": rows })))
}
