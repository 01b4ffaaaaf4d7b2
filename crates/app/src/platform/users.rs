//! Accounts: creating users and service accounts, roles, disabling, moving, unlocking.
//!
//! Each change is written to the audit trail with the shell it came through (`via`), so
//! the trail tells an administrator's page from the command line. Follow-ups that belong
//! to other capabilities (a case reader's key pair, training assignments, hotline case
//! hand-over) are the caller's next step, through those capabilities' own use cases;
//! only the hotline's hand-over of people who leave ([`crate::hotline::cases::leave_cases`])
//! is part of changing roles and disabling, which must not happen without it.

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::ids::{TeamId, UserId};
use righttrack_core::Role;
use righttrack_store::directory::{NewUser, User};
use righttrack_store::StoreError;
use serde_json::json;
use std::collections::BTreeMap;

/// Maps a store refusal of a new account to words for the administrator: a duplicate
/// name, or a malformed one (the store says which rule it breaks).
fn refused(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(m) => Error::conflict(format!("{m} already exists.")),
        StoreError::Corrupt(m) => Error::unprocessable(m),
        other => other.into(),
    }
}

/// Creates a person's account (password already hashed) and records it.
pub async fn create(ctx: &Ctx, actor: &str, new: NewUser, via: &str) -> Result<User> {
    let roles = new.roles.clone();
    let u = ctx
        .db
        .create_user(new, ctx.now(), &mut rand::rngs::OsRng)
        .await
        .map_err(refused)?;
    ctx.audit(
        actor,
        "user.created",
        &u.id.to_string(),
        json!({"roles": roles, "via": via}),
    )
    .await?;
    Ok(u)
}

/// Adds a service account: no person, no password, and only roles that need no second
/// factor (a program cannot pass one). A refused role is an unprocessable `role`.
pub async fn create_service_account(
    ctx: &Ctx,
    actor: &str,
    username: &str,
    display_name: &str,
    roles: &[Role],
    via: &str,
) -> Result<User> {
    if let Some(r) = roles.iter().find(|r| r.requires_two_factor()) {
        return Err(Error::unprocessable(format!(
            "a service account cannot be {}: that role needs a person's second factor",
            r.label()
        ))
        .on("role"));
    }
    let u = ctx
        .db
        .create_service_account(
            username,
            display_name,
            roles,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await
        .map_err(|e| match refused(e) {
            e @ Error {
                kind: crate::Kind::Unprocessable,
                ..
            } => e.on("username"),
            e => e,
        })?;
    ctx.audit(
        actor,
        "user.created",
        &u.id.to_string(),
        json!({"roles": roles, "via": via, "service": true}),
    )
    .await?;
    Ok(u)
}

/// Unlocks a user locked after wrong passwords or wrong second-factor codes (both counts
/// start again).
pub async fn unlock(ctx: &Ctx, actor: &str, user: &User) -> Result<()> {
    ctx.db.unlock_user(user.id).await?;
    ctx.audit(actor, "user.unlocked", &user.id.to_string(), json!({}))
        .await?;
    Ok(())
}

/// Moves a user to another team (or to none). Audited as
/// [`righttrack_store::retaliation::TEAM_CHANGED`] with the two teams, which is what the
/// retaliation watch reads: a named reporter moved after filing is a signal. Returns
/// `false` (and records nothing) when the user is already there.
pub async fn set_team(ctx: &Ctx, actor: &str, user: &User, to: Option<TeamId>) -> Result<bool> {
    use righttrack_store::retaliation::{team_changed_detail, TEAM_CHANGED};
    if to == user.team_id {
        return Ok(false);
    }
    ctx.db.set_user_team(user.id, to).await?;
    ctx.audit(
        actor,
        TEAM_CHANGED,
        &user.id.to_string(),
        team_changed_detail(user.team_id, to),
    )
    .await?;
    Ok(true)
}

/// What became of a change an administrator asked for: done, or refused with words for
/// them (the users page shows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T = ()> {
    Done(T),
    Refused(String),
}

/// One account as the users page lists it.
pub struct Listed {
    pub user: User,
    /// The team's name, if any.
    pub team: Option<String>,
    /// Data-privacy training as the gate sees it ("current until …", "expired …").
    pub privacy_training: String,
    /// Locked now, after wrong passwords or wrong two-factor codes.
    pub locked: bool,
}

/// The users page: every account, and every team.
pub struct Directory {
    pub users: Vec<Listed>,
    pub teams: Vec<righttrack_store::directory::Team>,
}

/// Every account with its team, training and lock, and the teams to choose from.
pub async fn directory(ctx: &Ctx) -> Result<Directory> {
    let teams = ctx.db.list_teams().await?;
    let names: BTreeMap<TeamId, String> = teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut users = Vec::new();
    for u in ctx.db.list_users().await? {
        let privacy_training = crate::program::training::gate::describe(ctx, u.id).await?;
        let creds = ctx.db.credentials(u.id).await?;
        let now = ctx.now();
        let locked = creds.locked_until.is_some_and(|t| t > now)
            || creds.totp_locked_until.is_some_and(|t| t > now);
        users.push(Listed {
            team: u.team_id.and_then(|t| names.get(&t).cloned()),
            privacy_training,
            locked,
            user: u,
        });
    }
    Ok(Directory { users, teams })
}

/// The account an administrator's `id` names ("not found" if none).
pub async fn user_at(ctx: &Ctx, id: &str) -> Result<User> {
    let id = UserId::parse(id).ok_or_else(Error::not_found)?;
    ctx.db.user_by_id(id).await?.ok_or_else(Error::not_found)
}

/// Moves `user` to the team whose id is `team` (empty: none); see [`set_team`].
pub async fn move_to(ctx: &Ctx, actor: &str, user: &User, team: &str) -> Result<bool> {
    let to = match team.trim() {
        "" => None,
        t => Some(
            ctx.db
                .list_teams()
                .await?
                .into_iter()
                .find(|x| x.id.to_string() == t)
                .ok_or_else(|| Error::bad_request("field `team`: no such team"))?
                .id,
        ),
    };
    set_team(ctx, actor, user, to).await
}

/// Gives `user` exactly `roles` (sorted, not empty). The user is signed out at once, so
/// a removed permission never outlives the request; a change of case roles takes them
/// off hotline cases (refused if they hold the last key to one). Audited.
pub async fn set_roles(ctx: &Ctx, actor: &Caller, user: &User, roles: &[Role]) -> Result<Outcome> {
    if user.id == actor.user.id && !roles.contains(&Role::Admin) {
        return Ok(Outcome::Refused(
            "You cannot remove your own admin role.".into(),
        ));
    }
    let case_roles = |rs: &[Role]| -> Vec<Role> {
        rs.iter()
            .copied()
            .filter(|r| crate::hotline::cases::ALL_CASE_ROLES.contains(r))
            .collect()
    };
    let case_roles_change = case_roles(&user.roles) != case_roles(roles);
    if case_roles_change {
        if let Err(e) = crate::hotline::cases::check_not_last_holder(ctx, user).await {
            return Ok(Outcome::Refused(e.message));
        }
    }
    ctx.db.set_roles(user.id, roles).await?;
    // Role changes take effect at once: the user signs in again with the new roles.
    ctx.db.delete_user_sessions(user.id).await?;
    if case_roles_change {
        let works = roles.iter().any(|r| {
            matches!(
                r,
                Role::Investigator | Role::EthicsOfficer | Role::AuditCommittee
            )
        });
        crate::hotline::cases::leave_cases(ctx, &actor.actor(), user, works).await?;
    }
    ctx.audit(
        &actor.actor(),
        "user.roles_changed",
        &user.id.to_string(),
        json!({"from": user.roles, "to": roles}),
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// Disables or re-enables `user`. Disabling signs them out everywhere and takes them off
/// hotline cases (keys destroyed, cases they were assigned shown as needing a new
/// assignee: the hand-over when someone leaves). Nobody disables themselves. Audited.
pub async fn set_disabled(
    ctx: &Ctx,
    actor: &Caller,
    user: &User,
    disabled: bool,
) -> Result<Outcome> {
    if disabled && user.id == actor.user.id {
        return Ok(Outcome::Refused("You cannot disable yourself.".into()));
    }
    if disabled {
        if let Err(e) = crate::hotline::cases::check_not_last_holder(ctx, user).await {
            return Ok(Outcome::Refused(e.message));
        }
    }
    ctx.db.set_user_disabled(user.id, disabled).await?;
    if disabled {
        ctx.db.delete_user_sessions(user.id).await?;
        crate::hotline::cases::leave_cases(ctx, &actor.actor(), user, false).await?;
    }
    ctx.audit(
        &actor.actor(),
        if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        },
        &user.id.to_string(),
        json!({}),
    )
    .await?;
    Ok(Outcome::Done(()))
}
