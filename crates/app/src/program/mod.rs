//! The ethics program: policies and attestations, training, climate surveys, conflicts of interest, corrective actions, discipline, recognition, pay equity, and coaching with upward feedback.

pub mod capa;
pub mod coaching;
pub mod conflicts;
pub mod discipline;
pub mod home;
pub mod kudos;
pub mod pay;
pub mod policies;
pub mod surveys;
pub mod training;

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::audience::Audience;
use righttrack_store::directory::{Site, Team};

/// The directory's teams and sites (what an audience may name).
pub async fn directory(ctx: &Ctx) -> Result<(Vec<Team>, Vec<Site>)> {
    Ok((ctx.db.list_teams().await?, ctx.db.list_sites().await?))
}

/// The names of an audience's parts: role labels, and each team's and site's name
/// (`None`: it has been removed since).
pub struct AudienceNames {
    pub roles: Vec<&'static str>,
    pub teams: Vec<Option<String>>,
    pub sites: Vec<Option<String>>,
}

/// Looks up the names of an audience's roles, teams and sites (policies and training
/// word them differently).
pub async fn audience_names(ctx: &Ctx, a: &Audience) -> Result<AudienceNames> {
    let (teams, sites) = directory(ctx).await?;
    Ok(AudienceNames {
        roles: a.roles.iter().map(|r| r.label()).collect(),
        teams: a
            .teams
            .iter()
            .map(|t| teams.iter().find(|x| x.id == *t).map(|x| x.name.clone()))
            .collect(),
        sites: a
            .sites
            .iter()
            .map(|s| sites.iter().find(|x| x.id == *s).map(|x| x.name.clone()))
            .collect(),
    })
}

/// A refusal about one form field.
pub fn unprocessable(field: &str, why: impl std::fmt::Display) -> Error {
    Error::unprocessable(format!("field `{field}`: {why}"))
}

/// A required text of at most `max` characters (a name, a title, a note), trimmed.
pub fn text(field: &str, s: &str, max: usize) -> Result<String> {
    righttrack_core::capa::check_text(s, max)
        .map(str::to_owned)
        .map_err(|e| unprocessable(field, e))
}

/// A CSV document: the header line, then one line per row, each cell quoted as needed
/// (and defused against spreadsheet formulas by `scan::csv::cell`).
pub fn csv_table(header: &str, rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from(header);
    out.push('\n');
    for r in rows {
        out.push_str(
            &r.iter()
                .map(|c| righttrack_scan::csv::cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// The other active accounts, as (username, display name): whom `caller` may thank or
/// decide about.
pub async fn colleagues(ctx: &Ctx, caller: &Caller) -> Result<Vec<(String, String)>> {
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.id != caller.user.id)
        .map(|u| (u.username, u.display_name))
        .collect())
}
