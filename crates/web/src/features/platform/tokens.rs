//! API tokens and service accounts.
//!
//! A token is made only by a person for themselves, or for a service account (a
//! non-person account with no password and no role that needs a second factor), so a
//! token can never act, and be recorded, as a colleague.

use super::users::parse_roles;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, SignedIn};
use crate::pages::{layout, render_form, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use righttrack_app::platform::tokens::Listing;
use righttrack_app::platform::users::Outcome;
use righttrack_app::Kind;
use righttrack_core::authz::Scope;
use righttrack_core::ids::TokenId;
use righttrack_core::Role;

struct TokenRow {
    id: String,
    name: String,
    user: String,
    scopes: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<TokenRow>,
    scopes: Vec<&'static str>,
    /// Roles a service account may hold: (key, label).
    service_roles: Vec<(&'static str, &'static str)>,
    service_accounts: Vec<String>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    new_token: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let Listing {
        tokens,
        service_accounts,
    } = righttrack_app::platform::tokens::listing(state).await?;
    let fmt = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M").to_string();
    let tokens = tokens
        .into_iter()
        .map(|(t, user)| TokenRow {
            id: t.id.to_string(),
            user,
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created: fmt(t.created_at),
            last_used: t.last_used_at.map(fmt).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
            name: t.name,
        })
        .collect();
    let refused = error.is_some();
    Ok(render_form(
        TokensPage {
            l: layout(Some(caller), "API tokens", "/admin/tokens"),
            tokens,
            scopes: Scope::ALL.iter().map(|s| s.as_str()).collect(),
            service_roles: Role::ALL
                .iter()
                .filter(|r| !r.requires_two_factor())
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            service_accounts,
            new_token,
            error,
        },
        refused,
    ))
}

/// The tokens page again with a refusal (400).
async fn refused(state: &AppState, caller: &Caller, why: String) -> AppResult<Response> {
    tokens_page(state, caller, None, Some(why)).await
}

pub async fn tokens(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    tokens_page(&state, &caller, None, None).await
}

pub async fn create_token(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let scopes: Result<Vec<Scope>, String> = form
        .all("scope")
        .iter()
        .map(|s| Scope::parse(s).ok_or_else(|| format!("field `scope`: unknown scope {s:?}")))
        .collect();
    let scopes = match scopes {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => return refused(&state, &caller, "Choose at least one scope.".into()).await,
        Err(e) => return refused(&state, &caller, e).await,
    };
    let minted = righttrack_app::platform::tokens::mint(
        &state,
        &caller,
        &form.get("username"),
        &form.get("name"),
        &scopes,
    )
    .await?;
    match minted {
        Outcome::Done(token) => tokens_page(&state, &caller, Some(token.into_inner()), None).await,
        Outcome::Refused(why) => refused(&state, &caller, why).await,
    }
}

/// Adds a service account: a non-person account tokens can be made for. It has no
/// password and holds only roles that need no second factor.
pub async fn create_service_account(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return refused(&state, &caller, e).await,
    };
    let username = form.get("username").trim().to_owned();
    let display_name = match form.get("display_name").trim() {
        "" => username.clone(),
        d => d.to_owned(),
    };
    match righttrack_app::platform::users::create_service_account(
        &state,
        &caller.actor(),
        &username,
        &display_name,
        &roles,
        "web",
    )
    .await
    {
        Ok(_) => tokens_page(&state, &caller, None, None).await,
        Err(e) if matches!(e.kind, Kind::Conflict | Kind::Unprocessable) => {
            let message = match &e.field {
                Some(f) => format!("field `{f}`: {}", e.message),
                None => e.message,
            };
            refused(&state, &caller, message).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = TokenId::parse(&id).ok_or_else(AppError::not_found)?;
    righttrack_app::platform::tokens::revoke(&state, &caller.actor(), id, "web").await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
