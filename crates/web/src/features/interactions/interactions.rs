//! Interactions and the commitments ledger over HTTP.
//!
//! `POST /api/v1/interactions` takes one interaction (`application/json`) or a batch
//! (`application/x-ndjson`, one per line). Each good line is scanned, redacted and
//! stored; each bad line gets an error naming its line and field, never its content
//! (a bad line may hold a card number). Scanning runs on the blocking pool so the async
//! workers keep serving. The batch is stored in one transaction before the response is
//! sent: an acknowledged interaction is durable.

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::params::nonempty;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use righttrack_core::interactions::{
    check_limits, content_hash, prepare, Prepared, VaultCopy, MAX_INTERACTION_BYTES, VAULT_PURPOSE,
};
use righttrack_store::interactions::{CommitmentStatus, Grouping, LedgerFilter, Outcome};
use serde::Deserialize;
use serde_json::{json, Value};

/// Lines per request; larger loads are split by the client (or use `righttrack import`).
pub const MAX_LINES: usize = 10_000;
/// Request body limit for ingestion.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Parses, scans and redacts one interaction (one JSON text); when the privacy vault is
/// on, also seals the original for it. Every ingestion path (HTTP, `righttrack import`,
/// the stream consumer) goes through here. The error names the field, never the content.
pub fn prepare_line(
    state: &AppState,
    engine: &righttrack_scan::Engine,
    line: &str,
) -> Result<Prepared, String> {
    if line.len() > MAX_INTERACTION_BYTES {
        return Err(format!(
            "the interaction is larger than {} KiB",
            MAX_INTERACTION_BYTES / 1024
        ));
    }
    let inter = serde_json::from_str::<righttrack_scan::Interaction>(line)
        .map_err(|e| righttrack_scan::input::describe(line, &e))?;
    check_limits(&inter)?;
    let mut p =
        prepare(engine, &inter).map_err(|_| "could not encode the interaction".to_owned())?;
    let key = state
        .conflict_key
        .get()
        .ok_or_else(|| "the reference key is not loaded".to_owned())?;
    p.content_hash = Some(
        content_hash(key.expose(), &inter)
            .map_err(|_| "could not encode the interaction".to_owned())?,
    );
    if let Some(r) = inter
        .customer_ref
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        // Conflicts of interest: only the keyed hash goes on (see `crate::conflicts`).
        p.customer_ref_hash = Some(crate::conflicts::hash_ref(state, r)?);
    }
    if let Some(keep) = state.config.vault_retention {
        let sealed = state
            .seal(VAULT_PURPOSE, line.as_bytes())
            .map_err(|_| "could not seal the original for the privacy vault".to_owned())?;
        p.vault = Some(VaultCopy {
            sealed,
            expires_at: state
                .now()
                .checked_add(keep)
                .unwrap_or(jiff::Timestamp::MAX),
        });
    }
    Ok(p)
}

/// What the sender of a re-sent id with other content is told (HTTP, import, stream).
pub fn conflict_message(id: &str) -> String {
    format!("field `id`: an interaction with id `{id}` was stored before with different content; the stored one was kept and this one was not stored")
}

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
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    crate::conflicts::ensure_key(state).await?;
    let st = state.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        lines
            .into_iter()
            .map(|(n, line)| (n, prepare_line(&st, &engine, &line)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| AppError::internal(&e))?;

    let mut errors = Vec::new();
    let mut good = Vec::new();
    let mut good_lines = Vec::new();
    for (n, r) in prepared {
        match r {
            Ok(p) => {
                good_lines.push(n);
                good.push(p);
            }
            Err(msg) => errors.push(json!({"line": n, "message": msg})),
        }
    }
    let outcomes = state
        .db
        .store_interactions(&good, state.now(), &mut rand::rngs::OsRng)
        .await?;
    let count = |k: Outcome| outcomes.iter().filter(|o| **o == k).count();
    let stored = count(Outcome::Stored);
    for ((p, o), n) in good.iter().zip(&outcomes).zip(&good_lines) {
        if *o == Outcome::Conflict {
            errors.push(json!({"line": n, "id": p.ext_id, "message": conflict_message(&p.ext_id)}));
        }
    }
    let results: Vec<Value> = good
        .iter()
        .zip(&outcomes)
        .zip(&good_lines)
        .map(|((p, o), n)| json!({"line": n, "id": p.ext_id, "status": o, "score": {"value": p.score, "max": p.score_max}, "flagged": p.flagged}))
        .collect();
    let body = json!({
        "received": good.len() + errors.len() - count(Outcome::Conflict),
        "stored": stored,
        "duplicates": count(Outcome::Duplicate),
        "conflicts": count(Outcome::Conflict),
        "errors": errors,
        "results": results,
    });
    if good.is_empty() && !errors.is_empty() {
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let Some(i) = state.db.interaction(&id).await? else {
        return Err(AppError::not_found());
    };
    if !crate::features::qa::qa::may_read(&state, &caller, &i.agent_ref, &i.ext_id).await? {
        return Err(AppError::not_found());
    }
    crate::features::qa::calibration::refuse_if_blind(&state, &caller, &i.ext_id).await?;
    state
        .audit(&caller.actor(), "interaction.viewed", &i.ext_id, json!({}))
        .await?;
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

/// The `status` query parameter of the ledger, named in the error when wrong.
pub fn parse_status(s: Option<&str>) -> Result<Option<CommitmentStatus>, AppError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => CommitmentStatus::parse(s).map(Some).ok_or_else(|| {
            AppError::bad_request(
                "query `status`: expected due_soon, open, overdue, kept or broken",
            )
        }),
    }
}

pub async fn commitments(
    State(state): State<AppState>,
    Query(q): Query<LedgerQuery>,
) -> AppResult<Json<Value>> {
    let f = LedgerFilter {
        status: parse_status(q.status.as_deref())?,
        agent_ref: nonempty(&q.agent),
        team_ref: nonempty(&q.team),
        limit: q.limit.unwrap_or(100),
    };
    let rows = state.db.commitments(&f, state.now()).await?;
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
    let days = q.days.unwrap_or(90);
    if !(1..=3660).contains(&days) {
        return Err(AppError::bad_request(
            "query `days`: expected a number of days from 1 to 3660",
        ));
    }
    let now = state.now();
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(days * 24))
        .unwrap_or(now);
    let team = nonempty(&q.team);
    let rates = state
        .db
        .kept_rates(by, since, team.as_deref().map(|t| (Grouping::Team, t)), now)
        .await?;
    Ok(Json(json!({
        "by": if by == Grouping::Team { "team" } else { "agent" },
        "since": since,
        "rates": rates,
    })))
}

pub async fn fulfil(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let now = state.now();
    if !state
        .db
        .fulfil_commitment(&id, &caller.actor(), now)
        .await?
    {
        return Err(AppError::new(
            Code::Conflict,
            "No open commitment with that id (unknown, already kept, or broken).",
        ));
    }
    state
        .audit(&caller.actor(), "commitment.kept", &id, json!({}))
        .await?;
    Ok(Json(json!({"id": id, "status": "kept"})))
}
