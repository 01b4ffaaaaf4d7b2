//! Domain types and rules of RightTrack.
//!
//! This crate holds everything that is *decided* rather than *done*: which role may
//! perform which action, how an audit entry is hashed into the chain, how a secret is
//! sealed, how a TOTP code is checked. It performs no I/O. Time arrives as a
//! [`jiff::Timestamp`] parameter (see [`clock`]) and randomness as a `rand` RNG
//! parameter, so every rule here is deterministic under test.

pub mod attachments;
pub mod audience;
pub mod audit;
pub mod authz;
pub mod calibration;
pub mod casekeys;
pub mod charts;
pub mod clock;
pub mod crypto;
pub mod dashboard;
pub mod directory;
pub mod disputes;
pub mod feedback;
pub mod hotline_stats;
pub mod ids;
pub mod interactions;
pub mod password;
pub mod quantile;
pub mod retaliation;
pub mod roles;
pub mod secret;
pub mod speakup_config;
pub mod surveys;
pub mod totp;
pub mod workload;
// conflicts of interest (issue 9)
pub mod conflicts;
// Issue #7: audits, corrective actions, discipline, recognition.
pub mod capa;
pub mod coaching;
pub mod discipline;
pub mod kudos;
// Policies and attestation (issue #6).
pub mod fairness;
pub mod mail;
pub mod markdown;
pub mod net;
pub mod pay;
pub mod policies;
pub mod training;
// The auditor's evidence binder (issue #8).
pub mod binder;

pub use authz::{allowed, Action};
pub use roles::Role;
pub use secret::Secret;
