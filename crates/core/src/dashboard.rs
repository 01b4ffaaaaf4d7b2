//! The ethics-health indicators: pure arithmetic over monthly counts, with the rules
//! that decide when a figure is withheld.
//!
//! Every indicator is a monthly series, oldest first. A month's value is `None` when
//! the figure would rest on too few events to mean anything or to protect anyone:
//!
//! - interaction rates need at least [`MIN_INTERACTIONS`] interactions in the month;
//! - the commitments kept rate needs [`MIN_GROUP`] closed commitments;
//! - hotline figures are *trailing twelve months* (the month and the eleven before), so
//!   they compare with NAVEX's yearly benchmark and a single case does not swing them,
//!   and each needs [`MIN_GROUP`] cases in its own denominator (reports, decided cases,
//!   closed cases, deadlines due), as in `hotline_stats`.
//!
//! Definitions (the page's "how is this computed" repeats them):
//! - *reports per 100 employees*: cases submitted in the 12 months ÷ current headcount
//!   × 100. Reference: NAVEX's published median of 1.57.
//! - *anonymous share*: anonymous ÷ submitted, 12 months.
//! - *substantiation rate*: substantiated ÷ (substantiated + unsubstantiated) among
//!   cases closed in the 12 months.
//! - *mean days to close*: over cases closed in the 12 months.
//! - *legal-clock compliance*: deadlines (acknowledgement, feedback) that fell due in
//!   the 12 months and were met by their due instant ÷ all that fell due.
//! - *violations per 1,000 interactions*: interactions where a conduct or disclosure
//!   rule fired, counted once per rule, ÷ interactions × 1,000, in the month.
//! - *customer-data exposures per 1,000*: interactions in which customer data was found
//!   (and redacted before storage) ÷ interactions × 1,000.
//! - *commitments kept*: kept ÷ (kept + broken) among commitments closed in the month.

use serde::Serialize;

pub use crate::hotline_stats::MIN_GROUP;

/// Interaction rates of a month with fewer interactions are withheld.
pub const MIN_INTERACTIONS: i64 = 20;

/// NAVEX's published median of hotline reports per 100 employees.
pub const NAVEX_REPORTS_PER_100: f64 = 1.57;

/// Counts of one month of interactions (of the whole organisation or one team).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InteractionMonth {
    pub interactions: i64,
    pub flagged: i64,
    pub exposed: i64,
    /// Interactions × conduct/disclosure rules that fired in them.
    pub violations: i64,
}

/// Commitments closed in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClosedCommitments {
    pub kept: i64,
    pub broken: i64,
}

/// Hotline facts of one month: cases by submission; decisions and closes by closing;
/// deadlines by due instant. Counts only, never content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CaseMonth {
    pub submitted: i64,
    pub anonymous: i64,
    pub substantiated: i64,
    pub unsubstantiated: i64,
    pub closed: i64,
    pub closed_days_sum: f64,
    pub deadlines_due: i64,
    pub deadlines_met: i64,
}

impl CaseMonth {
    fn add(&mut self, o: &CaseMonth) {
        self.submitted += o.submitted;
        self.anonymous += o.anonymous;
        self.substantiated += o.substantiated;
        self.unsubstantiated += o.unsubstantiated;
        self.closed += o.closed;
        self.closed_days_sum += o.closed_days_sum;
        self.deadlines_due += o.deadlines_due;
        self.deadlines_met += o.deadlines_met;
    }
}

/// A reference range drawn behind an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Benchmark {
    pub low: f64,
    pub high: f64,
    pub source: &'static str,
}

/// One indicator: a monthly series and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub key: &'static str,
    pub title: &'static str,
    /// Appended to values: "%", "" …
    pub unit: &'static str,
    pub values: Vec<Option<f64>>,
    /// Why a month may show no value.
    pub withheld_when: String,
    pub benchmark: Option<Benchmark>,
    /// The formula in words.
    pub formula: &'static str,
    /// Whether a higher value is better (for the page's wording only).
    pub higher_is_better: Option<bool>,
}

impl Indicator {
    /// The newest month that has a value.
    pub fn latest(&self) -> Option<f64> {
        self.values.iter().rev().flatten().next().copied()
    }
}

fn ratio(num: i64, den: i64, min: i64, scale: f64) -> Option<f64> {
    (den >= min && den > 0).then(|| num as f64 / den as f64 * scale)
}

/// Interaction indicators over the months given.
pub fn interaction_indicators(months: &[InteractionMonth]) -> Vec<Indicator> {
    let withheld = format!("fewer than {MIN_INTERACTIONS} interactions in the month");
    vec![
        Indicator {
            key: "interactions_reviewed",
            title: "Interactions reviewed",
            unit: "",
            values: months.iter().map(|m| Some(m.interactions as f64)).collect(),
            withheld_when: String::new(),
            benchmark: None,
            formula: "Interactions stored and scanned in the month (every one is reviewed by the engine).",
            higher_is_better: None,
        },
        Indicator {
            key: "violations_per_1000",
            title: "Violations per 1,000 interactions",
            unit: "",
            values: months
                .iter()
                .map(|m| ratio(m.violations, m.interactions, MIN_INTERACTIONS, 1000.0))
                .collect(),
            withheld_when: withheld.clone(),
            benchmark: None,
            formula: "Conduct and disclosure rules that fired (once per rule per interaction) ÷ interactions × 1,000.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "exposures_per_1000",
            title: "Customer-data exposures per 1,000 interactions",
            unit: "",
            values: months
                .iter()
                .map(|m| ratio(m.exposed, m.interactions, MIN_INTERACTIONS, 1000.0))
                .collect(),
            withheld_when: withheld.clone(),
            benchmark: None,
            formula: "Interactions in which customer data (card numbers, IDs, contact details…) was found and redacted before storage ÷ interactions × 1,000.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "flagged_share",
            title: "Interactions needing a human look",
            unit: "%",
            values: months
                .iter()
                .map(|m| ratio(m.flagged, m.interactions, MIN_INTERACTIONS, 100.0))
                .collect(),
            withheld_when: withheld,
            benchmark: None,
            formula: "Flagged interactions (a conduct or disclosure event, or a failed critical item) ÷ interactions.",
            higher_is_better: Some(false),
        },
    ]
}

/// The commitments kept rate per month.
pub fn kept_indicator(months: &[ClosedCommitments]) -> Indicator {
    Indicator {
        key: "commitments_kept",
        title: "Commitments kept",
        unit: "%",
        values: months
            .iter()
            .map(|m| ratio(m.kept, m.kept + m.broken, MIN_GROUP as i64, 100.0))
            .collect(),
        withheld_when: format!("fewer than {MIN_GROUP} commitments closed in the month"),
        benchmark: None,
        formula: "Commitments marked kept ÷ commitments closed (kept or broken) in the month.",
        higher_is_better: Some(true),
    }
}

/// Hotline indicators, trailing twelve months. `months` holds 11 months before the
/// first month shown, then the months shown; `headcount` is today's.
pub fn hotline_indicators(months: &[CaseMonth], headcount: u64) -> Vec<Indicator> {
    let shown = months.len().saturating_sub(11);
    let trailing: Vec<CaseMonth> = (0..shown)
        .map(|i| {
            let mut t = CaseMonth::default();
            for m in &months[i..i + 12] {
                t.add(m);
            }
            t
        })
        .collect();
    let min = MIN_GROUP as i64;
    let hc = i64::try_from(headcount).unwrap_or(i64::MAX);
    vec![
        Indicator {
            key: "reports_per_100",
            title: "Hotline reports per 100 employees",
            unit: "",
            values: trailing
                .iter()
                .map(|t| {
                    (t.submitted >= min && hc > 0)
                        .then(|| t.submitted as f64 / hc as f64 * 100.0)
                })
                .collect(),
            withheld_when: format!("fewer than {MIN_GROUP} reports in the 12 months"),
            benchmark: Some(Benchmark {
                low: NAVEX_REPORTS_PER_100,
                high: NAVEX_REPORTS_PER_100,
                source: "NAVEX median 1.57",
            }),
            formula: "Reports submitted in the 12 months to the month ÷ active employees today × 100.",
            higher_is_better: None,
        },
        Indicator {
            key: "anonymous_share",
            title: "Reports made anonymously",
            unit: "%",
            values: trailing
                .iter()
                .map(|t| ratio(t.anonymous, t.submitted, min, 100.0))
                .collect(),
            withheld_when: format!("fewer than {MIN_GROUP} reports in the 12 months"),
            benchmark: None,
            formula: "Anonymous reports ÷ reports, 12 months to the month.",
            higher_is_better: None,
        },
        Indicator {
            key: "substantiation_rate",
            title: "Substantiation rate",
            unit: "%",
            values: trailing
                .iter()
                .map(|t| ratio(t.substantiated, t.substantiated + t.unsubstantiated, min, 100.0))
                .collect(),
            withheld_when: format!("fewer than {MIN_GROUP} cases decided in the 12 months"),
            benchmark: None,
            formula: "Substantiated ÷ (substantiated + unsubstantiated) among cases closed in the 12 months; cases closed without a finding do not count.",
            higher_is_better: None,
        },
        Indicator {
            key: "days_to_close",
            title: "Mean days to close a case",
            unit: "",
            values: trailing
                .iter()
                .map(|t| (t.closed >= min).then(|| t.closed_days_sum / t.closed as f64))
                .collect(),
            withheld_when: format!("fewer than {MIN_GROUP} cases closed in the 12 months"),
            benchmark: None,
            formula: "Days from submission to closing, averaged over cases closed in the 12 months.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "legal_clock_compliance",
            title: "Legal deadlines met",
            unit: "%",
            values: trailing
                .iter()
                .map(|t| ratio(t.deadlines_met, t.deadlines_due, min, 100.0))
                .collect(),
            withheld_when: format!("fewer than {MIN_GROUP} deadlines fell due in the 12 months"),
            benchmark: None,
            formula: "Acknowledgement and feedback deadlines that fell due in the 12 months and were met on time ÷ all that fell due.",
            higher_is_better: Some(true),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_rates_need_enough_interactions() {
        let ind = interaction_indicators(&[
            InteractionMonth {
                interactions: 19,
                flagged: 19,
                exposed: 19,
                violations: 19,
            },
            InteractionMonth {
                interactions: 200,
                flagged: 50,
                exposed: 4,
                violations: 30,
            },
        ]);
        let by = |k: &str| ind.iter().find(|i| i.key == k).unwrap().values.clone();
        assert_eq!(by("interactions_reviewed"), [Some(19.0), Some(200.0)]);
        assert_eq!(by("violations_per_1000"), [None, Some(150.0)]);
        assert_eq!(by("exposures_per_1000"), [None, Some(20.0)]);
        assert_eq!(by("flagged_share"), [None, Some(25.0)]);
    }

    #[test]
    fn hotline_figures_trail_twelve_months_and_withhold_small_denominators() {
        // 13 months: one report a month, the first anonymous; two closes in the last
        // month, both substantiated after 10 and 20 days.
        let mut months = vec![
            CaseMonth {
                submitted: 1,
                ..Default::default()
            };
            13
        ];
        months[0].anonymous = 1;
        months[12].closed = 5;
        months[12].closed_days_sum = 75.0;
        months[12].substantiated = 4;
        months[12].unsubstantiated = 1;
        months[12].deadlines_due = 4;
        months[12].deadlines_met = 4;
        let ind = hotline_indicators(&months, 600);
        let by = |k: &str| ind.iter().find(|i| i.key == k).unwrap().values.clone();
        // Two months shown: months 0..12 and 1..13, 12 reports each.
        assert_eq!(by("reports_per_100"), [Some(2.0), Some(2.0)]);
        // The first window holds the anonymous report, the second does not.
        let anon = by("anonymous_share");
        assert!((anon[0].unwrap() - 100.0 / 12.0).abs() < 1e-9, "{anon:?}");
        assert_eq!(anon[1], Some(0.0));
        assert_eq!(by("substantiation_rate"), [None, Some(80.0)]);
        assert_eq!(by("days_to_close"), [None, Some(15.0)]);
        assert_eq!(
            by("legal_clock_compliance"),
            [None, None],
            "4 < 5 deadlines"
        );
        let per100 = ind.iter().find(|i| i.key == "reports_per_100").unwrap();
        assert_eq!(per100.benchmark.unwrap().low, 1.57);
        assert_eq!(per100.latest(), Some(2.0));
    }

    #[test]
    fn four_reports_a_year_show_no_hotline_figure_at_all() {
        let mut months = vec![CaseMonth::default(); 12];
        for m in months.iter_mut().take(4) {
            m.submitted = 1;
            m.anonymous = 1;
        }
        for i in hotline_indicators(&months, 50) {
            assert_eq!(i.values, [None], "{}", i.key);
        }
    }

    #[test]
    fn kept_rate_needs_five_closed() {
        let k = kept_indicator(&[
            ClosedCommitments { kept: 4, broken: 0 },
            ClosedCommitments { kept: 9, broken: 1 },
        ]);
        assert_eq!(k.values, [None, Some(90.0)]);
    }
}
