//! An in-memory rate limiter for the public feedback pages (`/f/*`), the hotline and
//! sign-in.
//!
//! Each client has two token buckets: *misses* (lookups of an unknown token, so tokens
//! cannot be probed) and *submissions* (every form post). A client whose bucket is empty
//! gets 429 with `Retry-After` until a token has trickled back in.
//!
//! **No client address is kept:** the bucket key is a SHA-256 of a random per-process
//! salt and the address, truncated; addresses are never stored, logged or written to
//! disk, and the map lives only in memory (a restart forgets it). IPv6 clients are
//! keyed by their /64, which one household or host usually controls.
//!
//! The address is the client as [`crate::client::address`] sees it: the TCP peer
//! (`ConnectInfo`, set by [`crate::serve`]), or, when the peer is a configured trusted
//! proxy, the forwarded client. Where the peer is absent (tests driving the router with
//! `oneshot`, or an embedding that does not record it) every request shares one bucket:
//! stricter, never looser. Behind a proxy that is not configured as trusted, every
//! client shares the proxy's buckets.
//!
//! The same limiter keys sign-in attempts per client and per username
//! ([`Limiter::key_name`]), and [`Gate`] caps slow argon2id work.
//!
//! Time comes from the server's [`righttrack_core::clock::Clock`] through the caller.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

/// A bucket's size and refill rate.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Requests allowed in a burst.
    pub burst: u32,
    /// Milliseconds until one more request is allowed.
    pub refill_ms: i64,
}

impl Rate {
    /// `burst` requests at once, then one more every `refill_ms` milliseconds.
    pub const fn new(burst: u32, refill_ms: i64) -> Self {
        Rate { burst, refill_ms }
    }
}

/// Unknown-token lookups: 20 at once, then one every 30 seconds.
pub const MISSES: Rate = Rate::new(20, 30_000);
/// Form submissions: 20 at once, then one every 30 seconds.
pub const SUBMISSIONS: Rate = Rate::new(20, 30_000);

/// Sign-in attempts from one client address: 50 at once (a contact center's shift
/// signing in behind one address), then one a second.
pub const LOGIN_PER_CLIENT: Rate = Rate::new(50, 1_000);
/// Sign-in attempts for one username, from anywhere: 10 at once, then one a minute
/// (the account lockout counts wrong passwords of known accounts besides).
pub const LOGIN_PER_NAME: Rate = Rate::new(10, 60_000);

/// The speak-up hotline's failed receipts: 10 at once, then one a minute.
pub const SPEAKUP_MISSES: Rate = Rate::new(10, 60_000);
/// The speak-up hotline's posts: 30 at once, then one every 20 seconds.
pub const SPEAKUP_POSTS: Rate = Rate::new(30, 20_000);

/// The limiter of the speak-up hotline's reporter routes ([`SPEAKUP_MISSES`],
/// [`SPEAKUP_POSTS`]). The hotline has its own buckets, apart from the feedback pages'
/// and sign-in's, so that traffic there cannot lock reporters out; like every bucket
/// here it is keyed by a salted hash, and nothing about the client is stored or logged.
pub fn speakup() -> Limiter {
    Limiter::new(SPEAKUP_MISSES, SPEAKUP_POSTS)
}

/// Which bucket a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Miss,
    Submission,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Tokens, in thousandths, so that partial refills are not lost.
    milli: i64,
    at_ms: i64,
}

impl Bucket {
    fn full(rate: Rate, now_ms: i64) -> Self {
        Bucket {
            milli: i64::from(rate.burst) * 1000,
            at_ms: now_ms,
        }
    }

    fn refill(&mut self, rate: Rate, now_ms: i64) {
        let elapsed = (now_ms - self.at_ms).max(0);
        let cap = i64::from(rate.burst) * 1000;
        self.milli = (self.milli + elapsed.saturating_mul(1000) / rate.refill_ms.max(1)).min(cap);
        self.at_ms = now_ms;
    }

    fn is_full(&self, rate: Rate, now_ms: i64) -> bool {
        let mut b = *self;
        b.refill(rate, now_ms);
        b.milli >= i64::from(rate.burst) * 1000
    }

    /// Seconds until one whole token is back.
    fn wait_secs(&self, rate: Rate) -> u64 {
        let missing = (1000 - self.milli).max(0);
        let ms = missing.saturating_mul(rate.refill_ms.max(1)) / 1000;
        u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
    }
}

type Key = [u8; 16];

/// Above this many clients, buckets that are full again are forgotten.
const PRUNE_AT: usize = 10_000;
/// Above this many clients even after pruning, new clients share one bucket.
const MAX_CLIENTS: usize = 100_000;

/// The limiter: one pair of buckets per (hashed) client address.
pub struct Limiter {
    salt: [u8; 32],
    misses: Rate,
    submissions: Rate,
    clients: Mutex<HashMap<Key, (Bucket, Bucket)>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Self::new(MISSES, SUBMISSIONS)
    }
}

impl Limiter {
    pub fn new(misses: Rate, submissions: Rate) -> Self {
        let mut salt = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        Limiter {
            salt,
            misses,
            submissions,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The bucket key of a peer (`None`: unknown peer, one shared bucket).
    pub fn key(&self, peer: Option<SocketAddr>) -> Key {
        self.key_ip(peer.map(|p| p.ip()))
    }

    /// The bucket key of a client address ([`crate::client::address`]; `None`: unknown,
    /// one shared bucket).
    pub fn key_ip(&self, ip: Option<IpAddr>) -> Key {
        let mut h = Sha256::new();
        h.update(self.salt);
        match ip.map(|p| p.to_canonical()) {
            Some(IpAddr::V4(a)) => h.update(a.octets()),
            Some(IpAddr::V6(a)) => h.update(&a.octets()[..8]),
            None => h.update(b"unknown peer"),
        }
        let d = h.finalize();
        let mut k = [0u8; 16];
        k.copy_from_slice(&d[..16]);
        k
    }

    /// The bucket key of a name (a username), kept apart from address keys.
    pub fn key_name(&self, name: &str) -> Key {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(b"name\0");
        h.update(name.trim().to_lowercase().as_bytes());
        let d = h.finalize();
        let mut k = [0u8; 16];
        k.copy_from_slice(&d[..16]);
        k
    }

    fn rate(&self, kind: Kind) -> Rate {
        match kind {
            Kind::Miss => self.misses,
            Kind::Submission => self.submissions,
        }
    }

    /// Is the client's `kind` bucket empty? `Some(seconds)` to wait if so.
    pub fn blocked(&self, key: &Key, kind: Kind, now: Timestamp) -> Option<u64> {
        let now_ms = now.as_millisecond();
        let rate = self.rate(kind);
        let clients = self.clients.lock().ok()?;
        let (m, s) = clients.get(key)?;
        let mut b = if kind == Kind::Miss { *m } else { *s };
        b.refill(rate, now_ms);
        (b.milli < 1000).then(|| b.wait_secs(rate))
    }

    /// Takes one token from the client's `kind` bucket. `Err(seconds)` when it is empty
    /// (nothing is taken then).
    pub fn take(&self, key: &Key, kind: Kind, now: Timestamp) -> Result<(), u64> {
        let now_ms = now.as_millisecond();
        let rate = self.rate(kind);
        let Ok(mut clients) = self.clients.lock() else {
            // A poisoned lock means a panic elsewhere; refuse rather than let all through.
            return Err(60);
        };
        let key = if clients.contains_key(key) || clients.len() < PRUNE_AT {
            *key
        } else {
            let (mr, sr) = (self.misses, self.submissions);
            clients.retain(|_, (m, s)| !(m.is_full(mr, now_ms) && s.is_full(sr, now_ms)));
            if clients.len() < MAX_CLIENTS {
                *key
            } else {
                self.key(None)
            }
        };
        let (mr, sr) = (self.misses, self.submissions);
        let entry = clients
            .entry(key)
            .or_insert_with(|| (Bucket::full(mr, now_ms), Bucket::full(sr, now_ms)));
        let b = if kind == Kind::Miss {
            &mut entry.0
        } else {
            &mut entry.1
        };
        b.refill(rate, now_ms);
        if b.milli < 1000 {
            return Err(b.wait_secs(rate));
        }
        b.milli -= 1000;
        Ok(())
    }
}

pub use righttrack_app::gate::{Busy, Gate, GateError};

impl From<GateError> for crate::error::AppError {
    fn from(e: GateError) -> Self {
        match e {
            GateError::Busy(_) => crate::error::AppError::new(
                crate::error::Code::RateLimited,
                "The server is busy; try again in a moment.",
            ),
            GateError::Join(e) => crate::error::AppError::internal(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn a_bucket_empties_refills_and_says_how_long_to_wait() {
        let l = Limiter::new(Rate::new(3, 10_000), SUBMISSIONS);
        let k = l.key(Some("192.0.2.7:5000".parse().unwrap()));
        for _ in 0..3 {
            assert_eq!(l.take(&k, Kind::Miss, at(0)), Ok(()));
        }
        assert_eq!(l.take(&k, Kind::Miss, at(0)), Err(10));
        assert_eq!(l.blocked(&k, Kind::Miss, at(4_000)), Some(6));
        assert_eq!(l.blocked(&k, Kind::Submission, at(0)), None);
        assert_eq!(l.take(&k, Kind::Miss, at(10_000)), Ok(()));
        assert_eq!(l.take(&k, Kind::Miss, at(10_000)), Err(10));
        // Another client is not affected; the same /64 is the same client.
        let other = l.key(Some("192.0.2.8:5000".parse().unwrap()));
        assert_eq!(l.take(&other, Kind::Miss, at(0)), Ok(()));
        let a = l.key(Some("[2001:db8::1]:1".parse().unwrap()));
        let b = l.key(Some("[2001:db8::2]:2".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, k);
    }
}
