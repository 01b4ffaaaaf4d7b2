//! Reports across capabilities: the dashboard, fairness analytics, the evidence binder and digests.
//!
//! These read what other capabilities own (training standings, attestation rows, survey
//! releases, calibration results) and never write it. Reading through those
//! capabilities' own use cases, never through SQL of its own, is what keeps a report
//! from disagreeing with the page it summarises; that is why this folder, alone among
//! the capabilities, calls into the others (`program`, `qa`, `hotline`).
//! The day's staff notifications are a job ([`crate::jobs::digest`]).

pub mod binder;
pub mod dashboard;
pub mod fairness;
pub mod leadership;
