//! The privacy vault: opening an interaction's sealed original.
//!
//! Off by default (`--privacy-vault`). When on, ingestion seals the original as received
//! (see [`righttrack_app::interactions::prepare_line`]); the database holds only ciphertext. An
//! original is opened only when all of these hold, checked in this order by
//! [`righttrack_app::interactions::vault::open`]:
//! the caller's role allows [`righttrack_core::authz::Action::VaultOpen`] (the route guard), the vault still
//! holds the original (retention not ended), the caller wrote a reason, and the
//! data-access gate (`righttrack_app::program::training::gate`) finds the caller's data-privacy training
//! current (it audits `gate.granted` or `gate.denied`). Every opening is appended to the audit trail
//! *before* the plaintext is decrypted, with the reason (scrubbed), so an opening that
//! the trail cannot record does not happen. The page is sent with `Cache-Control:
//! no-store`; the plaintext is never logged.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, SignedIn};
use crate::pages::{layout, FormData};
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use righttrack_app::interactions::vault::Original;

pub use righttrack_app::interactions::vault::MIN_REASON;

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
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let Original {
        ext_id,
        reason,
        turns,
    } = righttrack_app::interactions::vault::open(&state, &caller, &id, &form.get("reason"))
        .await?;
    let turns = turns
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
        l: layout(Some(&caller), &format!("Original of {ext_id}"), ""),
        id: ext_id,
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
