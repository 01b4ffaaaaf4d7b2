//! The speak-up hotline: reports, case management, sealed attachments, the vault, settings and retention.
//!
//! * [`intake`]: filing a report, deriving its receipt (the reporter's side).
//! * [`attachments`]: sealing a case's files.
//! * [`keys`]: case readers' key pairs, made at sign-in and trusted only when signed.
//! * [`cases`]: who holds a case's key, opening a case, its timeline, people who leave.
//! * [`analytics`]: the hotline's benchmark figures, counting only cases one can read.
//! * [`retention`]: destroying cases whose retention period has run out.
//!
//! The reporter's side and case management share one rule for who holds a case's key
//! ([`cases::entitled`]).

pub mod actions;
pub mod analytics;
pub mod attachments;
pub mod cases;
pub mod intake;
pub mod keys;
pub mod retention;
pub mod settings;
pub mod views;

/// The sealed field holding the questions a report's answers reply to, as they were
/// asked: JSON `{"en": [..], "es": [..]}` (`righttrack_store::speakup_config::TextLists`).
pub const QUESTIONS_FIELD: &str = "questions";
