//! The platform's JSON API: the caller, the users, the audit trail.

use super::audit::AuditQuery;
use crate::auth::Via;
use crate::error::AppResult;
use crate::extract::{Query, SignedIn};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn me(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let team = match caller.user.team_id {
        Some(t) => righttrack_app::platform::directory::team(&state, t)
            .await?
            .map(|x| json!({"id": x.id, "name": x.name, "site": x.site_name})),
        None => None,
    };
    let via = match &caller.via {
        Via::Session { .. } => json!({"kind": "session"}),
        Via::Token { scopes, .. } => json!({"kind": "token", "scopes": scopes}),
    };
    // The account's roles; on a token, the ones it acts with (never a role that needs
    // a second factor) are listed apart.
    let (roles, token_roles) = match &caller.via {
        Via::Token { held_roles, .. } => (held_roles.clone(), Some(caller.user.roles.clone())),
        Via::Session { .. } => (caller.user.roles.clone(), None),
    };
    Ok(Json(json!({
        "id": caller.user.id,
        "username": caller.user.username,
        "display_name": caller.user.display_name,
        "roles": roles,
        "token_roles": token_roles,
        "team": team,
        "two_factor_enabled": caller.user.totp_enabled,
        "authenticated_by": via,
    })))
}

pub async fn users(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let users = righttrack_app::platform::directory::users(&state).await?;
    Ok(Json(json!({ "users": users })))
}

pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Value>> {
    let (entries, next) = righttrack_app::platform::audit::list(&state, &q).await?;
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "at": righttrack_store::from_ms(e.entry.at_ms).to_string(),
                "actor": e.entry.actor,
                "action": e.entry.action,
                "target": e.entry.target,
                "detail": serde_json::from_str::<Value>(&e.entry.detail).unwrap_or(Value::Null),
                "hash": righttrack_core::audit::hex(&e.hash),
            })
        })
        .collect();
    Ok(Json(json!({ "entries": items, "next_before": next })))
}
