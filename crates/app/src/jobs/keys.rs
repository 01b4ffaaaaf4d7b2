//! Rotating the master key: every sealed value is wrapped again under the newest key.

use crate::{Ctx, Error, Kind, Result};
use righttrack_core::crypto::Keyring;
use righttrack_core::interactions::VAULT_PURPOSE;
use righttrack_store::conflicts::SealedField;
use serde_json::json;

/// A value that could not be wrapped again, named by where it is (never its content).
fn unwrappable(what: String) -> Error {
    Error::new(Kind::Internal, what)
}

/// Wraps every sealed value (second-factor secrets, the privacy vault, the conflicts of
/// interest's reference key and sealed texts, pay lines, coaching texts) again under `keys`' current version
/// `key_id`, which the caller has already saved, and records the rotation. Returns how
/// many values were re-wrapped.
pub async fn rewrap_all(ctx: &Ctx, keys: &Keyring, key_id: u32) -> Result<usize> {
    let mut rng = rand::rngs::OsRng;
    let mut rewrapped = 0;
    for (user, sealed) in ctx.db.all_sealed_totp().await? {
        // Bound to the user's row, or (before the server's first start after the
        // upgrade) sealed the old way.
        let purpose = crate::platform::totp::totp_purpose_of(keys, user, &sealed);
        let new = keys
            .rewrap(&purpose, &sealed, &mut rng)
            .map_err(|e| unwrappable(format!("user {user}: {e}")))?;
        if ctx.db.replace_sealed_totp(user, &sealed, &new).await? {
            rewrapped += 1;
        }
    }
    for (id, sealed) in ctx.db.all_vault_sealed().await? {
        let new = keys
            .rewrap(VAULT_PURPOSE, &sealed, &mut rng)
            .map_err(|e| unwrappable(format!("vault entry {id}: {e}")))?;
        if ctx.db.replace_vault_sealed(&id, &sealed, &new).await? {
            rewrapped += 1;
        }
    }
    // Conflicts of interest: the reference key, disclosure details, rationales and
    // mitigations.
    for field in SealedField::ALL {
        let purpose = match field {
            SealedField::RefKey => righttrack_core::conflicts::REF_KEY_PURPOSE,
            _ => righttrack_core::conflicts::SEAL_PURPOSE,
        };
        for (row, sealed) in ctx.db.conflict_sealed(field).await? {
            let new = keys
                .rewrap(purpose, &sealed, &mut rng)
                .map_err(|e| unwrappable(format!("conflicts {field:?} {row}: {e}")))?;
            if ctx
                .db
                .replace_conflict_sealed(field, &row, &sealed, &new)
                .await?
            {
                rewrapped += 1;
            }
        }
    }
    for (period, person, sealed) in ctx.db.all_pay_sealed().await? {
        let new = keys
            .rewrap(crate::program::pay::PURPOSE, &sealed, &mut rng)
            .map_err(|e| unwrappable(format!("pay line {period} {person}: {e}")))?;
        if ctx
            .db
            .replace_pay_sealed(&period, &person, &sealed, &new)
            .await?
        {
            rewrapped += 1;
        }
    }
    for (column, id, n, sealed) in ctx.db.all_coaching_sealed().await? {
        let new = keys
            .rewrap(crate::program::coaching::PURPOSE, &sealed, &mut rng)
            .map_err(|e| unwrappable(format!("coaching {column} {id} {n}: {e}")))?;
        if ctx
            .db
            .replace_coaching_sealed(column, &id, n, &sealed, &new)
            .await?
        {
            rewrapped += 1;
        }
    }
    ctx.audit(
        "cli",
        "keys.rotated",
        "",
        json!({"key_id": key_id, "rewrapped": rewrapped}),
    )
    .await?;
    Ok(rewrapped)
}
