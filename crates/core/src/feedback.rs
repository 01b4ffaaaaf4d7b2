//! Customer feedback: single-use survey links, the answer a customer may give, and the
//! arithmetic of CSAT and NPS.
//!
//! A link carries a token of 32 random bytes (base32, 52 characters); only its SHA-256
//! is stored, like session ids and API tokens, so a database dump cannot answer a
//! survey. The token has 256 bits of entropy, so a slow hash would add nothing.
//!
//! An answer is parsed, not validated: once an [`Answer`] exists its CSAT is 1–5, its
//! NPS 0–10 and its comment at most [`MAX_COMMENT_CHARS`] characters. A comment is never
//! stored as typed: [`screen_comment`] masks the personal data the scanning engine finds
//! (customers type card numbers into comment boxes) and flags abusive language, so QA
//! sees it.
//!
//! Pure: time, randomness and the compiled engine come in as parameters.

use crate::Secret;
use righttrack_scan::Engine;
use sha2::{Digest, Sha256};

/// How long a link stays open unless configured otherwise.
pub const DEFAULT_LINK_DAYS: i64 = 14;
/// The longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Length of a link token: 32 bytes in unpadded base32.
pub const TOKEN_CHARS: usize = 52;

/// A new link token (the only copy: store [`token_hash`] of it, never the token).
pub fn new_token(rng: &mut impl rand::RngCore) -> Secret<String> {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
    Secret::new(data_encoding::BASE32_NOPAD.encode(&b))
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Could this string be a token at all? Anything else is refused without a lookup.
pub fn plausible_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Waiting for the customer's answer.
    Open,
    /// Answered: the link is used up.
    Answered,
    /// Past its expiry without an answer.
    Expired,
}

impl LinkState {
    pub fn of(
        expires_at: jiff::Timestamp,
        submitted_at: Option<jiff::Timestamp>,
        now: jiff::Timestamp,
    ) -> Self {
        match submitted_at {
            Some(_) => LinkState::Answered,
            None if now >= expires_at => LinkState::Expired,
            None => LinkState::Open,
        }
    }
}

/// A problem with one field of the survey form, worded for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field (`csat`, `nps`, `comment`).
    pub field: &'static str,
    pub message: String,
}

/// A customer's answer, within range. The comment is still raw: pass it through
/// [`screen_comment`] before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Customer satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    pub csat: u8,
    /// Net Promoter question, 0 (not at all likely) to 10 (extremely likely).
    pub nps: u8,
    /// Trimmed; `None` when empty.
    pub comment: Option<String>,
}

fn score(field: &'static str, what: &str, raw: &str, lo: u8, hi: u8) -> Result<u8, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError {
            field,
            message: format!("{what}: choose a score from {lo} to {hi}."),
        });
    }
    match raw.parse::<u8>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(FieldError {
            field,
            message: format!("{what}: the score must be a whole number from {lo} to {hi}."),
        }),
    }
}

impl Answer {
    /// Parses the three form fields. Every field's problem is reported, in form order.
    pub fn parse(csat: &str, nps: &str, comment: &str) -> Result<Answer, Vec<FieldError>> {
        let csat = score("csat", "Satisfaction", csat, 1, 5);
        let nps = score("nps", "Recommendation", nps, 0, 10);
        let comment = comment.trim();
        let comment = if comment.chars().count() > MAX_COMMENT_CHARS {
            Err(FieldError {
                field: "comment",
                message: format!(
                    "Comment: at most {MAX_COMMENT_CHARS} characters, please shorten it."
                ),
            })
        } else {
            Ok((!comment.is_empty()).then(|| comment.to_owned()))
        };
        match (csat, nps, comment) {
            (Ok(csat), Ok(nps), Ok(comment)) => Ok(Answer { csat, nps, comment }),
            (a, b, c) => Err([a.err(), b.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

/// A comment as it may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screened {
    /// Personal data masked.
    pub text: String,
    /// Abusive language was found (about the agent or from the customer): QA looks.
    pub flagged: bool,
}

/// Masks personal data in a comment and flags abusive language.
///
/// The abuse vocabulary of the rule pack is written for agent speech, so the comment is
/// scanned once more as if an agent had said it, and only `conduct.abusive` events
/// count; other agent rules (guarantees, pressure) mean nothing in a comment.
pub fn screen_comment(engine: &Engine, text: &str) -> Screened {
    let clean = crate::interactions::scrub(engine, text);
    let probe = serde_json::from_value::<righttrack_scan::Interaction>(serde_json::json!({
        "id": "", "channel": "chat", "agent_id": "", "started_at": "1970-01-01T00:00:00Z",
        "turns": [{"speaker": "agent", "text": clean}]
    }));
    let flagged = probe.is_ok_and(|p| {
        engine
            .scan(&p)
            .events
            .iter()
            .any(|e| e.kind == "conduct.abusive")
    });
    Screened {
        text: clean,
        flagged,
    }
}

/// NPS groups: 9–10 promoters, 7–8 passives, 0–6 detractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpsGroup {
    Promoter,
    Passive,
    Detractor,
}

impl NpsGroup {
    pub fn of(nps: u8) -> Self {
        match nps {
            9.. => NpsGroup::Promoter,
            7 | 8 => NpsGroup::Passive,
            _ => NpsGroup::Detractor,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NpsGroup::Promoter => "promoter",
            NpsGroup::Passive => "passive",
            NpsGroup::Detractor => "detractor",
        }
    }
}

/// Counts over a set of links, from which every reported figure is derived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Links minted (surveys sent).
    pub sent: i64,
    /// Links answered.
    pub answered: i64,
    /// Sum of the CSAT answers.
    pub csat_sum: i64,
    pub promoters: i64,
    pub detractors: i64,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.sent += other.sent;
        self.answered += other.answered;
        self.csat_sum += other.csat_sum;
        self.promoters += other.promoters;
        self.detractors += other.detractors;
    }

    /// Mean CSAT (1–5), `None` without answers.
    pub fn csat_average(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.csat_sum as f64 / self.answered as f64)
    }

    /// Net Promoter Score: % promoters − % detractors, −100 to 100, rounded to a whole
    /// number as NPS is reported. `None` without answers.
    pub fn nps(&self) -> Option<i64> {
        (self.answered > 0).then(|| {
            let pct = 100.0 * (self.promoters - self.detractors) as f64 / self.answered as f64;
            pct.round() as i64
        })
    }

    /// Answered / sent, 0.0 to 1.0; `None` when nothing was sent.
    pub fn response_rate(&self) -> Option<f64> {
        (self.sent > 0).then(|| self.answered as f64 / self.sent as f64)
    }

    pub fn passives(&self) -> i64 {
        self.answered - self.promoters - self.detractors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_each_bad_field_is_named() {
        assert_eq!(
            Answer::parse("5", "10", "  great  "),
            Ok(Answer {
                csat: 5,
                nps: 10,
                comment: Some("great".into())
            })
        );
        assert_eq!(Answer::parse("1", "0", " ").map(|a| a.comment), Ok(None));
        let fields = |r: Result<Answer, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(Answer::parse("", "11", "")), ["csat", "nps"]);
        assert_eq!(fields(Answer::parse("0", "-1", "")), ["csat", "nps"]);
        assert_eq!(fields(Answer::parse("6", "3.5", "")), ["csat", "nps"]);
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        assert_eq!(fields(Answer::parse("3", "7", &long)), ["comment"]);
        let just = "é".repeat(MAX_COMMENT_CHARS);
        assert!(
            Answer::parse("3", "7", &just).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn nps_is_promoters_minus_detractors() {
        let mut t = Tally {
            sent: 10,
            ..Tally::default()
        };
        for (csat, nps) in [(5, 10), (5, 9), (4, 8), (2, 3)] {
            t.add(&Tally {
                sent: 0,
                answered: 1,
                csat_sum: csat,
                promoters: i64::from(NpsGroup::of(nps) == NpsGroup::Promoter),
                detractors: i64::from(NpsGroup::of(nps) == NpsGroup::Detractor),
            });
        }
        assert_eq!(t.nps(), Some(25));
        assert_eq!(t.csat_average(), Some(4.0));
        assert_eq!(t.response_rate(), Some(0.4));
        assert_eq!(t.passives(), 1);
        assert_eq!(Tally::default().nps(), None);
        assert_eq!(Tally::default().response_rate(), None);
    }

    #[test]
    fn tokens_are_long_random_and_recognisable() {
        let mut rng = rand::thread_rng();
        let a = new_token(&mut rng);
        let b = new_token(&mut rng);
        assert_ne!(a.expose(), b.expose());
        assert!(plausible_token(a.expose()), "{}", a.expose().len());
        assert!(!plausible_token("{token}"));
        assert!(!plausible_token(&a.expose().to_lowercase()));
        assert_ne!(token_hash(a.expose()), token_hash(b.expose()));
    }

    #[test]
    fn a_link_is_open_until_answered_or_expired() {
        let t = |s: i64| jiff::Timestamp::from_second(s).unwrap();
        assert_eq!(LinkState::of(t(100), None, t(50)), LinkState::Open);
        assert_eq!(LinkState::of(t(100), None, t(100)), LinkState::Expired);
        assert_eq!(
            LinkState::of(t(100), Some(t(60)), t(200)),
            LinkState::Answered
        );
    }

    #[test]
    fn a_comment_loses_its_card_number_and_abuse_is_flagged() {
        let engine = Engine::default_engine().unwrap();
        let s = screen_comment(
            &engine,
            "the agent was kind, my card is 4111 1111 1111 1111",
        );
        // Masked as everywhere else: at most the first six and last four digits remain.
        assert!(!s.text.contains("4111 1111 1111 1111"), "{}", s.text);
        assert!(s.text.contains("**"), "{}", s.text);
        assert!(!s.flagged);
        let s = screen_comment(
            &engine,
            "you are all useless idiots, shut up and fix my account",
        );
        assert!(s.flagged);
        assert!(!screen_comment(&engine, "").flagged);
    }
}
