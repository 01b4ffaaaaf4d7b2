//! The directory of sites and teams with their leads and head counts.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::pages::{layout, render, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use righttrack_app::platform::directory::Site;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    sites: Vec<Site>,
}

pub async fn directory(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let sites = righttrack_app::platform::directory::sites(&state).await?;
    Ok(render(DirectoryPage {
        l: layout(Some(&caller), "Teams", "/directory"),
        sites,
    }))
}
