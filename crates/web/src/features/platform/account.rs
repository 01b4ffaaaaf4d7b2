//! One's own account: changing the password (which signs out every other session).

use crate::auth::{self, Caller};
use crate::error::AppResult;
use crate::extract::SignedIn;
use crate::pages::{layout, render, with_session, FormData, Layout};
use askama::Template;
use axum::response::Response;
use axum::Extension;
use righttrack_app::Kind;
use righttrack_core::Secret;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    message: Option<String>,
    error: Option<String>,
    totp_enabled: bool,
}

pub async fn account(Extension(caller): Extension<Caller>) -> Response {
    render(AccountPage {
        totp_enabled: caller.user.totp_enabled,
        l: layout(Some(&caller), "My account", "/account"),
        message: None,
        error: None,
    })
}

pub async fn change_password(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let page = |message: Option<String>, error: Option<String>| {
        render(AccountPage {
            totp_enabled: caller.user.totp_enabled,
            l: layout(Some(&caller), "My account", "/account"),
            message,
            error,
        })
    };
    let current = Secret::new(form.get("current"));
    let new = Secret::new(form.get("new"));
    match righttrack_app::platform::account::change_password(&state, &caller, &current, &new).await
    {
        Ok(()) => {}
        Err(e) if e.kind == Kind::Unprocessable => return Ok(page(None, Some(e.message))),
        Err(e) => return Err(e.into()),
    }
    let reader = righttrack_app::hotline::keys::ensure_reader_key(
        &state,
        &caller.actor(),
        &caller.user,
        &new,
    )
    .await?;
    let sid = auth::start_session(
        &state,
        &caller.user,
        caller.mfa_satisfied(),
        reader.as_ref(),
    )
    .await?;
    righttrack_app::platform::account::record_password_changed(&state, &caller).await?;
    let fresh = auth::resolve_session(&state, &sid)
        .await?
        .unwrap_or(caller.clone());
    let resp = render(AccountPage {
        totp_enabled: caller.user.totp_enabled,
        l: layout(Some(&fresh), "My account", "/account"),
        message: Some("Password changed. Other sessions were signed out.".into()),
        error: None,
    });
    Ok(with_session(resp, &state, &sid))
}
