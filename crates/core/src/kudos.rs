//! Recognition: kudos for ethical conduct, tied to a value of the code of ethics.
//!
//! Anyone on staff thanks a colleague for conduct that lived a value (a configurable
//! list of values). A kudos is *pending* until its recipient consents; only then is it
//! *visible* to the recipient's team. The recipient may hide it again at any time
//! ([`Visibility`]); the giver and the recipient always see it.
//!
//! **Invariant: kudos are never linked to hotline data.** A kudos row holds giver,
//! recipient, value, message and dates, and nothing else: no case id, no reporter, no
//! category. A message that mentions a hotline case reference (`RT-XXXX-XXXX`) is
//! refused ([`check_message`]), so that thanking someone cannot reveal that they
//! reported, and no query joins kudos with hotline tables (checked by a test on the
//! schema).

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 500;

/// Who sees a kudos besides the giver and the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Awaiting the recipient's consent: nobody else sees it.
    Pending,
    /// The recipient consented: their team sees it.
    Visible,
    /// The recipient hid it.
    Hidden,
}

impl Visibility {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "visible" => Some(Self::Visible),
            "hidden" => Some(Self::Hidden),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Visible => "visible",
            Self::Hidden => "hidden",
        }
    }
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("is required")]
    Missing,
    #[error("is longer than {MAX_MESSAGE} characters")]
    TooLong,
    #[error("must not mention a hotline case: kudos are never linked to speak-up reports")]
    HotlineReference,
}

/// Does `s` contain something shaped like a hotline case reference (`RT-` then two
/// groups of four letters or digits)?
pub fn mentions_case(s: &str) -> bool {
    let up = s.to_ascii_uppercase();
    let b = up.as_bytes();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    (0..b.len()).any(|i| {
        b.len() >= i + 12
            && &b[i..i + 3] == b"RT-"
            && b[i + 3..i + 7].iter().all(|c| alnum(*c))
            && b[i + 7] == b'-'
            && b[i + 8..i + 12].iter().all(|c| alnum(*c))
    })
}

/// The trimmed message, or why not.
pub fn check_message(s: &str) -> Result<&str, MessageError> {
    let t = s.trim();
    if t.is_empty() {
        Err(MessageError::Missing)
    } else if t.chars().count() > MAX_MESSAGE {
        Err(MessageError::TooLong)
    } else if mentions_case(t) {
        Err(MessageError::HotlineReference)
    } else {
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_a_case_reference() {
        assert_eq!(check_message(" Thanks! "), Ok("Thanks!"));
        assert_eq!(check_message(""), Err(MessageError::Missing));
        assert_eq!(
            check_message("about rt-7KQ2-M9XP, well done"),
            Err(MessageError::HotlineReference)
        );
        assert_eq!(
            check_message(&"x".repeat(MAX_MESSAGE + 1)),
            Err(MessageError::TooLong)
        );
        assert!(!mentions_case("RT-1"));
        assert_eq!(Visibility::parse("visible"), Some(Visibility::Visible));
    }
}
