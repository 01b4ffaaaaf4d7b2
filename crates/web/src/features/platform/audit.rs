//! The audit trail, browsed by people: filtered by actor, action and target, newest
//! first, one page at a time. The API's `GET /api/v1/audit` takes the same filter
//! ([`AuditQuery`]), so a link copied from the page means the same on the API.

use crate::error::AppResult;
use crate::extract::{Query, SignedIn};
use crate::pages::{layout, render, Layout};
use askama::Template;
use axum::response::Response;
/// The filter is the platform's; the API names it through this module.
pub use righttrack_app::platform::audit::AuditQuery;

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
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let page = righttrack_app::platform::audit::browse(&state, &q).await?;
    let f = page.filter;
    let older = page.older.map(|before| {
        format!(
            "/audit?actor={}&action={}&target={}&before={}",
            crate::routes::urlencode(f.actor.as_deref().unwrap_or("")),
            crate::routes::urlencode(f.action_prefix.as_deref().unwrap_or("")),
            crate::routes::urlencode(f.target.as_deref().unwrap_or("")),
            before
        )
    });
    let rows = page
        .entries
        .into_iter()
        .map(|n| AuditRow {
            seq: n.entry.seq,
            at: righttrack_store::from_ms(n.entry.entry.at_ms)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor_name: n.actor_name,
            target_name: n.target_name,
            actor: n.entry.entry.actor,
            action: n.entry.entry.action,
            target: n.entry.entry.target,
            detail: n.entry.entry.detail,
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
