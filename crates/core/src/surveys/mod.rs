//! Ethics-climate surveys: the instrument, what a response keeps, and what may be
//! released of the responses.
//!
//! A *survey* is a list of questions: the built-in instrument ([`instrument::builtin`],
//! five climate indices) and custom questions. A *wave* asks one survey of an audience
//! between two dates, with two anonymity thresholds: the smallest group whose results
//! are shown (at least [`MIN_GROUP_FLOOR`] respondents) and the smallest group whose
//! comments are shown (at least [`MIN_COMMENTS_FLOOR`]). Thresholds can only go up once
//! the wave is launched ([`check_thresholds`]).
//!
//! **Anonymity is decided here, where results are computed, not in a page.** A stored
//! response has no author, only the day it was given and the respondent's reporting
//! dimensions at that moment ([`Dims`]: team, site, role band, tenure band); comments
//! are redacted before storage ([`instrument::redact_comment`]). What may be released
//! of a wave is one [`release::Plan`] computed over *every* cut the wave reports, so
//! asking for cuts one after the other cannot reveal more than the plan; see
//! [`release`] for the rule and why it stops differencing. Results ([`results`]) are
//! computed only for cells the plan releases: a suppressed cell's numbers are never
//! computed, so they cannot reach a page, a CSV file or a JSON document.
//!
//! Pure: no I/O, no clock, no randomness.

pub mod instrument;
pub mod release;
pub mod results;

pub use instrument::{Answers, Question, QuestionKind};
pub use release::{Dim, Dims, Plan, View};

/// No wave shows results of a group smaller than this, whatever its settings.
pub const MIN_GROUP_FLOOR: u32 = 5;
/// No wave shows comments of a group smaller than this, whatever its settings.
pub const MIN_COMMENTS_FLOOR: u32 = 10;
/// Thresholds above this are refused as a typo (no group would ever show).
pub const MAX_THRESHOLD: u32 = 1000;

/// The two anonymity thresholds of a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// The smallest group whose results are shown.
    pub min_group: u32,
    /// The smallest group whose comments are shown.
    pub min_comments: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_group: MIN_GROUP_FLOOR,
            min_comments: MIN_COMMENTS_FLOOR,
        }
    }
}

/// Checks new thresholds against the floors, and, once the wave is launched, against
/// the current ones: after launch a threshold may only go up, since respondents
/// answered on the promise of the thresholds they were shown. The error names the field.
pub fn check_thresholds(
    current: Option<Thresholds>,
    new: Thresholds,
    launched: bool,
) -> Result<Thresholds, String> {
    if new.min_group < MIN_GROUP_FLOOR || new.min_group > MAX_THRESHOLD {
        return Err(format!(
            "field `min_group`: must be between {MIN_GROUP_FLOOR} and {MAX_THRESHOLD}"
        ));
    }
    if new.min_comments < MIN_COMMENTS_FLOOR || new.min_comments > MAX_THRESHOLD {
        return Err(format!(
            "field `min_comments`: must be between {MIN_COMMENTS_FLOOR} and {MAX_THRESHOLD}"
        ));
    }
    if new.min_comments < new.min_group {
        return Err("field `min_comments`: must be at least the minimum group for results".into());
    }
    if let (true, Some(cur)) = (launched, current) {
        if new.min_group < cur.min_group {
            return Err(format!(
                "field `min_group`: the wave is launched, so it can only go up (now {})",
                cur.min_group
            ));
        }
        if new.min_comments < cur.min_comments {
            return Err(format!(
                "field `min_comments`: the wave is launched, so it can only go up (now {})",
                cur.min_comments
            ));
        }
    }
    Ok(new)
}

/// A new survey or wave id: a UUIDv7 (these rows are not secret and sort by creation).
/// Responses never get one: see `store::surveys`.
pub fn new_id(now: jiff::Timestamp, rng: &mut impl rand::RngCore) -> String {
    crate::ids::new_row_id(now, rng)
}

/// Where a wave is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveStatus {
    /// Being prepared: settings may change freely, nobody can answer.
    Draft,
    /// Launched: the audience can answer between the opening and closing dates.
    Open,
    /// Closed: no more answers; results are released.
    Closed,
}

impl WaveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaveStatus::Draft => "draft",
            WaveStatus::Open => "open",
            WaveStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<WaveStatus> {
        [WaveStatus::Draft, WaveStatus::Open, WaveStatus::Closed]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// May someone answer a wave in `status` that runs `opens..=closes` on `today`?
pub fn accepting(
    status: WaveStatus,
    opens: jiff::civil::Date,
    closes: jiff::civil::Date,
    today: jiff::civil::Date,
) -> bool {
    status == WaveStatus::Open && opens <= today && today <= closes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min_group: u32, min_comments: u32) -> Thresholds {
        Thresholds {
            min_group,
            min_comments,
        }
    }

    #[test]
    fn thresholds_never_go_below_the_floors() {
        assert!(check_thresholds(None, t(4, 10), false)
            .unwrap_err()
            .contains("min_group"));
        assert!(check_thresholds(None, t(5, 9), false)
            .unwrap_err()
            .contains("min_comments"));
        assert_eq!(check_thresholds(None, t(5, 10), false), Ok(t(5, 10)));
        assert!(check_thresholds(None, t(12, 10), false).is_err());
    }

    #[test]
    fn after_launch_thresholds_only_go_up() {
        let cur = Some(t(7, 12));
        assert_eq!(check_thresholds(cur, t(5, 10), false), Ok(t(5, 10)));
        let e = check_thresholds(cur, t(6, 12), true).unwrap_err();
        assert!(e.contains("min_group") && e.contains("only go up"), "{e}");
        let e = check_thresholds(cur, t(7, 11), true).unwrap_err();
        assert!(e.contains("min_comments"), "{e}");
        assert_eq!(check_thresholds(cur, t(8, 15), true), Ok(t(8, 15)));
    }

    #[test]
    fn answers_are_taken_only_while_open_and_in_dates() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        let (o, c) = (d("2026-11-01"), d("2026-11-14"));
        assert!(accepting(WaveStatus::Open, o, c, d("2026-11-01")));
        assert!(accepting(WaveStatus::Open, o, c, d("2026-11-14")));
        assert!(!accepting(WaveStatus::Open, o, c, d("2026-11-15")));
        assert!(!accepting(WaveStatus::Draft, o, c, d("2026-11-05")));
        assert!(!accepting(WaveStatus::Closed, o, c, d("2026-11-05")));
    }
}
