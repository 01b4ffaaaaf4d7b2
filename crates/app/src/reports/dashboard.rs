//! The ethics-health dashboard's figures: twelve months up to the current one (UTC).
//!
//! The months are calendar months in UTC: [`month_starts`] gives their first days and
//! [`instant`] the instant each begins, so the dashboard, fairness analytics and the
//! evidence binder cut periods at the same moments. The arithmetic and the withholding
//! rules are `core::dashboard`; this module only says which months and what a
//! dashboard holds ([`Dashboard`]), so that the page, the JSON and the binder read one
//! shape.

use crate::{Error, Result};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use righttrack_core::dashboard::Indicator;
use serde::Serialize;

/// The rules counted as violations, with their kind and description (core's list, so
/// the dashboard and fairness analytics count the same rules).
pub use righttrack_core::fairness::violation_rules;

/// Months shown.
pub const MONTHS: usize = 12;

/// What is counted, on the page and in the JSON.
pub const COUNTED: &str = "Interaction figures count every stored interaction. Hotline figures count only the cases you can read (a case you are excluded from by a conflict of interest is not counted for you) and destroyed cases' statistics.";

/// One rule's violations per 1,000 interactions.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRate {
    pub rule: String,
    pub kind: String,
    pub description: String,
    /// Over the twelve months.
    pub per_1000: Option<f64>,
    /// Per month, oldest first.
    pub monthly: Vec<Option<f64>>,
}

/// One team of the drill-down list.
#[derive(Debug, Clone, Serialize)]
pub struct TeamSlice {
    pub team: String,
    pub interactions: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub months: Vec<String>,
    pub team: Option<String>,
    pub interactions: Vec<Indicator>,
    pub rules: Vec<RuleRate>,
    /// Organisation-wide only (commitments are not kept per team).
    pub commitments: Option<Indicator>,
    /// Organisation-wide only, and only for viewers of cases.
    pub hotline: Vec<Indicator>,
    pub teams: Vec<TeamSlice>,
    pub headcount: u64,
    /// Attestation and training coverage (of the team's people with `?team=`).
    pub coverage: Vec<Indicator>,
    /// Organisation-wide only, and only for readers of survey results.
    pub climate: Vec<Indicator>,
    /// Organisation-wide only.
    pub capa: Vec<Indicator>,
}

fn month_start(d: Date) -> Date {
    d.first_of_month()
}

/// The instant a day begins, in UTC.
pub fn instant(d: Date) -> Result<Timestamp> {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| Error::internal(&e))
}

/// The first days of `n` consecutive months ending with the one holding `today`, and
/// the first day after them.
pub fn month_starts(today: Date, n: usize) -> Result<Vec<Date>> {
    let last = month_start(today);
    let mut out = Vec::with_capacity(n + 1);
    for back in (0..n).rev() {
        let back = i64::try_from(back).unwrap_or(0);
        out.push(
            last.checked_sub(back.months())
                .map_err(|e| Error::internal(&e))?,
        );
    }
    out.push(
        last.checked_add(1.month())
            .map_err(|e| Error::internal(&e))?,
    );
    Ok(out)
}

/// A month's label, `YYYY-MM`.
pub fn label(d: Date) -> String {
    d.strftime("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_month_starts_cross_the_year() {
        let s = month_starts("2026-02-17".parse().unwrap(), 12).unwrap();
        assert_eq!(s.len(), 13);
        assert_eq!(label(s[0]), "2025-03");
        assert_eq!(label(s[11]), "2026-02");
        assert_eq!(s[12].to_string(), "2026-03-01");
    }
}
