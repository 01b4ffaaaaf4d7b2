//! RightTrack's use cases: what a person or a program can do, without HTTP or HTML.
//!
//! Each use case is a function `verb(ctx, actor, input) -> app::Result<T>`: it loads rows
//! from `store`, asks `core` for the rules, writes the audit trail and seals what must be
//! sealed. The web shell (`righttrack-web`) and the command line (`righttrack`) both call
//! these functions, so a sweep run from the CLI and the same sweep run by the server's
//! timer are one piece of code.
//!
//! One folder per capability:
//! [`platform`], [`interactions`], [`qa`], [`hotline`], [`program`], [`reports`] and
//! [`jobs`]. Capabilities may use `platform`; they do not call each other's use cases
//! except through the functions a capability exports for that purpose (documented there).
//!
//! **Architecture Invariant:** this crate knows nothing of HTTP: no `axum`, no `askama`,
//! no HTML (`crates/cli/tests/architecture.rs`).

pub mod actor;
pub mod ctx;
pub mod error;
pub mod gate;

pub mod hotline;
pub mod interactions;
pub mod jobs;
pub mod platform;
pub mod program;
pub mod qa;
pub mod reports;

pub use actor::{Caller, Via};
pub use ctx::{Config, Ctx};
pub use error::{Error, Kind, Result};
