//! Reports across capabilities: the dashboard, fairness analytics, the evidence binder and digests.

pub mod binder;
pub mod dashboard;
pub mod fairness;
