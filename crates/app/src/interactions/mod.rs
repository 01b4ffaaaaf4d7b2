//! Interactions coming in (API, file import, message queue): prepared, scanned and redacted before anything is stored.
//!
//! [`ingest`](mod@ingest) prepares and stores interactions for every ingestion path; [`commitments`]
//! is the ledger of promises found in them. The functions other capabilities and the
//! shells use are re-exported here (`righttrack_app::interactions::prepare_line`, ...).

pub mod commitments;
pub mod ingest;
pub mod vault;

pub use commitments::parse_status;
pub use ingest::{conflict_message, ingest, prepare_line, Ingested, Prepared};
