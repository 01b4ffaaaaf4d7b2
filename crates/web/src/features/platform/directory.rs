//! The directory of sites and teams with their leads and head counts.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::pages::{layout, render, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use righttrack_core::ids::{TeamId, UserId};
use std::collections::BTreeMap;

struct TeamRow {
    name: String,
    parent: String,
    lead: String,
    members: usize,
}

struct SiteView {
    name: String,
    teams: Vec<TeamRow>,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    sites: Vec<SiteView>,
}

pub async fn directory(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let teams = state.db.list_teams().await?;
    let users = state.db.list_users().await?;
    let names: BTreeMap<UserId, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let team_names: BTreeMap<TeamId, String> =
        teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut sites: Vec<SiteView> = Vec::new();
    for s in state.db.list_sites().await? {
        let rows = teams
            .iter()
            .filter(|t| t.site_id == s.id)
            .map(|t| TeamRow {
                name: t.name.clone(),
                parent: t
                    .parent_team_id
                    .and_then(|p| team_names.get(&p).cloned())
                    .unwrap_or_default(),
                lead: t
                    .lead_user_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_else(|| "—".into()),
                members: users.iter().filter(|u| u.team_id == Some(t.id)).count(),
            })
            .collect();
        sites.push(SiteView {
            name: s.name,
            teams: rows,
        });
    }
    Ok(render(DirectoryPage {
        l: layout(Some(&caller), "Teams", "/directory"),
        sites,
    }))
}
