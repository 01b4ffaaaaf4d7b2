//! What sign-in keeps beside the database: the per-account rate limit of second-factor
//! codes, the look-alike lockout of unknown usernames, the row-bound sealing of TOTP
//! secrets and the administrators' alert when a second factor locks.
//!
//! **Architecture Invariant:** a wrong second-factor code is counted apart from wrong
//! passwords and a right password never resets that count; the second factor locks
//! after `totp_lockout_after` wrong codes (tested by
//! `attacks::auth::second_factor_brute_force_through_fresh_sign_ins_locks`).

use crate::error::AppResult;
use crate::limit::{Kind, Limiter, Rate};
use crate::state::AppState;
use jiff::Timestamp;
use righttrack_core::ids::UserId;
use righttrack_core::Role;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Second-factor codes per account: 10 at once, then one every 6 seconds.
pub const CODES: Rate = Rate::new(10, 6_000);

/// Above this many unknown usernames tracked, the oldest knowledge is dropped (the map
/// lives in memory only and never holds a name, only a salted hash).
const MAX_UNKNOWN: usize = 100_000;

/// An unknown username's failures and lock end.
type UnknownName = (i64, Option<Timestamp>);

/// In-memory state of sign-in (a restart forgets it; the database keeps the real
/// accounts' counts and locks).
pub struct Guards {
    codes: Limiter,
    salt: [u8; 32],
    /// Salted hash of an unknown username → (failures, locked until).
    unknown: Mutex<HashMap<[u8; 16], UnknownName>>,
}

impl std::fmt::Debug for Guards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("signin::Guards")
    }
}

impl Default for Guards {
    fn default() -> Self {
        let mut salt = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        Guards {
            codes: Limiter::new(CODES, CODES),
            salt,
            unknown: Mutex::new(HashMap::new()),
        }
    }
}

impl Guards {
    fn key(&self, what: &[u8]) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(what);
        let d = h.finalize();
        let mut k = [0u8; 16];
        k.copy_from_slice(&d[..16]);
        k
    }

    /// Takes one second-factor attempt of `user`; `Err(seconds)` to wait when the
    /// account tried too many codes too quickly.
    pub fn take_code(&self, user: UserId, now: Timestamp) -> Result<(), u64> {
        let k = self.key(user.to_string().as_bytes());
        self.codes.take(&k, Kind::Submission, now)
    }

    /// An unknown username's lock, if it is "locked" like a real account would be.
    pub fn unknown_locked(&self, username: &str, now: Timestamp) -> Option<Timestamp> {
        let k = self.key(username.as_bytes());
        let m = self.unknown.lock().ok()?;
        m.get(&k).and_then(|(_, until)| *until).filter(|u| *u > now)
    }

    /// Counts a failed sign-in with an unknown username exactly as a real account's is
    /// counted, so that the answers (and their timing) are the same. Returns the lock's
    /// end if this failure "locked" it.
    pub fn unknown_failed(
        &self,
        username: &str,
        now: Timestamp,
        lock_after: i64,
        lock_for: jiff::SignedDuration,
    ) -> Option<Timestamp> {
        let k = self.key(username.as_bytes());
        let mut m = self.unknown.lock().ok()?;
        if m.len() >= MAX_UNKNOWN && !m.contains_key(&k) {
            m.retain(|_, (_, until)| until.is_some_and(|u| u > now));
            if m.len() >= MAX_UNKNOWN {
                m.clear();
            }
        }
        let e = m.entry(k).or_insert((0, None));
        e.0 += 1;
        if e.0 >= lock_after {
            e.1 = Some(now.checked_add(lock_for).unwrap_or(now));
        }
        e.1.filter(|u| *u > now)
    }
}

/// Second-factor secrets are sealed and opened by the platform's use cases.
pub use righttrack_app::platform::totp::{
    bind_legacy_totp, open_totp, seal_totp, totp_purpose_of, TOTP_BOUND,
};

pub use righttrack_app::platform::totp::SECOND_FACTOR_LOCKED_NOTICE;

/// Tells every enabled administrator (a notice on their home page, at most one a day)
/// that a second factor was locked.
pub async fn alert_admins(state: &AppState, now: Timestamp) -> AppResult<()> {
    let day = now.strftime("%Y-%m-%d").to_string();
    for u in state.db.list_users().await? {
        if u.has(Role::Admin) && !u.disabled {
            state
                .db
                .put_kind_notification(
                    u.id,
                    &day,
                    "second_factor_locked",
                    SECOND_FACTOR_LOCKED_NOTICE,
                    now,
                )
                .await?;
        }
    }
    Ok(())
}
