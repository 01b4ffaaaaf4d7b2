//! The directory of sites and teams with their leads and head counts.

use crate::error::AppResult;
use crate::extract::SignedIn;
use crate::pages::{layout, render, Layout};
use askama::Template;
use axum::response::Response;
use righttrack_app::platform::directory::Site;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    sites: Vec<Site>,
}

pub async fn directory(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let sites = righttrack_app::platform::directory::sites(&state).await?;
    Ok(render(DirectoryPage {
        l: layout(Some(&caller), "Teams", "/directory"),
        sites,
    }))
}
