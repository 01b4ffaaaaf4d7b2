//! The pages and JSON of e-mail; every decision is in `righttrack_app::platform::mail`.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Json, Query, SignedIn};
use crate::pages::{layout, render, unprocessable_if, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use righttrack_app::platform::mail::{self as uc, Overview, TestOutcome};
use righttrack_app::Kind;
use righttrack_core::mail::Preference;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "mail_mine.html")]
struct MinePage {
    l: Layout,
    /// (value, label, chosen)
    choices: Vec<(&'static str, &'static str, bool)>,
    reachable: bool,
    message: Option<String>,
    error: Option<String>,
}

async fn mine_page(
    state: &AppState,
    caller: &Caller,
    chosen: Option<String>,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let m = uc::mine(state, caller).await?;
    let current = chosen.as_deref().unwrap_or(m.preference);
    let invalid = error.is_some();
    let page = MinePage {
        l: layout(Some(caller), "E-mail", "/account"),
        choices: Preference::ALL
            .iter()
            .map(|p| (p.as_str(), p.label(), p.as_str() == current))
            .collect(),
        reachable: m.reachable,
        message,
        error,
    };
    Ok(unprocessable_if(invalid, render(page)))
}

pub async fn mine(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let message = (q.done.as_deref() == Some("saved")).then(|| "Saved.".to_owned());
    mine_page(&state, &caller, None, message, None).await
}

pub async fn set_mine(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    let typed = form.get("preference");
    match uc::set_mine(&state, &caller, &typed).await {
        Ok(_) => Ok(Redirect::to("/account/mail?done=saved").into_response()),
        Err(e) if e.kind == Kind::Unprocessable => {
            mine_page(&state, &caller, Some(typed), None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "mail_admin.html")]
struct AdminPage {
    l: Layout,
    o: Overview,
    oldest: String,
    to: String,
    message: Option<String>,
    error: Option<String>,
}

async fn admin_page(
    state: &AppState,
    caller: &Caller,
    to: String,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let o = uc::overview(state).await?;
    let invalid = error.is_some();
    let page = AdminPage {
        l: layout(Some(caller), "Mail", "/admin/users"),
        oldest: o
            .queue
            .oldest_waiting
            .map(righttrack_core::clock::minute)
            .unwrap_or_default(),
        o,
        to,
        message,
        error,
    };
    Ok(unprocessable_if(invalid, render(page)))
}

pub async fn admin(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let message = match q.done.as_deref() {
        Some("sent") => Some("The test message was sent: the server accepted it.".to_owned()),
        Some("retried") => Some("Given-up messages are queued again.".to_owned()),
        _ => None,
    };
    admin_page(&state, &caller, String::new(), message, None).await
}

pub async fn test(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    let to = form.get("to");
    match uc::send_test(&state, &caller.user.username, &to).await {
        Ok(TestOutcome { sent: true, .. }) => {
            Ok(Redirect::to("/admin/mail?done=sent").into_response())
        }
        Ok(TestOutcome { error, .. }) => {
            let why = error.unwrap_or_else(|| "it is queued".into());
            let msg = format!(
                "Send to: the test message was not sent yet ({why}). It stays queued and is tried again."
            );
            admin_page(&state, &caller, to, None, Some(msg)).await
        }
        Err(e) if e.kind == Kind::Unprocessable => {
            admin_page(&state, &caller, to, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn retry(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    uc::retry_failed(&state, &caller.user.username).await?;
    Ok(Redirect::to("/admin/mail?done=retried").into_response())
}

pub async fn api_overview(SignedIn { state, .. }: SignedIn) -> AppResult<Json<Overview>> {
    Ok(Json(uc::overview(&state).await?))
}

#[derive(Deserialize)]
pub struct TestRequest {
    to: String,
}

pub async fn api_test(
    SignedIn { state, caller }: SignedIn,
    Json(req): Json<TestRequest>,
) -> AppResult<Json<TestOutcome>> {
    Ok(Json(
        uc::send_test(&state, &caller.user.username, &req.to).await?,
    ))
}
