//! Accounts: creating users and service accounts, moving, unlocking.
//!
//! Each change is written to the audit trail with the shell it came through (`via`), so
//! the trail tells an administrator's page from the command line. Follow-ups that belong
//! to other capabilities (a case reader's key pair, training assignments, hotline case
//! hand-over) are the caller's next step, through those capabilities' own use cases.

use crate::{Ctx, Error, Result};
use righttrack_core::ids::TeamId;
use righttrack_core::Role;
use righttrack_store::directory::{NewUser, User};
use righttrack_store::StoreError;
use serde_json::json;

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
