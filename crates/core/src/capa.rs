//! Internal audits and corrective actions (CAPA): the rules, no I/O.
//!
//! **Audits.** An audit *template* is a named checklist. A *schedule* repeats a template
//! every `n` months, optionally for one site; an *audit* is one instance with a due
//! instant. Instances are materialised ahead of time: every due instant of a schedule
//! that falls before `now + `[`LEAD`] becomes an audit ([`due_instants`]), so an
//! auditor sees next month's checklist two weeks ahead. An auditor answers every item
//! pass, fail or n/a ([`Answer`]); every failed item becomes a *finding*, and a finding
//! may raise a CAPA.
//!
//! **CAPA states** follow ISO 9001 §10.2 (react, find the cause, act, review the
//! effectiveness): `open` → `analysed` (root cause written) → `planned` (action plan
//! written) → `implemented` → `verified` (effectiveness reviewed) → `closed`. A review
//! that finds the action not effective sends an implemented CAPA to `reopened`, from
//! which the cause is analysed again ([`next`]). A CAPA is *overdue* while it is neither
//! verified nor closed past its due instant ([`is_overdue`]).
//!
//! **Verification by metric.** A CAPA may name a scan rule, a baseline (violations per
//! 1,000 interactions) and a number of days `N`. Its effectiveness is *met* when `N`
//! full days have passed since implementation and the rule's violation rate over those
//! `N` days (interactions that started in `[implemented, implemented + N days)`) is
//! strictly below the baseline; *not met* when the rate is at or above it; *pending*
//! before the `N` days have passed ([`verdict`]). A CAPA with a metric can only be
//! verified when the verdict is met.
//!
//! **Recurrence.** A new CAPA on the same subject (rule, checklist item, survey hot-spot
//! or case reference, see [`recurrence_key`]) and site as a CAPA closed within
//! [`RECURRENCE_DAYS`] is flagged as recurring.

use jiff::{SignedDuration, Timestamp};

/// Longest free text (root cause, plan, notes), in characters.
pub const MAX_TEXT: usize = 4000;
/// Longest title or label, in characters.
pub const MAX_TITLE: usize = 200;
/// Audits are created this long before they are due.
pub const LEAD: SignedDuration = SignedDuration::from_hours(14 * 24);
/// A CAPA on a subject closed less than this many days ago is recurring.
pub const RECURRENCE_DAYS: i64 = 180;
/// At most this many instances are created per schedule in one run (a schedule whose
/// start lies years back does not flood the list).
pub const MAX_INSTANCES_PER_RUN: usize = 24;

/// A new row id (UUIDv7 text); time and randomness from the caller.
pub fn new_id(at: Timestamp, rng: &mut impl rand::RngCore) -> String {
    crate::ids::new_row_id(at, rng)
}

/// Why a text field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Missing,
    #[error("is longer than {0} characters")]
    TooLong(usize),
}

/// Trimmed text: required and at most `max` characters.
pub fn check_text(s: &str, max: usize) -> Result<&str, TextError> {
    let t = s.trim();
    if t.is_empty() {
        Err(TextError::Missing)
    } else if t.chars().count() > max {
        Err(TextError::TooLong(max))
    } else {
        Ok(t)
    }
}

// ---------------------------------------------------------------- audits

/// An auditor's answer to one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Pass,
    Fail,
    Na,
}

impl Answer {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pass" => Some(Self::Pass),
            "fail" => Some(Self::Fail),
            "na" => Some(Self::Na),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Na => "na",
        }
    }
}

/// `t` plus `months` calendar months in UTC (the 31st becomes the month's last day).
pub fn add_months(t: Timestamp, months: u32) -> Option<Timestamp> {
    let z = t.to_zoned(jiff::tz::TimeZone::UTC);
    z.checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
        .map(|z| z.timestamp())
}

/// The due instants of a schedule to materialise at `now`: from `next_due` on, every
/// `every_months`, while the instant is before `now + LEAD`; at most
/// [`MAX_INSTANCES_PER_RUN`]. Returns them and the schedule's next due instant after.
pub fn due_instants(
    next_due: Timestamp,
    every_months: u32,
    now: Timestamp,
) -> (Vec<Timestamp>, Timestamp) {
    let horizon = now.checked_add(LEAD).unwrap_or(now);
    let mut out = Vec::new();
    let mut due = next_due;
    while due < horizon && out.len() < MAX_INSTANCES_PER_RUN {
        out.push(due);
        match add_months(due, every_months.max(1)) {
            Some(n) if n > due => due = n,
            _ => break,
        }
    }
    (out, due)
}

// ---------------------------------------------------------------- CAPA

/// Where a corrective action came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A hotline case; the CAPA holds the case reference only, never its content.
    HotlineCase,
    AuditFinding,
    /// A scan rule's violation rate.
    QaTrend,
    /// A climate-survey hot-spot (an opaque identifier from the surveys module).
    SurveyHotspot,
    Manual,
}

impl SourceKind {
    pub const ALL: [SourceKind; 5] = [
        Self::HotlineCase,
        Self::AuditFinding,
        Self::QaTrend,
        Self::SurveyHotspot,
        Self::Manual,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HotlineCase => "hotline_case",
            Self::AuditFinding => "audit_finding",
            Self::QaTrend => "qa_trend",
            Self::SurveyHotspot => "survey_hotspot",
            Self::Manual => "manual",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::HotlineCase => "Hotline case",
            Self::AuditFinding => "Audit finding",
            Self::QaTrend => "QA trend",
            Self::SurveyHotspot => "Survey hot-spot",
            Self::Manual => "Entered by hand",
        }
    }
}

/// The state of a corrective action (ISO 9001 §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Analysed,
    Planned,
    Implemented,
    Verified,
    Closed,
    Reopened,
}

impl State {
    pub const ALL: [State; 7] = [
        Self::Open,
        Self::Analysed,
        Self::Planned,
        Self::Implemented,
        Self::Verified,
        Self::Closed,
        Self::Reopened,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Analysed => "analysed",
            Self::Planned => "planned",
            Self::Implemented => "implemented",
            Self::Verified => "verified",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Analysed => "Root cause analysed",
            Self::Planned => "Action planned",
            Self::Implemented => "Implemented",
            Self::Verified => "Effectiveness verified",
            Self::Closed => "Closed",
            Self::Reopened => "Reopened (not effective)",
        }
    }

    /// Still needs work (counts for overdue escalation).
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Verified | Self::Closed)
    }
}

/// A move of a corrective action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Record the root cause (needs the text).
    Analyse,
    /// Record the action plan (needs the text).
    Plan,
    /// The planned action is done.
    Implement,
    /// The effectiveness review found the action effective.
    Verify,
    /// The effectiveness review found it not effective: analyse again.
    NotEffective,
    Close,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Self::Analyse,
        Self::Plan,
        Self::Implement,
        Self::Verify,
        Self::NotEffective,
        Self::Close,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analyse => "analyse",
            Self::Plan => "plan",
            Self::Implement => "implement",
            Self::Verify => "verify",
            Self::NotEffective => "not_effective",
            Self::Close => "close",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Analyse => "Record the root cause",
            Self::Plan => "Record the action plan",
            Self::Implement => "Mark implemented",
            Self::Verify => "Verify effectiveness",
            Self::NotEffective => "Not effective: reopen",
            Self::Close => "Close",
        }
    }
}

/// A refused move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a CAPA that is {from} cannot {step}")]
    NotFrom {
        from: &'static str,
        step: &'static str,
    },
    #[error("the effectiveness metric is not met yet ({0})")]
    MetricNotMet(String),
}

/// The state after `step` from `from`.
pub fn next(from: State, step: Step) -> Result<State, TransitionError> {
    use State::*;
    let to = match (from, step) {
        (Open | Reopened, Step::Analyse) => Analysed,
        (Analysed, Step::Plan) => Planned,
        (Planned, Step::Implement) => Implemented,
        (Implemented, Step::Verify) => Verified,
        (Implemented, Step::NotEffective) => Reopened,
        (Verified, Step::Close) => Closed,
        _ => {
            return Err(TransitionError::NotFrom {
                from: from.as_str(),
                step: step.as_str(),
            })
        }
    };
    Ok(to)
}

/// The moves open from `state`.
pub fn steps_from(state: State) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| next(state, *s).is_ok())
        .collect()
}

/// Is a CAPA in `state` due at `due` overdue at `now`?
pub fn is_overdue(state: State, due: Timestamp, now: Timestamp) -> bool {
    state.is_active() && due <= now
}

/// The recurrence key of a CAPA: its rule when it names one, otherwise the source kind
/// and subject (a checklist item's text, a hot-spot, a case reference). Manual CAPAs
/// without a rule have none.
pub fn recurrence_key(kind: SourceKind, subject: &str, rule: Option<&str>) -> Option<String> {
    match (kind, rule) {
        (_, Some(r)) if !r.is_empty() => Some(format!("rule:{r}")),
        (SourceKind::Manual, _) => None,
        (k, _) if !subject.is_empty() => Some(format!("{}:{subject}", k.as_str())),
        _ => None,
    }
}

/// Is a CAPA opened at `now` recurring, given when an earlier CAPA on the same subject
/// and site was closed?
pub fn is_recurrence(closed_at: Timestamp, now: Timestamp) -> bool {
    closed_at <= now
        && now.duration_since(closed_at) <= SignedDuration::from_hours(RECURRENCE_DAYS * 24)
}

/// Violations per 1,000 interactions; `None` without interactions.
pub fn rate_per_1000(hits: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| hits as f64 * 1000.0 / total as f64)
}

/// What the effectiveness metric says.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Not implemented yet: nothing to measure.
    NotStarted,
    /// The window has not elapsed.
    Pending {
        elapsed_days: i64,
        days: i64,
    },
    /// The window elapsed without any interaction: nothing shows the action worked.
    NoData,
    Met {
        rate: f64,
    },
    NotMet {
        rate: f64,
    },
}

impl Verdict {
    pub fn describe(&self, baseline: f64) -> String {
        match self {
            Verdict::NotStarted => "measured from implementation".into(),
            Verdict::Pending { elapsed_days, days } => {
                format!("pending: {elapsed_days} of {days} days since implementation")
            }
            Verdict::NoData => "no interactions in the window".into(),
            Verdict::Met { rate } => {
                format!("met: {rate:.1} per 1,000 interactions, under the baseline {baseline:.1}")
            }
            Verdict::NotMet { rate } => {
                format!("not met: {rate:.1} per 1,000 interactions, baseline {baseline:.1}")
            }
        }
    }
}

/// The verdict of a metric of `days` days with `baseline` for an action implemented at
/// `implemented` (if it was), at `now`, given the window's `hits` and `total`
/// interactions.
pub fn verdict(
    baseline: f64,
    days: i64,
    implemented: Option<Timestamp>,
    now: Timestamp,
    hits: u64,
    total: u64,
) -> Verdict {
    let Some(start) = implemented else {
        return Verdict::NotStarted;
    };
    let elapsed = now.duration_since(start).as_secs() / 86_400;
    if elapsed < days {
        return Verdict::Pending {
            elapsed_days: elapsed.max(0),
            days,
        };
    }
    match rate_per_1000(hits, total) {
        None => Verdict::NoData,
        Some(rate) if rate < baseline => Verdict::Met { rate },
        Some(rate) => Verdict::NotMet { rate },
    }
}

/// The end of a metric window of `days` days starting at `start`.
pub fn window_end(start: Timestamp, days: i64) -> Timestamp {
    start
        .checked_add(SignedDuration::from_hours(days.max(0) * 24))
        .unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_states_follow_iso_9001_and_refuse_skips() {
        let mut s = State::Open;
        for step in [Step::Analyse, Step::Plan, Step::Implement] {
            s = next(s, step).unwrap();
        }
        assert_eq!(s, State::Implemented);
        assert_eq!(next(s, Step::NotEffective).unwrap(), State::Reopened);
        assert_eq!(
            next(State::Reopened, Step::Analyse).unwrap(),
            State::Analysed
        );
        assert_eq!(next(s, Step::Verify).unwrap(), State::Verified);
        assert_eq!(next(State::Verified, Step::Close).unwrap(), State::Closed);
        assert!(next(State::Open, Step::Close).is_err());
        assert!(next(State::Open, Step::Implement).is_err());
        assert!(steps_from(State::Closed).is_empty());
        assert_eq!(
            steps_from(State::Implemented),
            vec![Step::Verify, Step::NotEffective]
        );
    }

    #[test]
    fn monthly_schedules_materialise_two_weeks_ahead() {
        let (due, next) = due_instants(at("2026-10-31T17:00:00Z"), 1, at("2026-11-20T09:00:00Z"));
        // Oct 31 and Nov 30 are before Dec 4; Dec 30 is not.
        assert_eq!(
            due,
            vec![at("2026-10-31T17:00:00Z"), at("2026-11-30T17:00:00Z")]
        );
        assert_eq!(next, at("2026-12-30T17:00:00Z"));
        let (none, same) = due_instants(at("2027-03-01T00:00:00Z"), 1, at("2026-11-20T00:00:00Z"));
        assert!(none.is_empty());
        assert_eq!(same, at("2027-03-01T00:00:00Z"));
    }

    #[test]
    fn the_metric_is_met_only_under_the_baseline_after_the_full_window() {
        let start = Some(at("2026-09-01T00:00:00Z"));
        let now = at("2026-11-20T00:00:00Z");
        assert_eq!(
            verdict(20.0, 60, start, at("2026-10-01T00:00:00Z"), 0, 10),
            Verdict::Pending {
                elapsed_days: 30,
                days: 60
            }
        );
        assert_eq!(
            verdict(20.0, 60, start, now, 19, 1000),
            Verdict::Met { rate: 19.0 }
        );
        assert_eq!(
            verdict(20.0, 60, start, now, 20, 1000),
            Verdict::NotMet { rate: 20.0 }
        );
        assert_eq!(verdict(20.0, 60, start, now, 0, 0), Verdict::NoData);
        assert_eq!(verdict(20.0, 60, None, now, 0, 10), Verdict::NotStarted);
    }

    #[test]
    fn recurrence_is_by_subject_within_the_window() {
        assert_eq!(
            recurrence_key(SourceKind::QaTrend, "x", Some("pci.card")),
            Some("rule:pci.card".into())
        );
        assert_eq!(recurrence_key(SourceKind::Manual, "", None), None);
        assert!(is_recurrence(
            at("2026-10-01T00:00:00Z"),
            at("2026-11-20T00:00:00Z")
        ));
        assert!(!is_recurrence(
            at("2026-01-01T00:00:00Z"),
            at("2026-11-20T00:00:00Z")
        ));
        assert!(is_overdue(
            State::Planned,
            at("2026-11-01T00:00:00Z"),
            at("2026-11-20T00:00:00Z")
        ));
        assert!(!is_overdue(
            State::Verified,
            at("2026-11-01T00:00:00Z"),
            at("2026-11-20T00:00:00Z")
        ));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(check_text("  a ", 5), Ok("a"));
        assert_eq!(check_text(" ", 5), Err(TextError::Missing));
        assert_eq!(check_text("abcdef", 5), Err(TextError::TooLong(5)));
    }
}
