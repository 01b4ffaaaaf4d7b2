//! The privacy vault as the interaction page sees it: whether an original is kept and
//! whether the viewer could open it (role and current data-privacy training); and
//! opening one ([`open`]).

use crate::program::training::gate::Resource;
use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::authz::Action;
use righttrack_core::interactions::VAULT_PURPOSE;
use serde_json::json;

/// What the interaction page shows about the vault.
pub struct VaultView {
    pub expires: String,
    /// The caller's data-privacy training is current.
    pub trained: bool,
}

/// The vault box for the interaction page: `None` when the caller may not open
/// originals or none is kept for this interaction.
pub async fn view(ctx: &Ctx, caller: &Caller, ext_id: &str) -> Result<Option<VaultView>> {
    if !righttrack_core::authz::allowed(&caller.user.roles, Action::VaultOpen) {
        return Ok(None);
    }
    let trained = crate::program::training::gate::standing(ctx, caller.user.id)
        .await?
        .current;
    Ok(ctx
        .db
        .vault_entry(ext_id, ctx.now())
        .await?
        .map(|e| VaultView {
            expires: righttrack_core::clock::minute(e.expires_at),
            trained,
        }))
}

/// The shortest reason accepted for opening an original.
pub const MIN_REASON: usize = 15;

/// An original opened: the interaction's id, the reason as audited (scrubbed) and the
/// original's turns as received.
pub struct Original {
    pub ext_id: String,
    pub reason: String,
    pub turns: serde_json::Value,
}

/// Opens the sealed original of interaction `id` for `caller`, who gave `reason`. In this
/// order: the vault still holds it, the reason is long enough, the data-access gate
/// passes (it audits its decision); then the opening is audited, before decrypting.
pub async fn open(ctx: &Ctx, caller: &Caller, id: &str, reason: &str) -> Result<Original> {
    let Some(i) = ctx.db.interaction(id).await? else {
        return Err(Error::not_found());
    };
    let Some(entry) = ctx.db.vault_entry(&i.ext_id, ctx.now()).await? else {
        return Err(Error::new(
            Kind::NotFound,
            "No original is kept for this interaction: the privacy vault was off when it was ingested, or its retention has ended.",
        ));
    };
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON {
        return Err(Error::bad_request(format!(
            "field `reason`: say why you need the original, in at least {MIN_REASON} characters"
        )));
    }
    crate::program::training::gate::check(ctx, caller, Resource::Original, &i.ext_id).await?;
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let reason = righttrack_core::interactions::scrub(&engine, reason);
    ctx.audit(
        &caller.actor(),
        "interaction.original_opened",
        &i.ext_id,
        json!({"reason": reason}),
    )
    .await?;
    let plain = ctx
        .open(VAULT_PURPOSE, &entry.sealed)
        .map_err(|e| Error::internal(&e))?;
    let mut original: serde_json::Value =
        serde_json::from_slice(&plain).map_err(|e| Error::internal(&e))?;
    // The envelope is bound to the purpose, not the row: check the row is this one's.
    if original["id"].as_str() != Some(i.ext_id.as_str()) {
        return Err(Error::internal(
            &"vault entry does not match its interaction",
        ));
    }
    Ok(Original {
        ext_id: i.ext_id,
        reason,
        turns: original["turns"].take(),
    })
}
