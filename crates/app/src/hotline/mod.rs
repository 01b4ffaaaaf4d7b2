//! The speak-up hotline: reports, case management, sealed attachments, the vault, settings and retention.
//!
//! * [`keys`]: case readers' key pairs, made at sign-in and trusted only when signed.
//! * [`cases`]: who holds a case's key, opening a case, its timeline, people who leave.
//! * [`retention`]: destroying cases whose retention period has run out.
//!
//! The reporter's side (intake and the receipt) still lives in the web feature; what it
//! shares with case management (the conflict record, [`cases::entitled`]) is here.

pub mod cases;
pub mod keys;
pub mod retention;

/// The sealed field holding the questions a report's answers reply to, as they were
/// asked: JSON `{"en": [..], "es": [..]}` (`righttrack_store::speakup_config::TextLists`).
pub const QUESTIONS_FIELD: &str = "questions";
