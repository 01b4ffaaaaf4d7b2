//! RightTrack scanning engine: a pure library (no I/O, no async runtime, no
//! database, no clock) that reviews one contact-center interaction at a time.
//!
//! ```
//! use righttrack_scan::{Engine, Interaction, RulePack};
//! let pack = RulePack::default_pack().unwrap();
//! let engine = Engine::new(&pack).unwrap();
//! let inter: Interaction = serde_json::from_str(r#"{"id":"x","channel":"chat","agent_id":"a",
//!   "started_at":"2026-11-20T14:03:00Z","turns":[{"speaker":"customer","text":"card 4111 1111 1111 1111"}]}"#).unwrap();
//! let f = engine.scan(&inter);
//! assert_eq!(f.spans[0].kind, "pii.card_number");
//! ```
//!
//! Layers: [`text`] tokenizes bytes, [`pii`] finds sensitive spans with
//! checksums and context, [`rules`] evaluates the pack's conduct and disclosure
//! rules, [`commit`] extracts dated promises, [`score`] builds the scorecard,
//! [`mod@redact`] rewrites an interaction from its findings. [`Engine`] ties them
//! together; it is compiled once and shared across threads.

pub mod checks;
pub mod commit;
pub mod conduct;
pub mod csv;
pub mod empathy;
pub mod engine;
pub mod input;
pub mod model;
pub mod pack;
pub mod pii;
pub mod redact;
pub mod rules;
pub mod score;
pub mod testing;
pub mod text;
pub mod wordlists;
pub mod words;

pub use engine::{Engine, EngineError, Scratch};
pub use model::{
    Channel, Commitment, Event, EvidenceRef, Findings, Interaction, ItemResult, Score, Scorecard,
    Span, Speaker, Turn,
};
pub use pack::{PackError, RulePack};
pub use redact::{redact, HashKey, RedactMode};
