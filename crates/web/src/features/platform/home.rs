//! The home page: who one is, and the content-free notices waiting for one.
//!
//! Notices come from other capabilities (training, corrective actions, policies); the
//! page only lists them with a link, so this module reads them and never acts on them.

use crate::error::AppResult;
use crate::extract::SignedIn;
use crate::pages::{layout, render, Layout};
use askama::Template;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    display_name: String,
    username: String,
    roles: Vec<&'static str>,
    /// (text, where it leads)
    notices: Vec<(String, &'static str)>,
    /// Content-free overdue notices of corrective actions (`capa::sweep`).
    capa_notices: Vec<String>,
    /// Policy attestations waiting (and, for leads, their team's overdue ones).
    policy_lines: Vec<(String, &'static str)>,
}

pub async fn home(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let h = righttrack_app::program::home::view(&state, &caller).await?;
    Ok(render(HomePage {
        l: layout(Some(&caller), "Home", "/"),
        display_name: caller.user.display_name.clone(),
        username: caller.user.username.clone(),
        roles: caller.user.roles.iter().map(|r| r.label()).collect(),
        notices: h.notices,
        capa_notices: h.capa_notices,
        policy_lines: h.policy_lines,
    }))
}
