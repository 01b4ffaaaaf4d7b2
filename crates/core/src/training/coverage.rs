//! Training coverage as it stood at each month's end: the one rule behind the training
//! report's trend and the dashboard's "Training coverage".
//!
//! An assignment counts in a month when it was made before the month's end; it is
//! covered when its person held a passing completion then: completed before the month's
//! end and expiring after it. Months are half-open, `[start, next start)`, and the
//! current month ends now (the last bound is the instant after now), so a completion
//! made at midnight on the 1st belongs to the new month, as it does in the month's
//! completion count. The arithmetic is [`crate::dashboard::coverage_months`] over
//! positions ([`crate::dashboard::pos`]); the store groups the same positions in SQL
//! for the dashboard, and [`by_month`] builds them from rows in memory for the report.
//!
//! What differs between the two is presentation only: the dashboard withholds a month
//! with fewer than [`crate::dashboard::MIN_GROUP`] assignments and shows one decimal;
//! the report shows every group, however small, as a floored whole percentage
//! ([`percent`]).

use crate::dashboard::{coverage_months, pos, AssignedGroup, CoverageMonth, DoneGroup, NEVER};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// One assignment with its person's passing completions of the course (any order):
/// `(completed_at, expires_at)`, `None` never expiring.
pub struct History<'a> {
    pub assigned_at: Timestamp,
    pub due_at: Timestamp,
    pub completions: &'a [(Timestamp, Option<Timestamp>)],
}

/// Coverage at the end of each month between `bounds` (the first month's start, then
/// each month's end; the last one the instant after now).
pub fn by_month<'a>(
    bounds: &[Timestamp],
    rows: impl IntoIterator<Item = History<'a>>,
) -> Vec<CoverageMonth> {
    let b: Vec<i64> = bounds.iter().map(|t| t.as_millisecond()).collect();
    let at = |t: Option<Timestamp>| pos(&b, t.map(|t| t.as_millisecond()));
    let group = |assigned, due| AssignedGroup {
        counts_from: 0,
        counts_until: NEVER,
        assigned,
        due,
        people: 0,
    };
    // Grouped by positions, as the store does, so a month is a sum over a few groups.
    let mut assigned: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    let mut done: BTreeMap<(i64, i64, i64, i64), i64> = BTreeMap::new();
    for r in rows {
        let (a, d) = (at(Some(r.assigned_at)), at(Some(r.due_at)));
        *assigned.entry((a, d)).or_default() += 1;
        let mut cs = r.completions.to_vec();
        cs.sort_by_key(|c| c.0);
        for (i, (completed, expires)) in cs.iter().enumerate() {
            // A completion counts until it expires or the next one, whichever is first,
            // so one assignment is covered at most once in a month.
            let until = match (cs.get(i + 1).map(|n| n.0), expires) {
                (Some(next), Some(e)) => Some(next.min(*e)),
                (Some(next), None) => Some(next),
                (None, e) => *e,
            };
            *done
                .entry((a, d, at(Some(*completed)), at(until)))
                .or_default() += 1;
        }
    }
    let assigned_groups: Vec<AssignedGroup> = assigned
        .into_iter()
        .map(|((a, d), people)| AssignedGroup {
            people,
            ..group(a, d)
        })
        .collect();
    let done_groups: Vec<DoneGroup> = done
        .into_iter()
        .map(|((a, d, from, until), people)| DoneGroup {
            of: AssignedGroup {
                people,
                ..group(a, d)
            },
            from,
            until,
        })
        .collect();
    coverage_months(
        bounds.len().saturating_sub(1),
        &assigned_groups,
        &done_groups,
    )
}

/// The report's figure for a month: covered ÷ assigned as a floored whole percentage,
/// `None` with nobody assigned (the report shows even one person).
pub fn percent(m: &CoverageMonth) -> Option<i64> {
    (m.assigned > 0).then(|| m.done * 100 / m.assigned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn bounds() -> Vec<Timestamp> {
        // October, November, and December until now.
        vec![
            t("2026-10-01T00:00:00Z"),
            t("2026-11-01T00:00:00Z"),
            t("2026-12-01T00:00:00Z"),
            t("2026-12-07T12:00:00.001Z"),
        ]
    }

    #[test]
    fn a_completion_counts_from_its_month_until_it_expires() {
        let done = [(t("2026-10-10T00:00:00Z"), Some(t("2026-11-15T00:00:00Z")))];
        let m = by_month(
            &bounds(),
            [History {
                assigned_at: t("2026-10-01T00:00:00Z"),
                due_at: t("2026-10-20T00:00:00Z"),
                completions: &done,
            }],
        );
        let got: Vec<_> = m.iter().map(|m| (m.assigned, m.done, m.overdue)).collect();
        assert_eq!(got, [(1, 1, 0), (1, 0, 1), (1, 0, 1)]);
        assert_eq!(
            m.iter().map(percent).collect::<Vec<_>>(),
            [Some(100), Some(0), Some(0)]
        );
    }

    /// The report used to count a completion made at exactly a month's end (midnight on
    /// the 1st) in the month before as well; the dashboard did not. One rule now: months
    /// are half-open, the dashboard's, which is also how the report counts the month's
    /// completions.
    #[test]
    fn a_completion_at_midnight_on_the_first_belongs_to_the_new_month_only() {
        let done = [(t("2026-11-01T00:00:00Z"), None)];
        let m = by_month(
            &bounds(),
            [History {
                assigned_at: t("2026-10-05T00:00:00Z"),
                due_at: t("2026-12-31T00:00:00Z"),
                completions: &done,
            }],
        );
        assert_eq!(m.iter().map(|m| m.done).collect::<Vec<_>>(), [0, 1, 1]);
    }

    #[test]
    fn the_current_month_counts_what_happened_until_now_included() {
        let now = t("2026-12-07T12:00:00Z");
        let done = [(now, None)];
        let m = by_month(
            &bounds(),
            [History {
                assigned_at: now,
                due_at: now,
                completions: &done,
            }],
        );
        assert_eq!(
            m.iter().map(percent).collect::<Vec<_>>(),
            [None, None, Some(100)]
        );
    }

    #[test]
    fn a_renewal_is_counted_once_and_an_earlier_assignment_later_is_not_counted_early() {
        let done = [
            (t("2026-10-02T00:00:00Z"), Some(t("2027-10-02T00:00:00Z"))),
            (t("2026-11-02T00:00:00Z"), Some(t("2027-11-02T00:00:00Z"))),
        ];
        let m = by_month(
            &bounds(),
            [
                History {
                    assigned_at: t("2026-10-01T00:00:00Z"),
                    due_at: t("2026-10-30T00:00:00Z"),
                    completions: &done,
                },
                History {
                    assigned_at: t("2026-11-20T00:00:00Z"),
                    due_at: t("2026-11-21T00:00:00Z"),
                    completions: &[],
                },
            ],
        );
        let got: Vec<_> = m.iter().map(|m| (m.assigned, m.done, m.overdue)).collect();
        assert_eq!(got, [(1, 1, 0), (2, 1, 1), (2, 1, 1)]);
    }
}
