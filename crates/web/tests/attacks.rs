//! The adversarial suite: each confirmed attack on RightTrack, replayed against the real
//! router on every configured backend. A test here reproduces the attack and asserts that
//! it no longer works; it failed before the fix it guards. One file per area keeps the
//! suite one test binary (one link, not six).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test setup failures should panic"
)]

mod common;

#[path = "attacks/auth.rs"]
mod auth;
#[path = "attacks/data.rs"]
mod data;
#[path = "attacks/edge.rs"]
mod edge;
#[path = "attacks/fuzz.rs"]
mod fuzz;
#[path = "attacks/hotline.rs"]
mod hotline;
#[path = "attacks/ops.rs"]
mod ops;
