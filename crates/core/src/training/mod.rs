//! Training: courses, quizzes, validity and the data-access gate's rule, without I/O.
//!
//! A course is Markdown content ([`markdown`]) with an optional quiz ([`Quiz`]) and a
//! pass mark, or an *external* course whose completions come from another LMS as CSV
//! ([`import`]). A passing completion is valid for the course's recurrence period
//! ([`expires_at`]: N calendar months, or forever); the expiry is fixed when the
//! completion is recorded, so changing a course's period applies to later completions.
//!
//! **The gate's rule** ([`data_access_current`]): a person may see unredacted customer
//! data or hotline case content only while they hold a passing completion of a course
//! flagged "grants data access" that has not expired. No such course, no completion, or
//! only expired ones: refused. The web layer enforces and audits it (`web/src/training/gate.rs`).
//!
//! An assignment's state ([`status`]) is decided on read from its due date and the
//! person's latest passing completion, so nothing has to run at midnight for a
//! completion to expire or an assignment to become overdue.

pub mod coverage;
pub mod import;
pub mod markdown;

use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// A completion expiring within this many days counts as "expiring soon" (reminders).
pub const EXPIRING_SOON_DAYS: i64 = 30;
/// The highest pass mark and score, in per cent.
pub const MAX_SCORE: i64 = 100;

/// One multiple-choice question with exactly one correct option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub options: Vec<String>,
    /// Index into `options`.
    pub correct: usize,
}

/// A course's quiz: its questions in order. Empty: the course is completed by confirming
/// one has read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    pub questions: Vec<Question>,
}

impl Quiz {
    /// Parses the authoring format officers type in a text box (no JavaScript needed):
    ///
    /// ```text
    /// ? Where may you write down a customer's card number?
    /// - On a sticky note
    /// * Nowhere
    /// - In the CRM notes
    /// ```
    ///
    /// `?` starts a question, `-` is a wrong option, `*` the correct one; blank lines
    /// are ignored. Errors name the line.
    pub fn parse(text: &str) -> Result<Quiz, String> {
        let mut questions: Vec<(usize, Question, usize)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            // The mark is the first character, which need not be one byte: a Spanish
            // question starts with `¿`.
            let mut chars = line.chars();
            let mark = chars.next().map_or("", |c| &line[..c.len_utf8()]);
            let rest = chars.as_str().trim();
            match mark {
                "?" => {
                    if rest.is_empty() {
                        return Err(format!("quiz, line {n}: a question needs its text after `?`"));
                    }
                    questions.push((
                        n,
                        Question {
                            prompt: rest.to_owned(),
                            options: Vec::new(),
                            correct: usize::MAX,
                        },
                        0,
                    ));
                }
                "-" | "*" => {
                    let Some((_, q, corrects)) = questions.last_mut() else {
                        return Err(format!(
                            "quiz, line {n}: an option comes before any question (start a question with `?`)"
                        ));
                    };
                    if rest.is_empty() {
                        return Err(format!("quiz, line {n}: an option needs its text"));
                    }
                    if mark == "*" {
                        q.correct = q.options.len();
                        *corrects += 1;
                    }
                    q.options.push(rest.to_owned());
                }
                _ => {
                    return Err(format!(
                        "quiz, line {n}: start the line with `?` (question), `-` (wrong option) or `*` (correct option)"
                    ))
                }
            }
        }
        for (n, q, corrects) in &questions {
            if q.options.len() < 2 {
                return Err(format!(
                    "quiz, line {n}: the question needs at least two options"
                ));
            }
            if *corrects != 1 {
                return Err(format!(
                    "quiz, line {n}: mark exactly one option correct with `*` (found {corrects})"
                ));
            }
        }
        Ok(Quiz {
            questions: questions.into_iter().map(|(_, q, _)| q).collect(),
        })
    }

    /// The authoring form back, for the edit box.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for q in &self.questions {
            out.push_str(&format!("? {}\n", q.prompt));
            for (i, o) in q.options.iter().enumerate() {
                let mark = if i == q.correct { '*' } else { '-' };
                out.push_str(&format!("{mark} {o}\n"));
            }
            out.push('\n');
        }
        out
    }

    /// The score in whole per cent (rounded down) for the chosen option of each question
    /// (`None`: unanswered, counted wrong). An empty quiz scores 100.
    pub fn grade(&self, answers: &[Option<usize>]) -> i64 {
        if self.questions.is_empty() {
            return MAX_SCORE;
        }
        let right = self
            .questions
            .iter()
            .enumerate()
            .filter(|(i, q)| answers.get(*i).copied().flatten() == Some(q.correct))
            .count();
        (right as i64 * MAX_SCORE) / self.questions.len() as i64
    }
}

/// When a completion at `completed` stops counting: `months` calendar months later (in
/// UTC), or never (`None` months).
pub fn expires_at(completed: Timestamp, months: Option<i64>) -> Option<Timestamp> {
    let m = months?;
    let zoned = completed.to_zoned(jiff::tz::TimeZone::UTC);
    zoned.checked_add(m.months()).ok().map(|z| z.timestamp())
}

/// Is a passing completion with this expiry valid at `now`?
pub fn valid_at(expires: Option<Timestamp>, now: Timestamp) -> bool {
    expires.is_none_or(|e| now < e)
}

/// The gate's rule: any passing completion of a data-access course still valid at `now`.
/// `expiries` are those completions' expiries (`None`: never expires).
pub fn data_access_current(expiries: &[Option<Timestamp>], now: Timestamp) -> bool {
    expiries.iter().any(|e| valid_at(*e, now))
}

/// Where one person stands on one assigned course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// Passed and valid; `until` is the expiry (`None`: never).
    Current { until: Option<Timestamp> },
    /// Passed, but expiring within [`EXPIRING_SOON_DAYS`]: time to renew.
    ExpiringSoon { until: Timestamp },
    /// Not (validly) done; due in the future.
    Due { due: Timestamp },
    /// Not (validly) done and past due; for a lapsed recurring course the due date is
    /// the day the last completion expired.
    Overdue { due: Timestamp },
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Current { .. } => "current",
            Status::ExpiringSoon { .. } => "expiring_soon",
            Status::Due { .. } => "due",
            Status::Overdue { .. } => "overdue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Current { .. } => "Current",
            Status::ExpiringSoon { .. } => "Expiring soon",
            Status::Due { .. } => "Due",
            Status::Overdue { .. } => "Overdue",
        }
    }

    /// Counts as trained (for coverage): current or expiring soon.
    pub fn is_current(self) -> bool {
        matches!(self, Status::Current { .. } | Status::ExpiringSoon { .. })
    }
}

/// The status of an assignment due at `due`, given the expiry of the person's latest
/// passing completion (`Some(None)`: passed, never expires; `None`: never passed).
pub fn status(due: Timestamp, last_pass: Option<Option<Timestamp>>, now: Timestamp) -> Status {
    match last_pass {
        Some(None) => Status::Current { until: None },
        Some(Some(until)) if now < until => {
            if until.duration_since(now).as_secs() <= EXPIRING_SOON_DAYS * 86_400 {
                Status::ExpiringSoon { until }
            } else {
                Status::Current { until: Some(until) }
            }
        }
        Some(Some(expired)) => {
            // Renewal fell due when the last completion expired (or later, if the
            // assignment itself is due later).
            let due = due.max(expired);
            if now >= due {
                Status::Overdue { due }
            } else {
                Status::Due { due }
            }
        }
        None if now >= due => Status::Overdue { due },
        None => Status::Due { due },
    }
}

/// A course code: 1-40 lower-case letters, digits and `-`, starting with a letter or digit.
pub fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
}

/// A certificate's verification code: 80 random bits as `XXXX-XXXX-XXXX-XXXX`
/// (base32, no padding), printed on the certificate and looked up to verify it.
pub fn verification_code(rng: &mut impl rand::RngCore) -> String {
    let mut b = [0u8; 10];
    rng.fill_bytes(&mut b);
    let s = data_encoding::BASE32_NOPAD.encode(&b);
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalizes a typed verification code (case, spaces) to the stored form.
pub fn normalize_code(s: &str) -> String {
    let flat: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    flat.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_quiz_is_authored_as_text_and_graded_in_per_cent() {
        let q = Quiz::parse("? A\n- x\n* y\n\n? B\n* p\n- q\n- r\n").unwrap();
        assert_eq!(q.questions.len(), 2);
        assert_eq!(q.grade(&[Some(1), Some(0)]), 100);
        assert_eq!(q.grade(&[Some(1), None]), 50);
        assert_eq!(q.grade(&[]), 0);
        assert_eq!(Quiz::parse(&q.to_text()).unwrap(), q);
        assert_eq!(Quiz::default().grade(&[]), 100);
    }

    #[test]
    fn quiz_errors_name_the_line() {
        assert!(Quiz::parse("- x").unwrap_err().contains("line 1"));
        assert!(Quiz::parse("? A\n- x\n- y")
            .unwrap_err()
            .contains("line 1: mark exactly one"));
        assert!(Quiz::parse("? A\n* x")
            .unwrap_err()
            .contains("at least two"));
        assert!(Quiz::parse("? A\n- x\n* y\nhello")
            .unwrap_err()
            .contains("line 4"));
        // A line that starts with a character of more than one byte is an error naming
        // its line, not a crash (the fuzzing in the adversarial suite found this).
        assert!(Quiz::parse("¿Dónde se guardan?\n- x\n* y")
            .unwrap_err()
            .contains("line 1: start the line"));
        assert!(Quiz::parse("? A\n- x\n* y\n€ z")
            .unwrap_err()
            .contains("line 4"));
    }

    #[test]
    fn validity_is_calendar_months_and_status_is_decided_on_read() {
        let done = t("2025-11-30T10:00:00Z");
        let until = expires_at(done, Some(12)).unwrap();
        assert_eq!(until, t("2026-11-30T10:00:00Z"));
        assert_eq!(expires_at(done, None), None);
        let due = t("2025-12-01T00:00:00Z");
        assert_eq!(
            status(due, Some(Some(until)), t("2026-06-01T00:00:00Z")),
            Status::Current { until: Some(until) }
        );
        assert_eq!(
            status(due, Some(Some(until)), t("2026-11-20T00:00:00Z")),
            Status::ExpiringSoon { until }
        );
        assert_eq!(
            status(due, Some(Some(until)), until),
            Status::Overdue { due: until }
        );
        assert_eq!(
            status(due, None, t("2025-11-30T00:00:00Z")),
            Status::Due { due }
        );
        assert_eq!(status(due, None, due), Status::Overdue { due });
        assert!(data_access_current(&[None], until));
        assert!(!data_access_current(&[Some(until)], until));
        assert!(!data_access_current(&[], until));
    }

    #[test]
    fn verification_codes_normalize() {
        let c = verification_code(&mut rand::thread_rng());
        assert_eq!(c.len(), 19);
        assert_eq!(normalize_code(&c.to_lowercase().replace('-', " ")), c);
        assert!(valid_code("data-privacy-2026"));
        assert!(!valid_code("Data Privacy"));
        assert!(!valid_code("-x"));
    }
}
