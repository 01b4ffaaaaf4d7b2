//! The audit trail, browsed by people: filtered by actor, action and target, newest
//! first, one page at a time. The API's `GET /api/v1/audit` takes the same filter
//! ([`AuditQuery`]), so a link copied from the page means the same on the API.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::Query;
use crate::pages::{layout, render, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use righttrack_store::audit::AuditFilter;
use serde::Deserialize;
use std::collections::BTreeMap;

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    /// The actor's username when the actor is a user, else the recorded actor.
    actor_name: String,
    action: String,
    target: String,
    target_name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    entries: Vec<AuditRow>,
    actor: String,
    action: String,
    target: String,
    older: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let mut f = q.filter();
    let users = state.db.list_users().await?;
    // People filter by username; the trail records ids (names can change).
    if let Some(a) = &f.actor {
        if let Some(u) = users.iter().find(|u| &u.username == a) {
            f.actor = Some(u.id.to_string());
        }
    }
    let names: BTreeMap<String, String> = users
        .into_iter()
        .map(|u| (u.id.to_string(), u.username))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let entries = state.db.audit_list(&f).await?;
    let older = entries
        .last()
        .filter(|_| entries.len() as i64 == f.limit)
        .map(|last| {
            format!(
                "/audit?actor={}&action={}&target={}&before={}",
                crate::routes::urlencode(f.actor.as_deref().unwrap_or("")),
                crate::routes::urlencode(f.action_prefix.as_deref().unwrap_or("")),
                crate::routes::urlencode(f.target.as_deref().unwrap_or("")),
                last.seq
            )
        });
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: righttrack_store::from_ms(e.entry.at_ms)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor_name: name(&e.entry.actor),
            target_name: name(&e.entry.target),
            actor: e.entry.actor,
            action: e.entry.action,
            target: e.entry.target,
            detail: e.entry.detail,
        })
        .collect();
    Ok(render(AuditPage {
        l: layout(Some(&caller), "Audit trail", "/audit"),
        entries: rows,
        actor: f.actor.unwrap_or_default(),
        action: f.action_prefix.unwrap_or_default(),
        target: f.target.unwrap_or_default(),
        older,
    }))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        let nonempty = |s: &Option<String>| {
            s.as_ref()
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
        };
        AuditFilter {
            actor: nonempty(&self.actor),
            action_prefix: nonempty(&self.action),
            target: nonempty(&self.target),
            before_seq: self.before,
            limit: self.limit.unwrap_or(50).clamp(1, 500),
        }
    }
}
