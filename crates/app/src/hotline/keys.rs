//! Case readers' key pairs: made at sign-in, certified by the server, trusted only when
//! the server's signature over them verifies.
//!
//! A reader's X25519 secret is sealed under their password, so only the server, holding
//! the password for a moment at sign-in (or at a password change, or from the command
//! line), can make or open it; this is where that happens. The public half is signed
//! with the server's key, and case keys are wrapped only for signed public keys
//! ([`verified_readers`]): a public key written straight into the database by someone
//! else receives nothing. The web shell's sign-in, password pages and the `righttrack`
//! command all call these functions, so there is one way to make a reader key.

use crate::{Ctx, Error, Result};
use righttrack_core::casekeys::{unlock_reader_secret, ReaderSecret};
use righttrack_core::Secret;
use righttrack_store::directory::User;
use serde_json::json;

/// Gives a reader a key pair if they have none (the password is in hand), and records
/// that in the audit trail. Returns the reader's unlocked secret (for the session about
/// to start); `None` for users who read no cases. A secret that no longer opens with the
/// password (reset by an administrator) is replaced: cases are re-wrapped for the new key
/// by the next reader who opens them.
pub async fn ensure_reader_key(
    ctx: &Ctx,
    actor: &str,
    user: &User,
    password: &Secret<String>,
) -> Result<Option<ReaderSecret>> {
    if !righttrack_store::speakup::is_reader(&user.roles) {
        return Ok(None);
    }
    for attempt in 0..2 {
        if ctx
            .db
            .ensure_reader_key(user.id, &user.roles, password, &mut rand::rngs::OsRng)
            .await?
        {
            ctx.audit(
                actor,
                "speakup.reader_key_created",
                &user.id.to_string(),
                json!({}),
            )
            .await?;
        }
        let Some((_, locked)) = ctx.db.reader_keys(user.id).await? else {
            return Ok(None);
        };
        let pw = password.clone();
        let opened = tokio::task::spawn_blocking(move || unlock_reader_secret(&locked, &pw))
            .await
            .map_err(|e| Error::internal(&e))?;
        match opened {
            Ok(secret) => {
                certify_reader_key(ctx, actor, user.id, &secret.public()).await?;
                return Ok(Some(secret));
            }
            Err(_) if attempt == 0 => ctx.db.clear_reader_keys(user.id).await?,
            Err(e) => return Err(Error::internal(&e)),
        }
    }
    Ok(None)
}

/// Makes sure the stored public key is the one of the secret the owner's password just
/// opened, signed by the server. A stored public key that does not match the secret was
/// written by someone else: it is replaced (and audited, without content); a missing or
/// failing signature is (re)made. Cases are wrapped only for signed keys
/// ([`verified_readers`]).
async fn certify_reader_key(
    ctx: &Ctx,
    actor: &str,
    user: righttrack_core::ids::UserId,
    public: &righttrack_core::casekeys::ReaderPublic,
) -> Result<()> {
    let stored = ctx.db.reader_keys(user).await?.map(|(k, _)| k);
    let sig = ctx.db.reader_key_signature(user).await?;
    let uid = user.to_string();
    let vk = ctx.signer.verifying_key();
    if stored.as_ref() == Some(public)
        && sig
            .as_deref()
            .is_some_and(|s| righttrack_core::casekeys::reader_key_signed(&vk, &uid, public, s))
    {
        return Ok(());
    }
    let replaced = stored.as_ref() != Some(public);
    let fresh = righttrack_core::casekeys::sign_reader_key(&ctx.signer, &uid, public);
    ctx.db.certify_reader_key(user, public, &fresh).await?;
    if replaced {
        tracing::warn!(
            user = %uid,
            "a reader public key did not match its owner's secret and was replaced"
        );
    }
    ctx.audit(
        actor,
        "speakup.reader_key_signed",
        &uid,
        json!({"replaced_mismatched_key": replaced}),
    )
    .await?;
    Ok(())
}

/// Signs, once, the reader public keys made before keys were signed (the upgrade that
/// introduced signatures): they are trusted as they stand at that moment. The caller
/// runs it only while a marker outside the database says it has not run yet, so a key
/// written into the database later without a signature is never signed this way.
/// Returns how many keys were signed (audited as one entry).
pub async fn sign_keys_made_before_signatures(ctx: &Ctx) -> Result<usize> {
    let keys = ctx.db.unsigned_reader_keys().await?;
    for (u, public) in &keys {
        let sig = righttrack_core::casekeys::sign_reader_key(&ctx.signer, &u.to_string(), public);
        ctx.db.set_reader_key_signature(*u, public, &sig).await?;
    }
    if !keys.is_empty() {
        ctx.db.bump_readers_epoch().await?;
        ctx.audit(
            "system",
            "speakup.reader_keys_signed_at_upgrade",
            "",
            json!({"keys": keys.len()}),
        )
        .await?;
    }
    Ok(keys.len())
}

/// Active users holding any of `roles`, with their reader public key only if the
/// server's signature over it verifies. A key whose signature fails (written into the
/// database by someone else) is treated as no key: nothing is wrapped for it, and the
/// refusal is logged with the user id only.
pub async fn verified_readers(
    ctx: &Ctx,
    roles: &[righttrack_core::Role],
) -> Result<
    Vec<(
        righttrack_core::ids::UserId,
        Option<righttrack_core::casekeys::ReaderPublic>,
    )>,
> {
    let vk = ctx.signer.verifying_key();
    Ok(ctx
        .db
        .active_readers_with(roles)
        .await?
        .into_iter()
        .map(|(u, k)| {
            let k = k.and_then(|(public, sig)| {
                let ok = sig.as_deref().is_some_and(|s| {
                    righttrack_core::casekeys::reader_key_signed(&vk, &u.to_string(), &public, s)
                });
                if !ok {
                    tracing::warn!(
                        user = %u,
                        "a reader public key has no valid server signature: no case key is wrapped for it"
                    );
                }
                ok.then_some(public)
            });
            (u, k)
        })
        .collect())
}
