//! Redaction of an interaction from its findings.
//!
//! * `Mask`: card numbers keep at most the first 6 and last 4 digits (PCI DSS
//!   3.4.1) — only when the span holds a full 12–19 digit number written with
//!   digits; spoken or partial card numbers are fully masked. Every other kind
//!   is fully masked. Masking replaces letters and digits by `*` and keeps
//!   separators, so the text keeps its shape.
//! * `Replace`: `<CARD_NUMBER_1>`, numbered per kind and interaction; the same
//!   value (by its normalised digits/letters) gets the same number.
//! * `Hash`: `<CARD_NUMBER:1a2b…>` with a keyed HMAC-SHA-256 (first 16 hex
//!   digits) of the normalised value. CVV and PIN are never hashed: they are
//!   always removed (`<CARD_CVV>`), as PCI DSS forbids storing them at all.

use crate::model::{Findings, Interaction};
use crate::pii::Kind;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A secret key for `hash` redaction. Its `Debug` prints nothing.
#[derive(Clone)]
pub struct HashKey(Vec<u8>);

impl HashKey {
    /// Wrap key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        HashKey(bytes)
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(<redacted>)")
    }
}

/// How to redact.
#[derive(Debug, Clone)]
pub enum RedactMode {
    /// Mask characters (cards keep first 6 / last 4).
    Mask,
    /// Numbered placeholders.
    Replace,
    /// Keyed hash placeholders.
    Hash(HashKey),
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn mask(s: &str, kind: Kind) -> String {
    let digits: usize = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().any(|c| c.is_ascii_alphabetic());
    let keep = kind == Kind::CardNumber && !letters && (12..=19).contains(&digits);
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if keep && (seen <= 6 || seen > digits - 4) {
                    return c;
                }
                '*'
            } else if c.is_alphanumeric() {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// Redact an interaction's text. Unknown fields are kept.
pub fn redact(inter: &Interaction, findings: &Findings, mode: &RedactMode) -> Interaction {
    let mut out = inter.clone();
    let mut numbering: Vec<(Kind, String, usize)> = Vec::new();
    for (ti, turn) in out.turns.iter_mut().enumerate() {
        let spans: Vec<_> = findings.spans.iter().filter(|s| s.turn == ti).collect();
        if spans.is_empty() {
            continue;
        }
        let src = &inter.turns[ti].text;
        let mut text = String::with_capacity(src.len());
        let mut pos = 0;
        for sp in spans {
            let (Some(kind), Some(val)) = (Kind::parse(&sp.kind), src.get(sp.start..sp.end)) else {
                continue;
            };
            if sp.start < pos {
                continue;
            }
            text.push_str(&src[pos..sp.start]);
            let secret = matches!(kind, Kind::CardCvv | Kind::CardPin);
            match mode {
                RedactMode::Mask => text.push_str(&mask(val, kind)),
                RedactMode::Replace | RedactMode::Hash(_) if secret => {
                    text.push('<');
                    text.push_str(kind.label());
                    text.push('>');
                }
                RedactMode::Replace => {
                    let norm = normalized(val);
                    let n = match numbering.iter().find(|(k, v, _)| *k == kind && *v == norm) {
                        Some(&(_, _, n)) => n,
                        None => {
                            let n = numbering.iter().filter(|(k, _, _)| *k == kind).count() + 1;
                            numbering.push((kind, norm, n));
                            n
                        }
                    };
                    text.push_str(&format!("<{}_{}>", kind.label(), n));
                }
                RedactMode::Hash(key) => {
                    let tag = match Hmac::<Sha256>::new_from_slice(&key.0) {
                        Ok(mut m) => {
                            m.update(kind.as_str().as_bytes());
                            m.update(b":");
                            m.update(normalized(val).as_bytes());
                            let r = m.finalize().into_bytes();
                            r.iter()
                                .take(8)
                                .map(|b| format!("{b:02x}"))
                                .collect::<String>()
                        }
                        Err(_) => String::from("0"),
                    };
                    text.push_str(&format!("<{}:{}>", kind.label(), hex_letters(&tag)));
                }
            }
            pos = sp.end;
        }
        text.push_str(&src[pos..]);
        turn.text = text;
    }
    out
}

/// Hex digits re-encoded as letters a–p so a hash never looks like a number
/// (a digest full of digits could otherwise be re-detected as a phone number).
fn hex_letters(h: &str) -> String {
    h.chars()
        .map(|c| match c.to_digit(16) {
            Some(v) => char::from(b'a' + v as u8),
            None => c,
        })
        .collect()
}
