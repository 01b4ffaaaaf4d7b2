//! API tokens for machine clients. A token is `rt_` + 32 random bytes (base32); only its
//! SHA-256 is stored (the token has 256 bits of entropy, so a slow hash adds nothing).
//! Tokens are scoped, revocable, and record their last use.

use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::authz::Scope;
use righttrack_core::ids::{TokenId, UserId};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

type TokenRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn from_row(r: TokenRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: TokenId::parse(&r.0).ok_or_else(|| StoreError::Corrupt("token id".into()))?,
        user_id: UserId::parse(&r.1).ok_or_else(|| StoreError::Corrupt("token user id".into()))?,
        name: r.2,
        scopes: r.3.split(',').filter_map(Scope::parse).collect(),
        created_at: from_ms(r.4),
        last_used_at: r.5.map(from_ms),
        revoked_at: r.6.map(from_ms),
    })
}

const COLS: &str = "id, user_id, name, scopes, created_at, last_used_at, revoked_at";

impl Db {
    pub async fn create_token(
        &self,
        user: UserId,
        name: &str,
        hash: &[u8; 32],
        scopes: &[Scope],
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<TokenId> {
        let id = TokenId::new_v7(now, rng);
        let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        execute!(
            self,
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            id.to_string(),
            user.to_string(),
            name,
            &hash[..],
            scopes.join(","),
            ms(now),
        );
        Ok(id)
    }

    /// The live (not revoked) token with this hash; records the use. Also returns when
    /// it was used before (None: first use), so callers can audit use without an entry
    /// per request.
    pub async fn use_token(
        &self,
        hash: &[u8; 32],
        now: Timestamp,
    ) -> Result<Option<(ApiToken, Option<Timestamp>)>> {
        let sql =
            format!("SELECT {COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
        let row: Option<TokenRow> = fetch!(self, fetch_optional, &sql, &hash[..]);
        let Some(row) = row else { return Ok(None) };
        let mut tok = from_row(row)?;
        execute!(
            self,
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            ms(now),
            tok.id.to_string(),
        );
        let previous = tok.last_used_at.replace(now);
        Ok(Some((tok, previous)))
    }

    pub async fn list_tokens(&self, user: Option<UserId>) -> Result<Vec<ApiToken>> {
        let rows: Vec<TokenRow> = match user {
            Some(u) => {
                let sql =
                    format!("SELECT {COLS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at");
                fetch!(self, fetch_all, &sql, u.to_string())
            }
            None => {
                let sql = format!("SELECT {COLS} FROM api_tokens ORDER BY created_at");
                fetch!(self, fetch_all, &sql)
            }
        };
        rows.into_iter().map(from_row).collect()
    }

    /// Revokes a token; returns false if it was unknown or already revoked.
    pub async fn revoke_token(&self, id: TokenId, now: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            ms(now),
            id.to_string(),
        );
        Ok(n == 1)
    }
}
