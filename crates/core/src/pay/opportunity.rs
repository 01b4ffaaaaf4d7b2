//! Opportunity equity: who is promoted, who gets a pay rise and who gets training, by
//! sex, with the four-fifths screen fairness analytics uses.
//!
//! Each measure is a *rate*: the people it happened to ÷ the people it could have
//! happened to, for women and for men, with a 95 % Wilson score interval (it stays inside
//! 0–100 % and behaves for small counts and for rates of 0 or 100 %). The *impact ratio*
//! is the lower rate ÷ the higher one; under [`FOUR_FIFTHS`] the difference deserves a
//! look. That is a screen, not a finding: with a handful of promotions a year, one more
//! or one fewer moves it a lot, which the intervals show.
//!
//! The measures, each only where the HR file says so:
//! - **promotion**: promoted in the period (the `promoted` column), over everyone the
//!   column is filled for;
//! - **selection**: promoted among those *considered* for promotion (the `considered`
//!   column): who was chosen out of who was in the running;
//! - **pay rise**: basic hourly pay at least [`PAY_RISE_MIN_PCT`] per cent above the
//!   person's line in the previous period on file, over everyone who has a line in both
//!   (hourly, so a change of hours is not a rise);
//! - **training access**: any training hours in the period (the `training_hours`
//!   column), over everyone the column is filled for.
//!
//! **Time to promotion**: the median years of service of the women and of the men
//! promoted in the period.
//!
//! Small groups are suppressed exactly as every pay figure: a comparison is computed
//! only when both the women and the men it counts are at least [`MIN_GROUP`](super::MIN_GROUP).
//!
//! Pure: no I/O, no clock.

use super::{split, Figure, Record};
use crate::fairness::FOUR_FIFTHS;
use crate::quantile::median;
use serde::Serialize;
use std::collections::BTreeMap;

/// The rise in basic hourly pay, in per cent, that counts as a pay rise: below it is
/// rounding or a change of hours.
pub const PAY_RISE_MIN_PCT: f64 = 1.0;

/// The four-fifths screen in per cent, for pages.
pub const FOUR_FIFTHS_PCT: f64 = FOUR_FIFTHS * 100.0;

/// The normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A share with its 95 % Wilson score interval, all in per cent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// The people it happened to.
    pub yes: usize,
    /// The people it could have happened to.
    pub of: usize,
    pub pct: f64,
    pub low: f64,
    pub high: f64,
}

impl Rate {
    /// `yes` of `of`, or `None` for no one.
    pub fn of(yes: usize, of: usize) -> Option<Rate> {
        if of == 0 || yes > of {
            return None;
        }
        let n = of as f64;
        let p = yes as f64 / n;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Some(Rate {
            yes,
            of,
            pct: p * 100.0,
            low: ((centre - half) * 100.0).max(0.0),
            high: ((centre + half) * 100.0).min(100.0),
        })
    }
}

/// One measure compared between women and men.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub women: Rate,
    pub men: Rate,
    /// The lower rate ÷ the higher; `None` when both are 0.
    pub impact_ratio: Option<f64>,
    /// Which sex has the lower rate, when they differ: `"women"` or `"men"`.
    pub lower: Option<&'static str>,
    pub below_four_fifths: bool,
}

impl Comparison {
    fn of(women: Rate, men: Rate) -> Comparison {
        let (lo, hi) = if women.pct <= men.pct {
            (women.pct, men.pct)
        } else {
            (men.pct, women.pct)
        };
        let impact_ratio = (hi > 0.0).then(|| lo / hi);
        let lower = match women.pct.total_cmp(&men.pct) {
            std::cmp::Ordering::Less => Some("women"),
            std::cmp::Ordering::Greater => Some("men"),
            std::cmp::Ordering::Equal => None,
        };
        Comparison {
            women,
            men,
            impact_ratio,
            lower,
            below_four_fifths: impact_ratio.is_some_and(|r| r < FOUR_FIFTHS - 1e-12),
        }
    }
}

/// One opportunity measure of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Stable key: `promotion`, `selection`, `pay_rise`, `training`.
    pub key: &'static str,
    pub label: &'static str,
    /// Who counts in the denominator, in words.
    pub basis: &'static str,
    /// Women and men the measure counts (the denominators).
    pub women: usize,
    pub men: usize,
    pub figure: Figure<Comparison>,
}

/// The median years of service of the women and the men promoted in the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimeToPromotion {
    pub women_years: f64,
    pub men_years: f64,
}

/// The opportunity part of a period's pay report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    pub period: String,
    /// The period pay rises are measured against, when there is one on file.
    pub previous_period: Option<String>,
    /// Only the measures the file has data for, in a fixed order.
    pub measures: Vec<Measure>,
    /// `None` when the file says nothing of promotions or of hire dates.
    pub time_to_promotion: Option<Figure<TimeToPromotion>>,
}

fn measure(
    key: &'static str,
    label: &'static str,
    basis: &'static str,
    women: &[&Record],
    men: &[&Record],
    outcome: impl Fn(&Record) -> Option<bool>,
) -> Option<Measure> {
    let count = |rs: &[&Record]| {
        let known: Vec<bool> = rs.iter().filter_map(|r| outcome(r)).collect();
        (known.iter().filter(|b| **b).count(), known.len())
    };
    let ((wy, wn), (my, mn)) = (count(women), count(men));
    if wn + mn == 0 {
        return None;
    }
    Some(Measure {
        key,
        label,
        basis,
        women: wn,
        men: mn,
        figure: Figure::of(wn, mn, || {
            Some(Comparison::of(Rate::of(wy, wn)?, Rate::of(my, mn)?))
        }),
    })
}

/// The opportunity measures of `period`. `previous` holds the lines of the period
/// before it on file (named `previous_period`), for pay rises; pass an empty slice and
/// `None` when there is none.
pub fn opportunity(
    period: &str,
    records: &[Record],
    previous_period: Option<&str>,
    previous: &[Record],
) -> Opportunity {
    let rs: Vec<&Record> = records.iter().filter(|r| r.period == period).collect();
    let (w, m) = split(&rs);
    let before: BTreeMap<&str, &Record> = previous
        .iter()
        .filter(|r| Some(r.period.as_str()) == previous_period)
        .map(|r| (r.person.as_str(), r))
        .collect();
    let rose = |r: &Record| {
        let was = before.get(r.person.as_str())?.basic_hourly();
        (was > 0.0).then(|| (r.basic_hourly() - was) / was * 100.0 >= PAY_RISE_MIN_PCT - 1e-9)
    };
    let measures = [
        measure(
            "promotion",
            "Promotion",
            "everyone the file says whether they were promoted",
            &w,
            &m,
            |r| r.promoted,
        ),
        measure(
            "selection",
            "Chosen when considered",
            "everyone considered for promotion",
            &w,
            &m,
            |r| (r.considered == Some(true)).then_some(r.promoted == Some(true)),
        ),
        measure(
            "pay_rise",
            "Pay rise",
            "everyone with a line in the previous period too",
            &w,
            &m,
            rose,
        ),
        measure(
            "training",
            "Training access",
            "everyone the file gives training hours for",
            &w,
            &m,
            |r| r.training_hours.map(|h| h > 0.0),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let years = |rs: &[&Record]| -> Vec<f64> {
        rs.iter()
            .filter(|r| r.promoted == Some(true))
            .filter_map(|r| r.tenure_years)
            .collect()
    };
    let (wy, my) = (years(&w), years(&m));
    let says = rs
        .iter()
        .any(|r| r.promoted == Some(true) && r.tenure_years.is_some());
    Opportunity {
        period: period.to_owned(),
        previous_period: previous_period
            .filter(|_| !before.is_empty())
            .map(str::to_owned),
        measures,
        time_to_promotion: says.then(|| {
            Figure::of(wy.len(), my.len(), || {
                Some(TimeToPromotion {
                    women_years: median(&wy)?,
                    men_years: median(&my)?,
                })
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::Sex;

    fn person(i: usize, sex: Sex) -> Record {
        Record {
            person: format!("{sex:?}{i}"),
            period: "2026".into(),
            basic: 20_000.0,
            variable: 0.0,
            hours: 1000.0,
            category: "Agent".into(),
            grade: None,
            tenure_years: Some(i as f64),
            sex: Some(sex),
            promoted: None,
            considered: None,
            training_hours: None,
        }
    }

    #[test]
    fn wilson_interval_matches_a_hand_computation() {
        // 2 of 10: p = 0.2, z² = 3.8415; centre = (0.2 + 0.19207) / 1.38415 = 0.28326;
        // half = 1.96 / 1.38415 · √(0.016 + 0.0096037) = 1.41600 · 0.16001 = 0.22658;
        // so 5.67 % to 50.98 %.
        let r = Rate::of(2, 10).unwrap();
        assert!((r.pct - 20.0).abs() < 1e-9);
        assert!((r.low - 5.67).abs() < 0.01, "{r:?}");
        assert!((r.high - 50.98).abs() < 0.01, "{r:?}");
        // 0 of 5 still has an upper bound above 0; 5 of 5 a lower bound below 100.
        let none = Rate::of(0, 5).unwrap();
        assert_eq!(none.low, 0.0);
        assert!(none.high > 40.0 && none.high < 50.0, "{none:?}");
        let all = Rate::of(5, 5).unwrap();
        assert_eq!(all.high, 100.0);
        assert!(all.low > 50.0 && all.low < 60.0, "{all:?}");
        assert_eq!(Rate::of(0, 0), None);
    }

    /// Ten women and ten men; the file's columns filled as each case needs.
    fn staff() -> Vec<Record> {
        (0..10)
            .map(|i| person(i, Sex::Female))
            .chain((0..10).map(|i| person(i, Sex::Male)))
            .collect()
    }

    #[test]
    fn promotion_and_selection_rates_and_the_four_fifths_screen() {
        let mut rs = staff();
        for r in &mut rs {
            let i: usize = r.person[r.person.len() - 1..].parse().unwrap();
            let woman = r.sex == Some(Sex::Female);
            r.promoted = Some(if woman { i < 2 } else { i < 4 });
            // Six of each sex were considered: women 0–5, men 0–5.
            r.considered = Some(i < 6);
        }
        let o = opportunity("2026", &rs, None, &[]);
        let keys: Vec<&str> = o.measures.iter().map(|m| m.key).collect();
        assert_eq!(keys, ["promotion", "selection"]);
        // Promotion: women 2 / 10 = 20 %, men 4 / 10 = 40 %; ratio 0.5 < 0.8.
        let p = o.measures[0].figure.shown().unwrap();
        assert!((p.women.pct - 20.0).abs() < 1e-9 && (p.men.pct - 40.0).abs() < 1e-9);
        assert!((p.impact_ratio.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(p.lower, Some("women"));
        assert!(p.below_four_fifths);
        // Selection: 2 of the 6 women considered, 4 of the 6 men.
        let s = o.measures[1].figure.shown().unwrap();
        assert_eq!((s.women.yes, s.women.of, s.men.yes, s.men.of), (2, 6, 4, 6));
        assert_eq!((o.measures[1].women, o.measures[1].men), (6, 6));
        // Time to promotion: women promoted had 0 and 1 years (median 0.5), men 0–3
        // (median 1.5); but two promoted women are under the group minimum.
        assert_eq!(o.time_to_promotion, Some(Figure::TooFew));
    }

    #[test]
    fn pay_rises_are_hourly_against_the_previous_period_and_need_a_line_in_both() {
        let mut before = staff();
        for r in &mut before {
            r.period = "2025".into();
        }
        let mut now = staff();
        for (k, r) in now.iter_mut().enumerate() {
            let i = k % 10;
            match (r.sex, i) {
                // Women: 3 of 10 rise by 5 %; one more by 0.5 % (not a rise).
                (Some(Sex::Female), 0..=2) => r.basic *= 1.05,
                (Some(Sex::Female), 3) => r.basic *= 1.005,
                // Men: 6 of 10 rise; one of them doubled their hours and pay (no rise).
                (Some(Sex::Male), 0..=5) => r.basic *= 1.05,
                (Some(Sex::Male), 6) => {
                    r.basic *= 2.0;
                    r.hours *= 2.0;
                }
                _ => {}
            }
        }
        // A newcomer has no earlier line and is not counted.
        let mut newcomer = person(11, Sex::Female);
        newcomer.basic = 99_000.0;
        now.push(newcomer);
        let o = opportunity("2026", &now, Some("2025"), &before);
        assert_eq!(o.previous_period.as_deref(), Some("2025"));
        let m = &o.measures[0];
        assert_eq!(m.key, "pay_rise");
        assert_eq!((m.women, m.men), (10, 10));
        let c = m.figure.shown().unwrap();
        assert_eq!((c.women.yes, c.men.yes), (3, 6));
        // 30 % ÷ 60 % = 0.5.
        assert!((c.impact_ratio.unwrap() - 0.5).abs() < 1e-9);
        assert!(c.below_four_fifths);
    }

    #[test]
    fn training_access_and_small_groups_are_suppressed() {
        let mut rs = staff();
        for (k, r) in rs.iter_mut().enumerate() {
            // Women: 9 of 10 trained; men: 8 of 10. 80 / 90 = 0.89: not below.
            let trained = if k < 10 { k < 9 } else { k < 18 };
            r.training_hours = Some(if trained { 6.0 } else { 0.0 });
        }
        let o = opportunity("2026", &rs, None, &[]);
        let t = o.measures[0].figure.shown().unwrap();
        assert_eq!(o.measures[0].key, "training");
        assert_eq!(t.lower, Some("men"));
        assert!(!t.below_four_fifths);
        assert_eq!(o.time_to_promotion, None);
        // Four women only: nothing is computed.
        let few: Vec<Record> = rs.into_iter().skip(6).collect();
        let o = opportunity("2026", &few, None, &[]);
        assert_eq!(o.measures[0].figure, Figure::TooFew);
        assert_eq!(o.measures[0].women, 4);
    }

    #[test]
    fn time_to_promotion_is_the_median_service_of_those_promoted() {
        let mut rs = staff();
        for r in &mut rs {
            // Everyone with at least 5 years was promoted (5 of each sex, years 5–9);
            // the women's years are shifted by 2 to make them wait longer.
            let i = r.tenure_years.unwrap();
            r.promoted = Some(i >= 5.0);
            if r.sex == Some(Sex::Female) {
                r.tenure_years = Some(i + 2.0);
            }
        }
        let o = opportunity("2026", &rs, None, &[]);
        let t = *o.time_to_promotion.unwrap().shown().unwrap();
        // Women promoted: 7, 8, 9, 10, 11 → 9; men: 5, 6, 7, 8, 9 → 7.
        assert_eq!((t.women_years, t.men_years), (9.0, 7.0));
        // Nobody reported a measure the file has no column for.
        assert!(o.measures.iter().all(|m| m.key == "promotion"));
    }
}
