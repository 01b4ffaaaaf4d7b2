//! Web sessions. The cookie carries a random 256-bit id; the database keeps only its
//! SHA-256, so a copy of the database cannot be used to hijack a session.

use crate::{from_ms, ms, on_pool, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::ids::UserId;

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: UserId,
    pub csrf_token: righttrack_core::Secret<String>,
    /// False until a privileged user has passed (or enrolled) TOTP.
    pub mfa_passed: bool,
    pub expires_at: Timestamp,
    /// The last request made with it (its creation until then).
    pub last_seen_at: Timestamp,
    /// A case reader's X25519 secret sealed under the session id
    /// ([`righttrack_core::casekeys::seal_for_session`]); `None` for everyone else.
    pub reader_sealed: Option<Vec<u8>>,
}

/// A session about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a [u8; 32],
    pub user: UserId,
    pub csrf: &'a str,
    pub mfa_passed: bool,
    pub now: Timestamp,
    pub expires: Timestamp,
    /// See [`Session::reader_sealed`].
    pub reader_sealed: Option<&'a [u8]>,
}

type SessionRow = (String, String, bool, i64, Option<Vec<u8>>, i64);

impl Db {
    pub async fn create_session(&self, n: NewSession<'_>) -> Result<()> {
        let NewSession {
            id_hash,
            user,
            csrf,
            mfa_passed,
            now,
            expires,
            reader_sealed,
        } = n;
        on_pool!(self, |p| {
            sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_passed, created_at, expires_at, reader_sealed, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $5)"
        )
        .bind(&id_hash[..])
        .bind(user.to_string())
        .bind(csrf)
        .bind(mfa_passed)
        .bind(ms(now))
        .bind(ms(expires))
        .bind(reader_sealed)
        .execute(p)
        .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The live session with this id hash, if any (expired sessions are not returned).
    pub async fn session(&self, id_hash: &[u8; 32], now: Timestamp) -> Result<Option<Session>> {
        let row: Option<SessionRow> = on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT user_id, csrf_token, mfa_passed, expires_at, reader_sealed, COALESCE(last_seen_at, created_at) FROM sessions WHERE id_hash = $1 AND expires_at > $2"
        )
        .bind(&id_hash[..])
        .bind(ms(now))
        .fetch_optional(p)
        .await?
        });
        row.map(|(u, csrf, mfa, exp, reader_sealed, seen)| {
            Ok(Session {
                user_id: UserId::parse(&u)
                    .ok_or_else(|| StoreError::Corrupt("session user id".into()))?,
                csrf_token: righttrack_core::Secret::new(csrf),
                mfa_passed: mfa,
                expires_at: from_ms(exp),
                last_seen_at: from_ms(seen),
                reader_sealed,
            })
        })
        .transpose()
    }

    /// Records a request made with the session (the idle timeout counts from here).
    pub async fn touch_session(&self, id_hash: &[u8; 32], now: Timestamp) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1"
        )
        .bind(&id_hash[..])
        .bind(ms(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn mark_session_mfa_passed(&self, id_hash: &[u8; 32]) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE sessions SET mfa_passed = TRUE WHERE id_hash = $1"
        )
        .bind(&id_hash[..])
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1"
        )
        .bind(&id_hash[..])
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Ends every session of a user (password change, role change, lockout by an admin).
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        Ok(on_pool!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1"
        )
        .bind(user.to_string())
        .execute(p)
        .await?
        .rows_affected()))
    }

    pub async fn purge_expired_sessions(&self, now: Timestamp) -> Result<u64> {
        Ok(on_pool!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(ms(now))
        .execute(p)
        .await?
        .rows_affected()))
    }
}

impl Db {
    /// Has the one-time data upgrade `name` run?
    pub async fn upgrade_done(&self, name: &str) -> Result<bool> {
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM data_upgrades WHERE name = $1"
        )
        .bind(name)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }

    /// Records that the one-time data upgrade `name` ran.
    pub async fn mark_upgrade_done(&self, name: &str, now: Timestamp) -> Result<()> {
        on_pool!(self, |p| {
            sqlx::query(
            "INSERT INTO data_upgrades (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
        )
        .bind(name)
        .bind(ms(now))
        .execute(p)
        .await?
        .rows_affected()
        });
        Ok(())
    }
}
