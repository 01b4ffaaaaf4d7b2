//! The directory of sites and teams, as people read it: names rather than ids.

use crate::Ctx;
use crate::Result;
use righttrack_core::ids::{TeamId, UserId};
use righttrack_store::directory::User;
use std::collections::BTreeMap;

/// One team in the directory.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub name: String,
    /// The parent team's name, empty at the top.
    pub parent: String,
    /// The lead's display name, "—" when there is none.
    pub lead: String,
    pub members: usize,
}

/// A site with its teams.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub teams: Vec<TeamRow>,
}

/// Every site with its teams, leads and head counts.
pub async fn sites(ctx: &Ctx) -> Result<Vec<Site>> {
    let teams = ctx.db.list_teams().await?;
    let users = ctx.db.list_users().await?;
    let names: BTreeMap<UserId, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let team_names: BTreeMap<TeamId, String> =
        teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut sites = Vec::new();
    for s in ctx.db.list_sites().await? {
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
        sites.push(Site {
            name: s.name,
            teams: rows,
        });
    }
    Ok(sites)
}

/// Team `id`, if it exists.
pub async fn team(ctx: &Ctx, id: TeamId) -> Result<Option<righttrack_store::directory::Team>> {
    Ok(ctx.db.list_teams().await?.into_iter().find(|x| x.id == id))
}

/// Every account.
pub async fn users(ctx: &Ctx) -> Result<Vec<User>> {
    Ok(ctx.db.list_users().await?)
}

/// Every account by its id, for naming the people a list or timeline mentions.
pub(crate) async fn users_by_id(ctx: &Ctx) -> Result<BTreeMap<UserId, User>> {
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Every team as (id, name), in the directory's order: the choices of a team picker.
pub(crate) async fn team_choices(ctx: &Ctx) -> Result<Vec<(String, String)>> {
    Ok(ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect())
}

/// The names of every team, in the directory's order.
pub async fn team_names(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect())
}
