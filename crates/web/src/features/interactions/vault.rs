//! The privacy vault: opening an interaction's sealed original.
//!
//! Off by default (`--privacy-vault`). When on, ingestion seals the original as received
//! (see [`righttrack_app::interactions::prepare_line`]); the database holds only ciphertext. An
//! original is opened only when all of these hold, checked here in this order:
//! the caller's role allows [`righttrack_core::authz::Action::VaultOpen`] (the route guard), the vault still
//! holds the original (retention not ended), the caller wrote a reason, and the
//! data-access gate (`righttrack_app::program::training::gate`) finds the caller's data-privacy training
//! current (it audits `gate.granted` or `gate.denied`). Every opening is appended to the audit trail
//! *before* the plaintext is decrypted, with the reason (scrubbed), so an opening that
//! the trail cannot record does not happen. The page is sent with `Cache-Control:
//! no-store`; the plaintext is never logged.

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::Path;
use crate::pages::{layout, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use righttrack_app::program::training::gate::Resource;
use righttrack_core::interactions::VAULT_PURPOSE;
use serde_json::json;

/// The shortest reason accepted for opening an original.
pub const MIN_REASON: usize = 15;

struct TurnView {
    speaker: String,
    text: String,
}

#[derive(Template)]
#[template(path = "original.html")]
struct OriginalPage {
    l: crate::pages::Layout,
    id: String,
    reason: String,
    opened_at: String,
    turns: Vec<TurnView>,
}

pub async fn open_original(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let Some(i) = state.db.interaction(&id).await? else {
        return Err(AppError::not_found());
    };
    let Some(entry) = state.db.vault_entry(&i.ext_id, state.now()).await? else {
        return Err(AppError::new(
            Code::NotFound,
            "No original is kept for this interaction: the privacy vault was off when it was ingested, or its retention has ended.",
        ));
    };
    let reason = form.get("reason").trim().to_owned();
    if reason.chars().count() < MIN_REASON {
        return Err(AppError::bad_request(format!(
            "field `reason`: say why you need the original, in at least {MIN_REASON} characters"
        )));
    }
    // The gate audits its decision (`gate.granted` / `gate.denied`) before anything opens.
    righttrack_app::program::training::gate::check(&state, &caller, Resource::Original, &i.ext_id)
        .await?;
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let reason = righttrack_core::interactions::scrub(&engine, &reason);
    state
        .audit(
            &caller.actor(),
            "interaction.original_opened",
            &i.ext_id,
            json!({"reason": reason}),
        )
        .await?;
    let plain = state
        .open(VAULT_PURPOSE, &entry.sealed)
        .map_err(|e| AppError::internal(&e))?;
    let original: serde_json::Value =
        serde_json::from_slice(&plain).map_err(|e| AppError::internal(&e))?;
    // The envelope is bound to the purpose, not the row: check the row is this one's.
    if original["id"].as_str() != Some(i.ext_id.as_str()) {
        return Err(AppError::internal(
            &"vault entry does not match its interaction",
        ));
    }
    let turns = original["turns"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| TurnView {
                    speaker: t["speaker"].as_str().unwrap_or_default().to_owned(),
                    text: t["text"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = OriginalPage {
        l: layout(Some(&caller), &format!("Original of {}", i.ext_id), ""),
        id: i.ext_id,
        reason,
        opened_at: righttrack_core::clock::minute(state.now()),
        turns,
    };
    let html = page.render().map_err(|e| AppError::internal(&e))?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response())
}
