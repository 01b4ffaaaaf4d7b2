//! The ethics program: policies and attestations, training, climate surveys, conflicts of interest, corrective actions, discipline and recognition.

pub mod capa;
pub mod conflicts;
pub mod discipline;
pub mod kudos;
pub mod policies;
pub mod surveys;
pub mod training;

use crate::{Caller, Ctx, Result};

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
