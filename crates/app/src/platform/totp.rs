//! Sealing users' second-factor (TOTP) secrets, bound to their row.
//!
//! A secret is sealed under the purpose `totp:<user id>`, so a sealed secret copied onto
//! another user's row does not open. Secrets sealed before that binding existed (purpose
//! `totp` alone) are sealed again once, at start ([`bind_legacy_totp`]); after that
//! upgrade is recorded, an unbound secret no longer opens.

use crate::{Ctx, Error, Result};
use righttrack_core::crypto::{CryptoError, Keyring};
use righttrack_core::ids::UserId;

/// The alert text on administrators' home pages when a second factor locks (sign-in
/// writes it; the home page links it to the audit trail).
pub const SECOND_FACTOR_LOCKED_NOTICE: &str =
    "An account's two-factor check was locked after repeated wrong codes. See the audit trail (login.second_factor_locked).";

/// The one-time upgrade that seals every TOTP secret bound to its row.
pub const TOTP_BOUND: &str = "totp_bound";

/// The purpose (key derivation and associated data) a user's TOTP secret is sealed under.
fn totp_purpose(user: UserId) -> String {
    format!("totp:{user}")
}

/// Seals a user's TOTP secret, bound to that user.
pub fn seal_totp(
    ctx: &Ctx,
    user: UserId,
    secret: &[u8],
) -> std::result::Result<Vec<u8>, CryptoError> {
    ctx.seal(&totp_purpose(user), secret)
}

/// Opens a user's TOTP secret. Until [`bind_legacy_totp`] has run, a secret sealed the
/// old way still opens and is sealed again bound to the user; afterwards only bound
/// secrets open, so an old unbound copy written into a row is refused.
pub async fn open_totp(ctx: &Ctx, user: UserId, sealed: &[u8]) -> Result<String> {
    let plain = match ctx.open(&totp_purpose(user), sealed) {
        Ok(p) => p,
        Err(bound_err) => {
            if ctx.db.upgrade_done(TOTP_BOUND).await? {
                return Err(Error::internal(&bound_err));
            }
            let Ok(p) = ctx.open("totp", sealed) else {
                return Err(Error::internal(&bound_err));
            };
            let resealed = seal_totp(ctx, user, &p).map_err(|e| Error::internal(&e))?;
            ctx.db.replace_sealed_totp(user, sealed, &resealed).await?;
            p
        }
    };
    String::from_utf8(plain).map_err(|e| Error::internal(&e))
}

/// Seals every TOTP secret still sealed the old way bound to its user's row, once; then
/// records the upgrade. Returns how many were sealed again.
pub async fn bind_legacy_totp(ctx: &Ctx) -> Result<u64> {
    if ctx.db.upgrade_done(TOTP_BOUND).await? {
        return Ok(0);
    }
    let mut n = 0;
    for (user, sealed) in ctx.db.all_sealed_totp().await? {
        if ctx.open(&totp_purpose(user), &sealed).is_ok() {
            continue;
        }
        let p = ctx.open("totp", &sealed).map_err(|e| Error::internal(&e))?;
        let resealed = seal_totp(ctx, user, &p).map_err(|e| Error::internal(&e))?;
        if ctx.db.replace_sealed_totp(user, &sealed, &resealed).await? {
            n += 1;
        }
    }
    ctx.db.mark_upgrade_done(TOTP_BOUND, ctx.now()).await?;
    Ok(n)
}

/// The key-derivation purpose of a user's sealed TOTP secret, for key rotation: bound
/// (`totp:<user id>`) or, before the upgrade, `totp`.
pub fn totp_purpose_of(keys: &Keyring, user: UserId, sealed: &[u8]) -> String {
    let bound = totp_purpose(user);
    if keys.open(&bound, sealed).is_ok() {
        bound
    } else {
        "totp".to_owned()
    }
}
