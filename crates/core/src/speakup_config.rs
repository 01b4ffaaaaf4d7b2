//! Rules of the hotline's configuration: what a category, a jurisdiction and a retention
//! rule may look like, and which retention rule applies to a closed case.
//!
//! Every check returns a [`FieldError`] naming the form field it is about (and, for a
//! list typed one per line, the line), so the settings pages and any future API say the
//! same thing. Messages never repeat what was typed: a configured text is not secret,
//! but the habit is the one the hotline needs everywhere.

use std::fmt;

/// The languages every reporter-facing text is given in.
pub const LANGS: [&str; 2] = ["en", "es"];

/// Longest category key (letters, digits, `_`).
pub const MAX_KEY: usize = 40;
/// Longest category label, in characters.
pub const MAX_LABEL: usize = 120;
/// Longest category hint, in characters.
pub const MAX_HINT: usize = 300;
/// Longest question, in characters.
pub const MAX_QUESTION: usize = 300;
/// Most questions a category asks.
pub const MAX_QUESTIONS: usize = 5;
/// Longest jurisdiction name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest retention period: fifty years.
pub const MAX_RETENTION_DAYS: i64 = 18_250;
/// The wildcard of a retention rule's category or status.
pub const ANY: &str = "*";

/// A value refused, with the field it came from. Displays as `field: why`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub why: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, why: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            why: why.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.why)
    }
}

impl std::error::Error for FieldError {}

/// A short machine name: a lowercase letter, then lowercase letters, digits or `_`.
fn is_token(s: &str, max: usize) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= max
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// A category key, as stored on cases (`fraud`, `data_misuse`).
pub fn category_key(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if is_token(s, MAX_KEY) {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!("use 1 to {MAX_KEY} lowercase letters, digits or _, starting with a letter"),
        ))
    }
}

/// A one-line text: trimmed, required or not, at most `max` characters.
pub fn line(field: &str, s: &str, required: bool, max: usize) -> Result<String, FieldError> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("too long (at most {max} characters)"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must be a single line"));
    }
    Ok(s.to_owned())
}

/// Questions typed one per line. Blank lines are skipped, but lines are numbered as typed
/// so that "line 3" is the third line of the box.
pub fn questions(field: &str, text: &str) -> Result<Vec<String>, FieldError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let q = raw.trim();
        if q.is_empty() {
            continue;
        }
        if q.chars().count() > MAX_QUESTION {
            return Err(FieldError::new(
                format!("{field}, line {}", i + 1),
                format!("too long (at most {MAX_QUESTION} characters)"),
            ));
        }
        if q.chars().any(char::is_control) {
            return Err(FieldError::new(
                format!("{field}, line {}", i + 1),
                "contains a control character",
            ));
        }
        out.push(q.to_owned());
    }
    if out.len() > MAX_QUESTIONS {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    Ok(out)
}

/// Questions must be asked in every language, in the same order: answers are stored by
/// position, so the reporter's Spanish question 2 and the reader's English question 2
/// must be the same question.
pub fn same_question_count(en: &[String], es: &[String]) -> Result<(), FieldError> {
    if en.len() == es.len() {
        Ok(())
    } else {
        Err(FieldError::new(
            "questions (es)",
            format!(
                "{} question(s), but questions (en) has {}; give every question in both languages",
                es.len(),
                en.len()
            ),
        ))
    }
}

/// A whole number in `range`.
pub fn whole_number(
    field: &str,
    s: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, FieldError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("a whole number from {} to {}", range.start(), range.end()),
            )
        })
}

/// A jurisdiction code (`eu`, `de`, `us_ca`).
pub fn jurisdiction_code(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if is_token(s, 16) && s.len() >= 2 {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "use 2 to 16 lowercase letters, digits or _, starting with a letter",
        ))
    }
}

/// Days to acknowledge a report.
pub const ACK_DAYS: std::ops::RangeInclusive<i64> = 1..=90;
/// Calendar months to give feedback.
pub const FEEDBACK_MONTHS: std::ops::RangeInclusive<i64> = 1..=24;
/// Days before a deadline that count as "due soon".
pub const WARN_DAYS: std::ops::RangeInclusive<i64> = 0..=60;

/// The category or status side of a retention rule: `*` or a token.
pub fn retention_selector(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s == ANY || is_token(s, MAX_KEY) {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "* for any, or a lowercase name (letters, digits, _)",
        ))
    }
}

/// One retention rule: closed cases of `category` (or any, `*`) that ended in `status`
/// (or any) are kept `days` after closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    pub category: String,
    pub status: String,
    pub days: i64,
}

impl RetentionRule {
    /// How specific the rule is for a case it matches: 0 is most specific, `None` when
    /// it does not match.
    fn rank(&self, category: &str, status: &str) -> Option<u8> {
        let cat = if self.category == category {
            Some(0)
        } else if self.category == ANY {
            Some(2)
        } else {
            None
        };
        let st = if self.status == status {
            Some(0)
        } else if self.status == ANY {
            Some(1)
        } else {
            None
        };
        Some(cat? + st?)
    }
}

/// The rule that applies to a case closed with `status` in `category`: category and
/// status, then category and any status, then any category and the status, then `*`/`*`.
/// A category beats a status because categories carry the legal weight (accounting
/// records, for one, have their own statutory periods).
pub fn applicable_rule<'a>(
    rules: &'a [RetentionRule],
    category: &str,
    status: &str,
) -> Option<&'a RetentionRule> {
    rules
        .iter()
        .filter_map(|r| r.rank(category, status).map(|k| (k, r)))
        .min_by_key(|(k, _)| *k)
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(c: &str, s: &str, d: i64) -> RetentionRule {
        RetentionRule {
            category: c.into(),
            status: s.into(),
            days: d,
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let rules = vec![
            rule("*", "*", 730),
            rule("*", "substantiated", 1825),
            rule("fraud", "*", 2555),
            rule("fraud", "unsubstantiated", 400),
        ];
        let days = |c, s| applicable_rule(&rules, c, s).map(|r| r.days);
        assert_eq!(days("fraud", "unsubstantiated"), Some(400));
        assert_eq!(days("fraud", "substantiated"), Some(2555));
        assert_eq!(days("harassment", "substantiated"), Some(1825));
        assert_eq!(days("harassment", "withdrawn"), Some(730));
        assert_eq!(applicable_rule(&rules[1..3], "other", "withdrawn"), None);
    }

    #[test]
    fn questions_name_their_line() {
        let long = "x".repeat(MAX_QUESTION + 1);
        let text = format!("First?\r\n\n{long}\n");
        let e = questions("questions (es)", &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("questions (es), line 3: too long (at most {MAX_QUESTION} characters)")
        );
        assert_eq!(
            questions("q", " One? \n\nTwo?\n").unwrap(),
            vec!["One?".to_owned(), "Two?".to_owned()]
        );
        let many = "a?\n".repeat(MAX_QUESTIONS + 1);
        assert_eq!(questions("q", &many).unwrap_err().field, "q");
    }

    #[test]
    fn keys_and_numbers_are_checked() {
        assert_eq!(category_key("key", " gifts_2 ").unwrap(), "gifts_2");
        for bad in ["", "2fa", "Gifts", "a-b", "a b", &"a".repeat(MAX_KEY + 1)] {
            assert!(category_key("key", bad).is_err(), "{bad:?}");
        }
        assert_eq!(whole_number("ack days", "7", ACK_DAYS), Ok(7));
        assert_eq!(
            whole_number("ack days", "0", ACK_DAYS)
                .unwrap_err()
                .to_string(),
            "ack days: a whole number from 1 to 90"
        );
        assert!(retention_selector("status", "*").is_ok());
        assert!(retention_selector("status", "**").is_err());
        assert!(line("label (en)", "  ", true, 10).is_err());
        assert!(line("label (en)", "a\u{7}b", true, 10).is_err());
        assert!(same_question_count(&["a".into()], &[]).is_err());
    }
}
