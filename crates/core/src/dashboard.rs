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
//!
//! The ethics-program indicators (attestation, training, climate, corrective actions)
//! are *as they stood at each month's end* (the current month: now), computed from the
//! timestamps the rows carry. The store groups rows by [`Pos`], the position of an
//! instant among the month boundaries, so a month's figure is a sum over a few groups
//! and never a walk over people:
//! - *attestation coverage*: in each policy's cycle of the time (its latest published
//!   material version, the policy not retired), people assigned by the month's end who
//!   had attested by then ÷ people assigned; *overdue*: assigned, past due, not attested.
//!   Needs [`MIN_GROUP`] people assigned.
//! - *training coverage*: training assignments made by the month's end whose person held
//!   a passing completion valid then ÷ assignments; *overdue*: not valid and past due
//!   (a lapsed recurring course is overdue from its expiry, as in `core::training`).
//!   Needs [`MIN_GROUP`] assignments. The training report's trend is the same rule
//!   ([`crate::training::coverage`]), shown for every group.
//! - *climate indices*: the organisation-wide index of each survey wave closed in the
//!   month, as its release plan releases it (the wave's own minimum group applies).
//! - *corrective actions*: open (neither verified nor closed) and overdue at the month's
//!   end, closed in the month, and raised in the month as recurring (`core::capa`'s
//!   recurrence). Counts of actions, not of people: nothing is withheld.

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

/// The monthly series of `num / den × scale`, where `parts` gives a month's
/// `(num, den)`; a month whose `den` is under `min` shows no value.
fn ratios<T>(
    months: &[T],
    min: i64,
    scale: f64,
    parts: impl Fn(&T) -> (i64, i64),
) -> Vec<Option<f64>> {
    months
        .iter()
        .map(|m| {
            let (num, den) = parts(m);
            ratio(num, den, min, scale)
        })
        .collect()
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
            values: ratios(months, MIN_INTERACTIONS, 1000.0, |m| (m.violations, m.interactions)),
            withheld_when: withheld.clone(),
            benchmark: None,
            formula: "Conduct and disclosure rules that fired (once per rule per interaction) ÷ interactions × 1,000.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "exposures_per_1000",
            title: "Customer-data exposures per 1,000 interactions",
            unit: "",
            values: ratios(months, MIN_INTERACTIONS, 1000.0, |m| (m.exposed, m.interactions)),
            withheld_when: withheld.clone(),
            benchmark: None,
            formula: "Interactions in which customer data (card numbers, IDs, contact details…) was found and redacted before storage ÷ interactions × 1,000.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "flagged_share",
            title: "Interactions needing a human look",
            unit: "%",
            values: ratios(months, MIN_INTERACTIONS, 100.0, |m| (m.flagged, m.interactions)),
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
        values: ratios(months, MIN_GROUP as i64, 100.0, |m| {
            (m.kept, m.kept + m.broken)
        }),
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
            values: ratios(&trailing, min, 100.0, |t| (t.anonymous, t.submitted)),
            withheld_when: format!("fewer than {MIN_GROUP} reports in the 12 months"),
            benchmark: None,
            formula: "Anonymous reports ÷ reports, 12 months to the month.",
            higher_is_better: None,
        },
        Indicator {
            key: "substantiation_rate",
            title: "Substantiation rate",
            unit: "%",
            values: ratios(&trailing, min, 100.0, |t| (t.substantiated, t.substantiated + t.unsubstantiated)),
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
            values: ratios(&trailing, min, 100.0, |t| (t.deadlines_met, t.deadlines_due)),
            withheld_when: format!("fewer than {MIN_GROUP} deadlines fell due in the 12 months"),
            benchmark: None,
            formula: "Acknowledgement and feedback deadlines that fell due in the 12 months and were met on time ÷ all that fell due.",
            higher_is_better: Some(true),
        },
    ]
}

// ---------------------------------------------------------------- ethics program

/// Where an instant falls among the month boundaries of `n` months shown: `0` before
/// the first month, `i + 1` during month `i`, `n + 1` after the last month's end (for
/// the current month: now), [`NEVER`] when it did not happen. "By the end of month
/// `i`" is `pos <= i + 1`. The store computes positions in SQL (a `CASE` over the
/// boundaries) and groups by them.
pub type Pos = i64;

/// The position of an event that did not happen (not done, never expires).
pub const NEVER: Pos = 9_999;

/// The position of `t` among `bounds` (the first month's start, then each month's end).
pub fn pos(bounds: &[i64], t: Option<i64>) -> Pos {
    match t {
        None => NEVER,
        Some(t) => bounds.iter().filter(|b| **b <= t).count() as Pos,
    }
}

/// Assignments (of a policy cycle or a course) sharing their positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssignedGroup {
    /// The assignments count in month `i` only while `counts_from <= i + 1 <
    /// counts_until`: a policy cycle from its publication until the next cycle or the
    /// policy's retirement; training always (`0`, [`NEVER`]).
    pub counts_from: Pos,
    pub counts_until: Pos,
    pub assigned: Pos,
    pub due: Pos,
    pub people: i64,
}

/// Assignments of an [`AssignedGroup`] done from `from` until `until` (an attestation
/// never lapses; a training completion lapses at its expiry or is followed by the next
/// completion). The periods of one assignment do not overlap, so an assignment is
/// counted done at most once in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DoneGroup {
    pub of: AssignedGroup,
    pub from: Pos,
    pub until: Pos,
}

/// Coverage as it stood at one month's end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CoverageMonth {
    pub assigned: i64,
    pub done: i64,
    pub overdue: i64,
}

/// Coverage at the end of each of `n` months.
pub fn coverage_months(
    n: usize,
    assigned: &[AssignedGroup],
    done: &[DoneGroup],
) -> Vec<CoverageMonth> {
    (0..n)
        .map(|i| {
            let end = i as Pos + 1;
            let live = |g: &AssignedGroup| {
                g.counts_from <= end && end < g.counts_until && g.assigned <= end
            };
            let mut m = CoverageMonth::default();
            for g in assigned.iter().filter(|g| live(g)) {
                m.assigned += g.people;
                if g.due <= end {
                    m.overdue += g.people;
                }
            }
            for d in done
                .iter()
                .filter(|d| live(&d.of) && d.from <= end && end < d.until)
            {
                m.done += d.of.people;
                if d.of.due <= end {
                    m.overdue -= d.of.people;
                }
            }
            m
        })
        .collect()
}

fn coverage_pair(
    months: &[CoverageMonth],
    keys: (&'static str, &'static str),
    titles: (&'static str, &'static str),
    formulas: (&'static str, &'static str),
) -> Vec<Indicator> {
    let min = MIN_GROUP as i64;
    let withheld = format!("fewer than {MIN_GROUP} people assigned at the month's end");
    vec![
        Indicator {
            key: keys.0,
            title: titles.0,
            unit: "%",
            values: ratios(months, min, 100.0, |m| (m.done, m.assigned)),
            withheld_when: withheld.clone(),
            benchmark: None,
            formula: formulas.0,
            higher_is_better: Some(true),
        },
        Indicator {
            key: keys.1,
            title: titles.1,
            unit: "",
            values: months
                .iter()
                .map(|m| (m.assigned >= min).then_some(m.overdue as f64))
                .collect(),
            withheld_when: withheld,
            benchmark: None,
            formula: formulas.1,
            higher_is_better: Some(false),
        },
    ]
}

/// Attestation coverage and overdue attestations per month.
pub fn attestation_indicators(months: &[CoverageMonth]) -> Vec<Indicator> {
    coverage_pair(
        months,
        ("attestation_coverage", "attestations_overdue"),
        ("Policy attestation coverage", "Policy attestations overdue"),
        (
            "In each policy's current cycle at the month's end (its latest published material version; retired policies left out): people assigned by then who had attested by then ÷ people assigned. People disabled today are left out of every month.",
            "People assigned a current cycle whose attestation was past due and not made at the month's end.",
        ),
    )
}

/// Training coverage and overdue training per month.
pub fn training_indicators(months: &[CoverageMonth]) -> Vec<Indicator> {
    coverage_pair(
        months,
        ("training_coverage", "training_overdue"),
        ("Training coverage", "Training overdue"),
        (
            "Training assignments made by the month's end whose person held a passing completion still valid then ÷ assignments. Archived courses and people disabled today are left out of every month.",
            "Training assignments without a valid completion and past due at the month's end (a lapsed recurring course is overdue from its expiry).",
        ),
    )
}

/// The indicator key and title of each climate index of `surveys::instrument`.
pub const CLIMATE: [(&str, &str, &str); 5] = [
    (
        "pressure",
        "climate_pressure",
        "Climate: free of pressure to bend rules",
    ),
    (
        "misconduct",
        "climate_misconduct",
        "Climate: misconduct seen and reported",
    ),
    (
        "retaliation",
        "climate_retaliation",
        "Climate: safe to speak up",
    ),
    ("trust", "climate_trust", "Climate: trust in managers"),
    (
        "awareness",
        "climate_awareness",
        "Climate: speak-up awareness",
    ),
];

/// A closed survey wave's released organisation-wide indices: the month (index among
/// the months shown) it closed in, and (index key, share favourable 0–1) for each index
/// its questions measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveClimate {
    pub month: usize,
    pub closed_at: i64,
    pub indices: Vec<(String, Option<f64>)>,
}

/// One indicator per climate index some wave measured, its value in a month the wave
/// that closed last in that month (% favourable).
pub fn climate_indicators(n: usize, waves: &[WaveClimate]) -> Vec<Indicator> {
    let mut ordered: Vec<&WaveClimate> = waves.iter().filter(|w| w.month < n).collect();
    ordered.sort_by_key(|w| w.closed_at);
    CLIMATE
        .iter()
        .filter(|(ik, _, _)| ordered.iter().any(|w| w.indices.iter().any(|(k, _)| k == ik)))
        .map(|(ik, key, title)| {
            let mut values = vec![None; n];
            for w in &ordered {
                if let Some((_, v)) = w.indices.iter().find(|(k, _)| k == ik) {
                    values[w.month] = v.map(|v| v * 100.0);
                }
            }
            Indicator {
                key,
                title,
                unit: "%",
                values,
                withheld_when: "no released organisation-wide results of a survey wave closed in the month (a wave with fewer respondents than its minimum group releases none)".into(),
                benchmark: None,
                formula: "Favourable answers ÷ answers that count, over the index's questions, everyone in the wave that closed in the month (the released result, as on the survey's results page).",
                higher_is_better: Some(true),
            }
        })
        .collect()
}

/// Corrective actions sharing their positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CapaGroup {
    pub created: Pos,
    pub due: Pos,
    /// When it was first verified or closed (no longer active).
    pub done: Pos,
    pub closed: Pos,
    pub recurring: bool,
    pub count: i64,
}

/// Corrective actions per month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CapaMonth {
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    pub recurring: i64,
}

/// The corrective-action counts of each of `n` months.
pub fn capa_months(n: usize, groups: &[CapaGroup]) -> Vec<CapaMonth> {
    (0..n)
        .map(|i| {
            let end = i as Pos + 1;
            let mut m = CapaMonth::default();
            for g in groups {
                if g.created <= end && end < g.done {
                    m.open += g.count;
                    if g.due <= end {
                        m.overdue += g.count;
                    }
                }
                if g.closed == end {
                    m.closed += g.count;
                }
                if g.recurring && g.created == end {
                    m.recurring += g.count;
                }
            }
            m
        })
        .collect()
}

/// Corrective-action indicators.
pub fn capa_indicators(months: &[CapaMonth]) -> Vec<Indicator> {
    let series = |f: fn(&CapaMonth) -> i64| months.iter().map(|m| Some(f(m) as f64)).collect();
    vec![
        Indicator {
            key: "capa_open",
            title: "Corrective actions open",
            unit: "",
            values: series(|m| m.open),
            withheld_when: String::new(),
            benchmark: None,
            formula: "Corrective actions raised and neither verified nor closed at the month's end.",
            higher_is_better: None,
        },
        Indicator {
            key: "capa_overdue",
            title: "Corrective actions overdue",
            unit: "",
            values: series(|m| m.overdue),
            withheld_when: String::new(),
            benchmark: None,
            formula: "Open corrective actions past their due date at the month's end.",
            higher_is_better: Some(false),
        },
        Indicator {
            key: "capa_closed",
            title: "Corrective actions closed",
            unit: "",
            values: series(|m| m.closed),
            withheld_when: String::new(),
            benchmark: None,
            formula: "Corrective actions closed in the month.",
            higher_is_better: None,
        },
        Indicator {
            key: "capa_recurring",
            title: "Recurring corrective actions raised",
            unit: "",
            values: series(|m| m.recurring),
            withheld_when: String::new(),
            benchmark: None,
            formula: "Corrective actions raised in the month on the same subject and site as one closed in the 180 days before (the problem came back).",
            higher_is_better: Some(false),
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

    #[test]
    fn positions_place_instants_among_month_bounds() {
        let b = [100, 200, 300];
        assert_eq!(pos(&b, Some(99)), 0);
        assert_eq!(pos(&b, Some(100)), 1);
        assert_eq!(pos(&b, Some(299)), 2);
        assert_eq!(pos(&b, Some(300)), 3);
        assert_eq!(pos(&b, None), NEVER);
    }

    fn group(assigned: Pos, due: Pos, people: i64) -> AssignedGroup {
        AssignedGroup {
            counts_from: 0,
            counts_until: NEVER,
            assigned,
            due,
            people,
        }
    }

    #[test]
    fn coverage_stands_as_at_each_month_end_and_withholds_small_groups() {
        // Three months. Ten people assigned before the first, due in the second month;
        // four attest in month 0, three in month 2 (after the due date), three never.
        let a = group(0, 2, 10);
        let done = [
            DoneGroup {
                of: group(0, 2, 4),
                from: 1,
                until: NEVER,
            },
            DoneGroup {
                of: group(0, 2, 3),
                from: 3,
                until: NEVER,
            },
        ];
        let m = coverage_months(3, &[a], &done);
        assert_eq!(
            m,
            [
                CoverageMonth {
                    assigned: 10,
                    done: 4,
                    overdue: 0
                },
                CoverageMonth {
                    assigned: 10,
                    done: 4,
                    overdue: 6
                },
                CoverageMonth {
                    assigned: 10,
                    done: 7,
                    overdue: 3
                },
            ]
        );
        let ind = attestation_indicators(&m);
        assert_eq!(ind[0].key, "attestation_coverage");
        assert_eq!(ind[0].values, [Some(40.0), Some(40.0), Some(70.0)]);
        assert_eq!(ind[1].values, [Some(0.0), Some(6.0), Some(3.0)]);
        assert!(ind[0].benchmark.is_none(), "no public benchmark is claimed");
        // Four people: nothing shown, neither the share nor the overdue count.
        let small = training_indicators(&coverage_months(1, &[group(0, 0, 4)], &[]));
        assert_eq!(small[0].values, [None]);
        assert_eq!(small[1].values, [None]);
        assert!(small[0].withheld_when.contains("fewer than 5 people"));
    }

    #[test]
    fn a_cycle_counts_only_while_current_and_a_lapsed_completion_is_overdue() {
        // Cycle A current in months 0 and 1, replaced in month 2 by cycle B.
        let a = AssignedGroup {
            counts_from: 0,
            counts_until: 3,
            ..group(0, 0, 5)
        };
        let b = AssignedGroup {
            counts_from: 3,
            counts_until: NEVER,
            ..group(3, NEVER, 6)
        };
        let m = coverage_months(
            3,
            &[a, b],
            &[DoneGroup {
                of: a,
                from: 0,
                until: NEVER,
            }],
        );
        assert_eq!(
            m[1],
            CoverageMonth {
                assigned: 5,
                done: 5,
                overdue: 0
            }
        );
        assert_eq!(
            m[2],
            CoverageMonth {
                assigned: 6,
                done: 0,
                overdue: 0
            }
        );
        // Training valid until month 1, renewed in month 2: overdue in month 1 only.
        let t = group(0, 0, 5);
        let m = coverage_months(
            3,
            &[t],
            &[
                DoneGroup {
                    of: t,
                    from: 0,
                    until: 2,
                },
                DoneGroup {
                    of: t,
                    from: 3,
                    until: NEVER,
                },
            ],
        );
        assert_eq!(m.iter().map(|m| m.done).collect::<Vec<_>>(), [5, 0, 5]);
        assert_eq!(m.iter().map(|m| m.overdue).collect::<Vec<_>>(), [0, 5, 0]);
    }

    #[test]
    fn climate_shows_the_last_wave_closed_in_a_month_and_only_measured_indices() {
        let w = |month, closed_at, v: Option<f64>| WaveClimate {
            month,
            closed_at,
            indices: vec![("trust".into(), v)],
        };
        let ind = climate_indicators(
            3,
            &[w(2, 20, Some(0.5)), w(2, 10, Some(0.9)), w(0, 1, None)],
        );
        assert_eq!(ind.len(), 1, "only the index a wave measured");
        assert_eq!(ind[0].key, "climate_trust");
        assert_eq!(ind[0].values, [None, None, Some(50.0)]);
        assert!(climate_indicators(3, &[]).is_empty());
    }

    #[test]
    fn capa_counts_open_overdue_closed_and_recurring() {
        let g = |created, due, done, closed, recurring, count| CapaGroup {
            created,
            due,
            done,
            closed,
            recurring,
            count,
        };
        let m = capa_months(
            3,
            &[
                // Raised before, due in month 1, verified in month 2, never closed.
                g(0, 2, 3, NEVER, false, 2),
                // Raised in month 1 as recurring, closed in month 2.
                g(2, 5, 3, 3, true, 1),
                // Raised in month 2, still open, not yet due.
                g(3, 4, NEVER, NEVER, false, 1),
            ],
        );
        assert_eq!(
            m,
            [
                CapaMonth {
                    open: 2,
                    overdue: 0,
                    closed: 0,
                    recurring: 0
                },
                CapaMonth {
                    open: 3,
                    overdue: 2,
                    closed: 0,
                    recurring: 1
                },
                CapaMonth {
                    open: 1,
                    overdue: 0,
                    closed: 1,
                    recurring: 0
                },
            ]
        );
        let ind = capa_indicators(&m);
        assert_eq!(
            ind.iter().map(|i| i.key).collect::<Vec<_>>(),
            ["capa_open", "capa_overdue", "capa_closed", "capa_recurring"]
        );
        assert!(ind[3]
            .formula
            .contains(&crate::capa::RECURRENCE_DAYS.to_string()));
    }

    #[test]
    fn every_climate_index_of_the_instrument_has_an_indicator() {
        use crate::surveys::instrument::INDICES;
        assert_eq!(
            CLIMATE.iter().map(|c| c.0).collect::<Vec<_>>(),
            INDICES.iter().map(|c| c.0).collect::<Vec<_>>()
        );
    }
}
