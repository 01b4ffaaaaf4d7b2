//! API tokens: who may mint one for whom, issuing and revoking.
//!
//! A token is stored only as its SHA-256 (a token is 32 random bytes, so a fast hash is
//! enough and a slow one would cost every API request); the returned value is the only
//! copy. A token is minted only by a person for themselves or for a service account:
//! an administrator minting one for a colleague could act, and be recorded, as them.

use crate::platform::users::Outcome;
use crate::{Caller, Ctx, Error, Result};
use rand::RngCore;
use righttrack_core::authz::Scope;
use righttrack_core::ids::{TokenId, UserId};
use righttrack_core::Secret;
use righttrack_store::directory::User;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A new random secret: 32 bytes, base32 (URL-, form- and header-safe).
pub fn random_token() -> Secret<String> {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Secret::new(data_encoding::BASE32_NOPAD.encode(&b))
}

/// The SHA-256 of a token or session id: what the store keeps instead of the secret.
pub fn sha256(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// May `minter` (a person signed in, or `None` for the command line) make a token for
/// `user`? Only for themselves, or for a service account.
pub fn may_mint_for(minter: Option<&User>, user: &User) -> std::result::Result<(), String> {
    if user.service || minter.is_some_and(|m| m.id == user.id) {
        return Ok(());
    }
    Err(format!(
        "{} is a person: tokens are made only by a person for themselves, or for a service account",
        user.username
    ))
}

/// Issues an API token for `user` and records it in the audit trail. The returned value
/// is the only copy of the token.
pub async fn issue_token(
    ctx: &Ctx,
    actor: &str,
    user: &User,
    name: &str,
    scopes: &[Scope],
) -> Result<Secret<String>> {
    let token = Secret::new(format!("rt_{}", random_token().expose()));
    let id = ctx
        .db
        .create_token(
            user.id,
            name,
            &sha256(token.expose()),
            scopes,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        actor,
        "token.created",
        &id.to_string(),
        serde_json::json!({"user": user.id, "name": name, "scopes": scopes}),
    )
    .await?;
    Ok(token)
}

/// Revokes a live token and records who did it and through which shell (`via`: "web" or
/// "cli"). Not found when there is no such live token.
pub async fn revoke(ctx: &Ctx, actor: &str, id: TokenId, via: &str) -> Result<()> {
    if !ctx.db.revoke_token(id, ctx.now()).await? {
        return Err(Error::not_found());
    }
    ctx.audit(
        actor,
        "token.revoked",
        &id.to_string(),
        serde_json::json!({ "via": via }),
    )
    .await?;
    Ok(())
}

/// The tokens page: every token, newest first, with its owner's username, and the
/// service accounts tokens can be made for.
pub struct Listing {
    pub tokens: Vec<(righttrack_store::tokens::ApiToken, String)>,
    pub service_accounts: Vec<String>,
}

/// Every token with its owner, and the service accounts.
pub async fn listing(ctx: &Ctx) -> Result<Listing> {
    let users = ctx.db.list_users().await?;
    let names: BTreeMap<UserId, String> =
        users.iter().map(|u| (u.id, u.username.clone())).collect();
    let tokens = ctx
        .db
        .list_tokens(None)
        .await?
        .into_iter()
        .rev()
        .map(|t| {
            let owner = names.get(&t.user_id).cloned().unwrap_or_default();
            (t, owner)
        })
        .collect();
    Ok(Listing {
        tokens,
        service_accounts: users
            .into_iter()
            .filter(|u| u.service)
            .map(|u| u.username)
            .collect(),
    })
}

/// `actor` mints a token named `name` for the account `username` (themselves or a
/// service account; a refusal for a colleague is audited). Refusals are worded for the
/// form, naming the field.
pub async fn mint(
    ctx: &Ctx,
    actor: &Caller,
    username: &str,
    name: &str,
    scopes: &[Scope],
) -> Result<Outcome<Secret<String>>> {
    let Some(user) = ctx.db.user_by_username(username.trim()).await? else {
        return Ok(Outcome::Refused("field `username`: no such user".into()));
    };
    if let Err(why) = may_mint_for(Some(&actor.user), &user) {
        ctx.audit(
            &actor.actor(),
            "token.refused",
            &user.id.to_string(),
            serde_json::json!({"reason": "not_self_or_service"}),
        )
        .await?;
        return Ok(Outcome::Refused(format!("field `username`: {why}")));
    }
    if name.trim().is_empty() {
        return Ok(Outcome::Refused(
            "field `name`: give the token a name".into(),
        ));
    }
    let token = issue_token(ctx, &actor.actor(), &user, name.trim(), scopes).await?;
    Ok(Outcome::Done(token))
}
