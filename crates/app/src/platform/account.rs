//! One's own account: changing the password.
//!
//! A new password is hashed behind the password gate, the case reader's key (if any) is
//! locked again under it, and every session of the user ends: whoever knew the old
//! password is out. Starting the fresh session (a cookie) is the web shell's; the reader
//! key pair for a new case role is the hotline's; so the change is two calls, with
//! [`record_password_changed`] written once the caller has done its part.

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::{password, Secret};
use serde_json::json;

/// Checks the current password, applies the policy to the new one and stores it. A
/// wrong current password is audited and refused on `current`; a new password the
/// policy refuses is refused on `new` (both unprocessable, with words for the person).
pub async fn change_password(
    ctx: &Ctx,
    actor: &Caller,
    current: &Secret<String>,
    new: &Secret<String>,
) -> Result<()> {
    let creds = ctx.db.credentials(actor.user.id).await?;
    let ok = creds.password_hash.is_some()
        && ctx
            .verify_password(current, creds.password_hash.as_ref())
            .await?;
    if !ok {
        ctx.audit(
            &actor.actor(),
            "password.change_failure",
            &actor.actor(),
            json!({"reason": "wrong_current"}),
        )
        .await?;
        return Err(Error::unprocessable("Your current password is not right.").on("current"));
    }
    if let Err(why) = password::check_policy(new.expose()) {
        return Err(Error::unprocessable(why).on("new"));
    }
    let phc = ctx.hash_password(new).await?;
    ctx.db.set_password_hash(actor.user.id, &phc).await?;
    ctx.db
        .relock_reader_key(
            actor.user.id,
            &actor.user.roles,
            current,
            new,
            &mut rand::rngs::OsRng,
        )
        .await?;
    // Sign out every other session: whoever knew the old password is out.
    ctx.db.delete_user_sessions(actor.user.id).await?;
    Ok(())
}

/// Records the change in the audit trail, once the new session exists.
pub async fn record_password_changed(ctx: &Ctx, actor: &Caller) -> Result<()> {
    ctx.audit(
        &actor.actor(),
        "password.changed",
        &actor.actor(),
        json!({}),
    )
    .await?;
    Ok(())
}
