//! Web sessions. The cookie carries a random 256-bit id; the database keeps only its
//! SHA-256, so a copy of the database cannot be used to hijack a session.

use crate::{from_ms, ms, Db, Result, StoreError};
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
        execute!(
            self,
            "INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_passed, created_at, expires_at, reader_sealed, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $5)",
            &id_hash[..],
            user.to_string(),
            csrf,
            mfa_passed,
            ms(now),
            ms(expires),
            reader_sealed,
        );
        Ok(())
    }

    /// The live session with this id hash, if any (expired sessions are not returned).
    pub async fn session(&self, id_hash: &[u8; 32], now: Timestamp) -> Result<Option<Session>> {
        let row: Option<SessionRow> = fetch!(
            self,
            fetch_optional,
            "SELECT user_id, csrf_token, mfa_passed, expires_at, reader_sealed, COALESCE(last_seen_at, created_at) FROM sessions WHERE id_hash = $1 AND expires_at > $2",
            &id_hash[..],
            ms(now),
        );
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
        execute!(
            self,
            "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
            &id_hash[..],
            ms(now),
        );
        Ok(())
    }

    pub async fn mark_session_mfa_passed(&self, id_hash: &[u8; 32]) -> Result<()> {
        execute!(
            self,
            "UPDATE sessions SET mfa_passed = TRUE WHERE id_hash = $1",
            &id_hash[..]
        );
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<()> {
        execute!(
            self,
            "DELETE FROM sessions WHERE id_hash = $1",
            &id_hash[..]
        );
        Ok(())
    }

    /// Ends every session of a user (password change, role change, lockout by an admin).
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        Ok(execute!(
            self,
            "DELETE FROM sessions WHERE user_id = $1",
            user.to_string()
        ))
    }

    pub async fn purge_expired_sessions(&self, now: Timestamp) -> Result<u64> {
        Ok(execute!(
            self,
            "DELETE FROM sessions WHERE expires_at <= $1",
            ms(now)
        ))
    }
}

impl Db {
    /// Has the one-time data upgrade `name` run?
    pub async fn upgrade_done(&self, name: &str) -> Result<bool> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT COUNT(*) FROM data_upgrades WHERE name = $1",
            name,
        );
        Ok(n > 0)
    }

    /// Records that the one-time data upgrade `name` ran.
    pub async fn mark_upgrade_done(&self, name: &str, now: Timestamp) -> Result<()> {
        execute!(
            self,
            "INSERT INTO data_upgrades (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            name,
            ms(now),
        );
        Ok(())
    }
}
