//! The privacy vault as the interaction page sees it: whether an original is kept and
//! whether the viewer could open it (role and current data-privacy training).

use crate::{Caller, Ctx, Result};
use righttrack_core::authz::Action;

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
