//! Importing people from an HR file: the dry run and the import.
//!
//! Both read the file, read the directory, and ask `core::directory::plan` for the
//! difference; the dry run stops there, the import writes the plan in one transaction,
//! takes leavers off hotline cases and records one audit entry with what changed. An
//! import that follows a preview carries the preview's fingerprint: if the directory or
//! the file changed in between, nothing is written and the changes are to be checked
//! again (what an administrator confirmed is exactly what happens).

use crate::{Ctx, Error, Kind, Result};
use righttrack_core::directory::{self, Current, Existing, ExistingTeam, LineError, Plan};
use righttrack_core::Role;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What a file would change, or why it cannot be imported.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Every problem, by line; when there is one, nothing can be imported.
    pub errors: Vec<String>,
    pub plan: Plan,
    /// The fingerprint of the plan, to be sent back with the import.
    pub fingerprint: String,
}

impl Preview {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How an import is asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Confirms that many people not in the file have really left.
    pub leavers_confirmed: bool,
    /// The fingerprint of the preview the import was confirmed on.
    pub fingerprint: Option<&'a str>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    righttrack_core::audit::hex(&Sha256::digest(bytes).into())
}

fn fingerprint(plan: &Plan) -> String {
    sha256_hex(&serde_json::to_vec(plan).unwrap_or_default())
}

async fn current(
    ctx: &Ctx,
) -> Result<(Current, BTreeMap<String, righttrack_store::directory::User>)> {
    let users = ctx.db.list_users().await?;
    let teams = ctx.db.list_teams().await?;
    let profiles: BTreeMap<_, _> = ctx
        .db
        .directory_profiles()
        .await?
        .into_iter()
        .map(|p| (p.user_id, p))
        .collect();
    let team_name: BTreeMap<_, _> = teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let user_name: BTreeMap<_, _> = users.iter().map(|u| (u.id, u.username.clone())).collect();
    let people = users
        .iter()
        .map(|u| {
            let p = profiles.get(&u.id);
            Existing {
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                team: u.team_id.and_then(|t| team_name.get(&t).cloned()),
                roles: u.roles.clone(),
                disabled: u.disabled,
                service: u.service,
                profile: p.map(|p| p.profile.clone()),
                deactivated_by_import: p.is_some_and(|p| p.deactivated_by_import),
                last_case_key: false,
            }
        })
        .collect();
    let current = Current {
        people,
        teams: teams
            .iter()
            .map(|t| ExistingTeam {
                name: t.name.clone(),
                site: t.site_name.clone(),
                lead: t.lead_user_id.and_then(|u| user_name.get(&u).cloned()),
                parent: t.parent_team_id.and_then(|p| team_name.get(&p).cloned()),
            })
            .collect(),
        sites: ctx
            .db
            .list_sites()
            .await?
            .into_iter()
            .map(|s| s.name)
            .collect(),
    };
    let by_name = users
        .into_iter()
        .map(|u| (u.username.to_ascii_lowercase(), u))
        .collect();
    Ok((current, by_name))
}

/// What importing `text` would change, as `actor_username` (who cannot deactivate
/// themselves; `None` on the command line) would see it.
pub async fn preview(
    ctx: &Ctx,
    actor_username: Option<&str>,
    text: &str,
    leavers_confirmed: bool,
) -> Result<Preview> {
    let (people, mut errors) = directory::parse(text);
    let (mut current, users) = current(ctx).await?;
    let mut planned = directory::plan(&people, &current, actor_username, leavers_confirmed);
    // Someone who would leave while holding the last key to a hotline case is a problem
    // of the file, asked only about those who would leave.
    if let Ok(plan) = &planned {
        let mut holders = Vec::new();
        for l in &plan.deactivate {
            if let Some(u) = users.get(&l.username.to_ascii_lowercase()) {
                if ctx.db.cases_held_only_by(u.id).await? > 0 {
                    holders.push(l.username.clone());
                }
            }
        }
        if !holders.is_empty() {
            for e in &mut current.people {
                e.last_case_key = holders.contains(&e.username);
            }
            planned = directory::plan(&people, &current, actor_username, leavers_confirmed);
        }
    }
    let plan = match planned {
        Ok(plan) => plan,
        Err(more) => {
            errors.extend(more);
            Plan::default()
        }
    };
    errors.sort_by_key(|e: &LineError| e.line);
    let plan = if errors.is_empty() {
        plan
    } else {
        Plan::default()
    };
    Ok(Preview {
        errors: errors.iter().map(ToString::to_string).collect(),
        fingerprint: fingerprint(&plan),
        plan,
    })
}

/// Imports `text`: the whole plan or, when the file has a problem, nothing (the preview
/// with its errors is returned as an unprocessable error's message list by the caller).
/// `actor` is recorded in the audit trail.
pub async fn import(
    ctx: &Ctx,
    actor: &str,
    actor_username: Option<&str>,
    text: &str,
    options: Options<'_>,
) -> Result<Preview> {
    let preview = preview(ctx, actor_username, text, options.leavers_confirmed).await?;
    if !preview.ok() {
        return Ok(preview);
    }
    if let Some(expected) = options.fingerprint {
        if expected != preview.fingerprint {
            return Err(Error::new(
                Kind::Conflict,
                "The directory or the file changed since the changes were shown: check them again before importing.",
            ));
        }
    }
    if preview.plan.is_empty() {
        return Ok(preview);
    }
    let plan = &preview.plan;
    let applied = ctx
        .db
        .apply_directory_plan(plan, ctx.now(), &mut rand::rngs::OsRng)
        .await?;
    for id in &applied.deactivated {
        if let Some(u) = ctx.db.user_by_id(*id).await? {
            crate::hotline::cases::leave_cases(ctx, actor, &u, false).await?;
        }
    }
    let names = |v: &mut dyn Iterator<Item = &String>| v.cloned().collect::<Vec<_>>();
    ctx.audit(
        actor,
        "directory.imported",
        "directory",
        json!({
            "people_in_file": plan.people_in_file,
            "added": names(&mut plan.create.iter().map(|p| &p.username)),
            "changed": names(&mut plan.update.iter().map(|u| &u.person.username)),
            "roles_changed": plan.update.iter().filter(|u| u.roles.is_some()).map(|u| json!({
                "user": u.person.username,
                "to": u.roles.as_deref().unwrap_or(&[] as &[Role]),
            })).collect::<Vec<_>>(),
            "deactivated": names(&mut plan.deactivate.iter().map(|l| &l.username)),
            "reactivated": names(&mut plan.reactivate.iter()),
            "new_teams": plan.new_teams.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
            "new_sites": plan.new_sites,
            "leads": plan.leads.iter().map(|c| json!({"team": c.team, "lead": c.to})).collect::<Vec<_>>(),
            "file_sha256": sha256_hex(text.as_bytes()),
        }),
    )
    .await?;
    Ok(preview)
}
