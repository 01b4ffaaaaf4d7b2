//! Shared by the store's test binaries: fixed times and new users.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "shared by several test binaries; a bad fixture should panic"
)]

use jiff::Timestamp;
use righttrack_core::Role;
use righttrack_store::directory::NewUser;

/// The timestamp `s` (RFC 3339).
pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The tests' "now".
pub fn t0() -> Timestamp {
    at("2026-11-20T09:00:00Z")
}

/// A user without a password or team, shown under their name in capitals.
pub fn new_user(name: &str, roles: &[Role]) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.to_uppercase(),
        password_hash: None,
        team: None,
        roles: roles.to_vec(),
    }
}
