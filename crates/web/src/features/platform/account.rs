//! One's own account: changing the password (which signs out every other session).

use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::error::{AppError, AppResult};
use crate::pages::{layout, render, with_cookie, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use righttrack_core::{password, Secret};
use serde_json::json;

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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
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
    let creds = state.db.credentials(caller.user.id).await?;
    let ok = creds.password_hash.is_some()
        && state
            .verify_password(&current, creds.password_hash.as_ref())
            .await
            .map_err(AppError::from)?;
    if !ok {
        state
            .audit(
                &caller.actor(),
                "password.change_failure",
                &caller.actor(),
                json!({"reason": "wrong_current"}),
            )
            .await?;
        return Ok(page(
            None,
            Some("Your current password is not right.".into()),
        ));
    }
    if let Err(why) = password::check_policy(new.expose()) {
        return Ok(page(None, Some(why.into())));
    }
    let phc = state.hash_password(&new).await?;
    state.db.set_password_hash(caller.user.id, &phc).await?;
    state
        .db
        .relock_reader_key(
            caller.user.id,
            &caller.user.roles,
            &current,
            &new,
            &mut rand::rngs::OsRng,
        )
        .await?;
    // Sign out every other session: whoever knew the old password is out.
    state.db.delete_user_sessions(caller.user.id).await?;
    let reader =
        crate::speakup::ensure_reader_key(&state, &caller.actor(), &caller.user, &new).await?;
    let sid = auth::start_session(
        &state,
        &caller.user,
        caller.mfa_satisfied(),
        reader.as_ref(),
    )
    .await?;
    state
        .audit(
            &caller.actor(),
            "password.changed",
            &caller.actor(),
            json!({}),
        )
        .await?;
    let fresh = auth::resolve_session(&state, &sid)
        .await?
        .unwrap_or(caller.clone());
    let resp = render(AccountPage {
        totp_enabled: caller.user.totp_enabled,
        l: layout(Some(&fresh), "My account", "/account"),
        message: Some("Password changed. Other sessions were signed out.".into()),
        error: None,
    });
    Ok(with_cookie(
        resp,
        auth::set_cookie(
            &state,
            SESSION_COOKIE,
            sid.expose(),
            state.config.session_hours * 3600,
        ),
    ))
}
