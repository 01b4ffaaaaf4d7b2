//! Interactions and the commitments ledger over HTTP.
//!
//! `POST /api/v1/interactions` takes one interaction (`application/json`) or a batch
//! (`application/x-ndjson`, one per line). Each good line is scanned, redacted and
//! stored; each bad line gets an error naming its line and field, never its content
//! (a bad line may hold a card number). Scanning runs on the blocking pool so the async
//! workers keep serving. The batch is stored in one transaction before the response is
//! sent: an acknowledged interaction is durable.

use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query, SignedIn};
use crate::params::nonempty;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use righttrack_app::interactions;
use righttrack_store::interactions::{Grouping, LedgerFilter, Outcome};
use serde::Deserialize;
use serde_json::{json, Value};

/// Lines per request; larger loads are split by the client (or use `righttrack import`).
pub const MAX_LINES: usize = 10_000;
/// Request body limit for ingestion.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

pub async fn ingest(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match ingest_inner(&state, &headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn ingest_inner(state: &AppState, headers: &HeaderMap, body: Bytes) -> AppResult<Response> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ndjson = ctype.starts_with("application/x-ndjson")
        || ctype.starts_with("application/jsonl")
        || ctype.starts_with("application/ndjson");
    if !ndjson && !ctype.starts_with("application/json") {
        return Err(AppError::bad_request("Content-Type must be application/json (one interaction) or application/x-ndjson (one per line)."));
    }
    let text = std::str::from_utf8(&body).map_err(|e| {
        AppError::bad_request(format!("the body is not UTF-8 (byte {})", e.valid_up_to()))
    })?;
    let lines: Vec<(usize, String)> = if ndjson {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l.to_owned()))
            .collect()
    } else {
        vec![(1, text.to_owned())]
    };
    if lines.len() > MAX_LINES {
        return Err(AppError::new(
            Code::PayloadTooLarge,
            format!("at most {MAX_LINES} interactions per request; split the batch"),
        ));
    }
    righttrack_app::program::conflicts::ensure_key(state).await?;
    let done = interactions::ingest(state, lines).await?;

    let mut errors: Vec<Value> = done
        .rejected
        .iter()
        .map(|(n, msg)| json!({"line": n, "message": msg}))
        .collect();
    let count = |k: Outcome| done.prepared.iter().filter(|(_, _, o)| *o == k).count();
    let stored = count(Outcome::Stored);
    for (n, p, o) in &done.prepared {
        if *o == Outcome::Conflict {
            errors.push(json!({"line": n, "id": p.ext_id, "message": interactions::conflict_message(&p.ext_id)}));
        }
    }
    let results: Vec<Value> = done
        .prepared
        .iter()
        .map(|(n, p, o)| json!({"line": n, "id": p.ext_id, "status": o, "score": {"value": p.score, "max": p.score_max}, "flagged": p.flagged}))
        .collect();
    let body = json!({
        "received": done.prepared.len() + errors.len() - count(Outcome::Conflict),
        "stored": stored,
        "duplicates": count(Outcome::Duplicate),
        "conflicts": count(Outcome::Conflict),
        "errors": errors,
        "results": results,
    });
    if done.prepared.is_empty() && !errors.is_empty() {
        let first = errors[0]["message"].as_str().unwrap_or("").to_owned();
        let line = errors[0]["line"].as_u64().unwrap_or(0);
        let mut b = body;
        b["code"] = json!(Code::BadRequest.as_str());
        b["message"] = json!(format!("line {line}: {first}"));
        return Ok((StatusCode::BAD_REQUEST, Json(b)).into_response());
    }
    Ok((StatusCode::OK, Json(body)).into_response())
}

pub async fn get(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let i = righttrack_app::qa::review::read(&state, &caller, &id, json!({})).await?;
    let mut v = serde_json::to_value(&i).map_err(|e| AppError::internal(&e))?;
    v["score"] = json!({"value": i.score, "max": i.score_max});
    if let Some(o) = v.as_object_mut() {
        o.remove("score_max");
    }
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
pub struct LedgerQuery {
    pub status: Option<String>,
    pub agent: Option<String>,
    pub team: Option<String>,
    pub limit: Option<i64>,
}

pub async fn commitments(
    State(state): State<AppState>,
    Query(q): Query<LedgerQuery>,
) -> AppResult<Json<Value>> {
    let f = LedgerFilter {
        status: interactions::parse_status(q.status.as_deref())?,
        agent_ref: nonempty(&q.agent),
        team_ref: nonempty(&q.team),
        limit: q.limit.unwrap_or(100),
    };
    let rows = interactions::commitments::list(&state, &f).await?;
    Ok(Json(json!({ "commitments": rows })))
}

#[derive(Debug, Deserialize)]
pub struct RatesQuery {
    pub by: Option<String>,
    pub team: Option<String>,
    pub days: Option<i64>,
}

/// Kept rate per agent or team: `GET /api/v1/commitments/kept-rates?by=team|agent&team=&days=90`.
pub async fn kept_rates(
    State(state): State<AppState>,
    Query(q): Query<RatesQuery>,
) -> AppResult<Json<Value>> {
    let by = match q.by.as_deref().map(str::trim) {
        None | Some("") | Some("team") => Grouping::Team,
        Some("agent") => Grouping::Agent,
        Some(_) => return Err(AppError::bad_request("query `by`: expected team or agent")),
    };
    let team = nonempty(&q.team);
    let (since, rates) =
        interactions::commitments::kept_rates(&state, by, q.days.unwrap_or(90), team.as_deref())
            .await?;
    Ok(Json(json!({
        "by": if by == Grouping::Team { "team" } else { "agent" },
        "since": since,
        "rates": rates,
    })))
}

pub async fn fulfil(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    if !interactions::commitments::fulfil(&state, &caller, &id, json!({})).await? {
        return Err(AppError::new(
            Code::Conflict,
            "No open commitment with that id (unknown, already kept, or broken).",
        ));
    }
    Ok(Json(json!({"id": id, "status": "kept"})))
}
