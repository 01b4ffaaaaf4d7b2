//! Public data types: the `Interaction` input and the `Findings` output.
//!
//! Both are public contracts of PRODUCT.md. `Interaction` keeps unknown fields in
//! `extra` (flattened) so that redacted output round-trips everything we did not
//! understand. `Findings` serialises to exactly the documented format; any
//! additional field (rule ids, evidence, scorecard) is an extension, never a change.

use serde::{Deserialize, Serialize};

/// Who is speaking in a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    /// The contact-center employee.
    Agent,
    /// The customer (or any third party on the customer's side).
    Customer,
}

/// The medium of an interaction; rules may apply to some channels only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A phone call, usually an ASR transcript (lower case, spoken digits).
    Voice,
    /// A written chat.
    Chat,
    /// An e-mail thread.
    Email,
}

impl Channel {
    /// The wire name (`voice`, `chat`, `email`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
        }
    }
}

/// One turn of an interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Who speaks.
    pub speaker: Speaker,
    /// What was said or written (UTF-8; span offsets are byte offsets into it).
    pub text: String,
    /// Offset of the turn start in the recording, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<u64>,
    /// Offset of the turn end in the recording, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
    /// Unknown per-turn fields, kept as they came.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One interaction (PRODUCT.md "Interaction" contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// External id, echoed in the findings.
    pub id: String,
    /// Medium.
    pub channel: Channel,
    /// The agent who handled it.
    pub agent_id: String,
    /// Start instant; relative deadlines ("tomorrow") resolve against it.
    pub started_at: jiff::Timestamp,
    /// The conversation.
    pub turns: Vec<Turn>,
    /// Customer reference, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    /// Queue, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Team, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// BCP-47 language tag, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// IANA time zone of the customer/site ("America/Chicago"); deadlines are
    /// resolved in it. UTC when absent or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Unknown fields, kept as they came.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A piece of sensitive text inside one turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Index of the turn.
    pub turn: usize,
    /// UTF-8 byte offset of the first byte (always a char boundary).
    pub start: usize,
    /// UTF-8 byte offset one past the last byte (always a char boundary).
    pub end: usize,
    /// `pii.card_number`, `pii.email`, ...
    pub kind: String,
    /// The rule that found it (`pci.pan`, `pci.pan.split`, ...).
    pub rule: String,
}

/// A conduct, disclosure or commitment finding at interaction level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Turn where the evidence is (for an absence, the last turn inspected).
    pub turn: usize,
    /// `conduct.guarantee`, `disclosure.recording_missing`, `commitment`, ...
    pub kind: String,
    /// Rule id from the pack.
    pub rule: String,
    /// The words that triggered it (agent speech only; never customer PII),
    /// or a sentence explaining an absence.
    pub evidence: String,
}

/// A promise with a deadline, resolved to an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// Turn of the promise.
    pub turn: usize,
    /// The promise as said (the sentence holding it).
    pub text: String,
    /// Deadline, RFC 3339.
    pub due: String,
    /// The deadline phrase ("within 5 business days").
    pub due_phrase: String,
    /// Byte offsets of the deadline phrase in the turn.
    pub due_start: usize,
    /// End of the deadline phrase.
    pub due_end: usize,
}

/// Overall score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Points, 0..=max.
    pub value: u32,
    /// Always 100.
    pub max: u32,
}

/// Where a scorecard point comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// Rule id.
    pub rule: String,
    /// Turn.
    pub turn: usize,
    /// Evidence text of the event.
    pub evidence: String,
}

/// One scorecard item result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Item id from the pack.
    pub item: String,
    /// Points earned (0 when failed or N/A).
    pub points: u32,
    /// Points available (0 when N/A).
    pub max: u32,
    /// The item does not apply to this interaction.
    pub na: bool,
    /// The item failed.
    pub failed: bool,
    /// A failure of this item fails the whole interaction.
    pub critical: bool,
    /// Events that made it fail.
    pub evidence: Vec<EvidenceRef>,
}

/// Scorecard: per-item results behind the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Rule-pack version that produced it.
    pub pack_version: String,
    /// A critical item failed: score is 0.
    pub critical_failed: bool,
    /// Items in pack order.
    pub items: Vec<ItemResult>,
}

/// Everything the engine found in one interaction (PRODUCT.md "Findings").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    /// Interaction id.
    pub id: String,
    /// Sensitive spans, sorted by turn then start.
    pub spans: Vec<Span>,
    /// Events, sorted by turn.
    pub events: Vec<Event>,
    /// Commitments, sorted by turn.
    pub commitments: Vec<Commitment>,
    /// Score.
    pub score: Score,
    /// How the score was made (extension field).
    pub scorecard: Scorecard,
    /// What the engine noticed about the contact rather than the agent (extension
    /// field; rules whose kind starts with `context.`, such as a hostile customer).
    /// Never scored, never flags: kept apart from `events` so the findings about the
    /// agent stay exactly the contract's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<Event>,
}
