//! Pay equity: the gender pay gap indicators of the EU Pay Transparency Directive
//! (2023/970), the Article 10 screen for a joint pay assessment, and the Article 7
//! answer to one employee.
//!
//! One [`Record`] is one person's pay for one reporting period, from an HR file
//! ([`import`]). *Hourly pay* is the period's basic plus variable pay divided by the
//! hours paid; every gap is `(men − women) ÷ men`, in per cent of the men's figure, so a
//! positive gap means women are paid less (Article 3(1)(c)). People whose sex was not
//! collected, or is neither female nor male, count in no gap (the Directive's
//! indicators compare female and male workers) and are reported as a count.
//!
//! **Small groups are suppressed exactly as in surveys**: a figure that compares women
//! and men is computed only when each of them is at least [`MIN_GROUP`] people
//! ([`crate::surveys::MIN_GROUP_FLOOR`]); below that the figure is [`Figure::TooFew`] and
//! its numbers are not even computed, so they cannot reach a page, a CSV file or the
//! API.
//!
//! **Article 10.** A category of workers whose mean gap is at least [`ASSESSMENT_GAP`]
//! per cent is flagged unless objective, gender-neutral factors explain it. The factors
//! are the grade and the years of service: an ordinary least-squares regression of the
//! logarithm of hourly pay on sex, grade and tenure inside the category gives the gap
//! that remains at equal grade and tenure ([`Adjusted`]), with its 95 % confidence
//! interval. The category is flagged when the unexplained gap is still at least
//! [`ASSESSMENT_GAP`] per cent, or when the factors cannot separate sex from grade (every
//! woman in one grade and every man in another): then nothing can be said to explain it.
//!
//! Pure: no I/O, no clock.

pub mod import;
mod ols;
pub mod opportunity;

use crate::quantile::median;
use serde::Serialize;
use std::collections::BTreeMap;

/// The smallest group of women or of men a figure is shown for.
pub const MIN_GROUP: usize = crate::surveys::MIN_GROUP_FLOOR as usize;

/// A category's gap, in per cent, from which a joint pay assessment is due (Article 10).
pub const ASSESSMENT_GAP: f64 = 5.0;

/// Sex, as collected where the organisation enables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
    /// Given, and neither female nor male.
    Other,
}

/// One person's pay for one reporting period.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub person: String,
    pub period: String,
    /// Gross basic pay for the period.
    pub basic: f64,
    /// Gross complementary or variable pay (bonuses, incentives) for the period.
    pub variable: f64,
    /// Hours paid in the period; always positive.
    pub hours: f64,
    /// The category of workers doing work of equal value.
    pub category: String,
    pub grade: Option<String>,
    /// Whole years of service at the end of the period.
    pub tenure_years: Option<f64>,
    pub sex: Option<Sex>,
    /// Promoted in the period, where the file says.
    pub promoted: Option<bool>,
    /// Considered for promotion in the period, where the file says.
    pub considered: Option<bool>,
    /// Hours of training in the period, where the file says.
    pub training_hours: Option<f64>,
}

impl Record {
    /// Basic plus variable pay per hour.
    pub fn hourly(&self) -> f64 {
        (self.basic + self.variable) / self.hours
    }

    /// Basic pay per hour.
    pub fn basic_hourly(&self) -> f64 {
        self.basic / self.hours
    }
}

/// A figure comparing women and men, or why it is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Figure<T> {
    Shown {
        value: T,
    },
    /// Fewer than [`MIN_GROUP`] women or men: nothing was computed.
    TooFew,
}

impl<T> Figure<T> {
    fn of(women: usize, men: usize, f: impl FnOnce() -> Option<T>) -> Self {
        if women < MIN_GROUP || men < MIN_GROUP {
            return Figure::TooFew;
        }
        f().map_or(Figure::TooFew, |value| Figure::Shown { value })
    }

    /// The value, when shown.
    pub fn shown(&self) -> Option<&T> {
        match self {
            Figure::Shown { value } => Some(value),
            Figure::TooFew => None,
        }
    }
}

/// `(men − women) ÷ men` in per cent; `None` when the men's figure is zero.
pub fn gap(women: f64, men: f64) -> Option<f64> {
    (men != 0.0).then(|| (men - women) / men * 100.0)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// A mean and a median gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gaps {
    pub mean: f64,
    pub median: f64,
}

fn gaps(women: &[f64], men: &[f64]) -> Option<Gaps> {
    Some(Gaps {
        mean: gap(mean(women)?, mean(men)?)?,
        median: gap(median(women)?, median(men)?)?,
    })
}

/// Each sex's share of one pay quartile, in per cent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// 1 is the lowest paid quarter.
    pub quartile: u8,
    pub people: usize,
    pub women_pct: f64,
    pub men_pct: f64,
}

/// One category of workers (Article 9(1)(g)) and its Article 10 screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub name: String,
    pub women: usize,
    pub men: usize,
    /// The gap in basic hourly pay.
    pub basic: Figure<Gaps>,
    /// The gap in variable pay among those who received it.
    pub variable: Figure<Gaps>,
    /// The gap in total hourly pay (basic plus variable), the one Article 10 screens.
    pub total: Figure<Gaps>,
    /// What remains of the total gap at equal grade and tenure.
    pub adjusted: Figure<Adjusted>,
    /// A joint pay assessment is due (see the module documentation).
    pub assessment_due: bool,
}

/// The gap that grade and tenure do not explain, with its 95 % confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjusted {
    /// In per cent, like every gap; `None` when sex and the factors cannot be separated.
    pub gap: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The factors the regression held equal, in words.
    pub factors: Vec<String>,
    /// How the figure was reached, in words for the report.
    pub explanation: String,
}

/// The Article 9 report of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: String,
    pub women: usize,
    pub men: usize,
    /// People counted in no gap: sex not collected, or neither female nor male.
    pub not_compared: usize,
    /// (a) and (c): mean and median gap in hourly pay.
    pub pay: Figure<Gaps>,
    /// (b) and (d): mean and median gap in variable pay, among those who received it.
    pub variable: Figure<Gaps>,
    /// (e): the share of women and of men receiving variable pay, in per cent.
    pub receiving_variable: Figure<(f64, f64)>,
    /// (f): each sex's share of each pay quartile.
    pub quartiles: Figure<Vec<Band>>,
    /// (g): per category of workers, with the Article 10 screen.
    pub categories: Vec<Category>,
}

fn split<'a>(records: &[&'a Record]) -> (Vec<&'a Record>, Vec<&'a Record>) {
    let women = records
        .iter()
        .copied()
        .filter(|r| r.sex == Some(Sex::Female))
        .collect();
    let men = records
        .iter()
        .copied()
        .filter(|r| r.sex == Some(Sex::Male))
        .collect();
    (women, men)
}

fn values(rs: &[&Record], f: impl Fn(&Record) -> f64) -> Vec<f64> {
    rs.iter().map(|r| f(r)).collect()
}

fn variable_gaps(women: &[&Record], men: &[&Record]) -> Figure<Gaps> {
    let w: Vec<f64> = values(women, |r| r.variable)
        .into_iter()
        .filter(|v| *v > 0.0)
        .collect();
    let m: Vec<f64> = values(men, |r| r.variable)
        .into_iter()
        .filter(|v| *v > 0.0)
        .collect();
    Figure::of(w.len(), m.len(), || gaps(&w, &m))
}

/// The quartile bands of hourly pay over women and men: people sorted by hourly pay
/// and cut into four bands as equal as the count allows (band `q` holds the people from
/// `⌊q·n/4⌋` up to `⌊(q+1)·n/4⌋`). Equal pay keeps the file's order.
fn quartiles(rs: &[&Record]) -> Vec<Band> {
    let mut all: Vec<(f64, bool)> = rs
        .iter()
        .filter_map(|r| match r.sex {
            Some(Sex::Female) => Some((r.hourly(), true)),
            Some(Sex::Male) => Some((r.hourly(), false)),
            _ => None,
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    (0..4u8)
        .map(|q| {
            let at = |q: usize| q * n / 4;
            let band = &all[at(usize::from(q))..at(usize::from(q) + 1)];
            let people = band.len();
            let w = band.iter().filter(|(_, f)| *f).count();
            let pct = |k: usize| k as f64 / people.max(1) as f64 * 100.0;
            Band {
                quartile: q + 1,
                people,
                women_pct: pct(w),
                men_pct: pct(people - w),
            }
        })
        .collect()
}

fn category(name: &str, rs: &[&Record]) -> Category {
    let (w, m) = split(rs);
    let total = Figure::of(w.len(), m.len(), || {
        gaps(&values(&w, Record::hourly), &values(&m, Record::hourly))
    });
    let adjusted = Figure::of(w.len(), m.len(), || Some(adjust(&w, &m)));
    let assessment_due = match (total.shown(), adjusted.shown()) {
        (Some(t), Some(a)) if t.mean.abs() >= ASSESSMENT_GAP => {
            a.gap.is_none_or(|g| g.abs() >= ASSESSMENT_GAP)
        }
        _ => false,
    };
    Category {
        name: name.to_owned(),
        women: w.len(),
        men: m.len(),
        basic: Figure::of(w.len(), m.len(), || {
            gaps(
                &values(&w, Record::basic_hourly),
                &values(&m, Record::basic_hourly),
            )
        }),
        variable: variable_gaps(&w, &m),
        total,
        adjusted,
        assessment_due,
    }
}

/// The regression behind [`Adjusted`]: `ln(hourly) = a + b·female + Σ grade + c·tenure`.
fn adjust(women: &[&Record], men: &[&Record]) -> Adjusted {
    let people: Vec<(&Record, bool)> = women
        .iter()
        .map(|r| (*r, true))
        .chain(men.iter().map(|r| (*r, false)))
        .collect();
    let grades: Vec<&str> = {
        let mut g: Vec<&str> = people
            .iter()
            .filter_map(|(r, _)| r.grade.as_deref())
            .collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    // Grade enters only when every person has one and there are at least two.
    let use_grade = grades.len() > 1 && people.iter().all(|(r, _)| r.grade.is_some());
    let use_tenure = people.iter().all(|(r, _)| r.tenure_years.is_some());
    let mut factors = Vec::new();
    if use_grade {
        factors.push("grade".to_owned());
    }
    if use_tenure {
        factors.push("years of service".to_owned());
    }
    let rows: Vec<Vec<f64>> = people
        .iter()
        .map(|(r, female)| {
            let mut x = vec![1.0, f64::from(u8::from(*female))];
            if use_grade {
                // The first grade is the reference; one column per other grade.
                x.extend(
                    grades[1..]
                        .iter()
                        .map(|g| f64::from(u8::from(r.grade.as_deref() == Some(*g)))),
                );
            }
            if use_tenure {
                x.push(r.tenure_years.unwrap_or(0.0));
            }
            x
        })
        .collect();
    let y: Vec<f64> = people.iter().map(|(r, _)| r.hourly().ln()).collect();
    let held = if factors.is_empty() {
        "no factor (the file gives neither grade nor years of service for everyone)".to_owned()
    } else {
        factors.join(" and ")
    };
    match ols::fit(&rows, &y, 1) {
        Some(fit) => {
            // A coefficient b on ln(pay) means women earn e^b times what men earn, so the
            // gap is (1 − e^b) in per cent, and the interval maps the same way (reversed).
            let pct = |b: f64| (1.0 - b.exp()) * 100.0;
            let gap = pct(fit.coef);
            let (low, high) = (
                pct(fit.coef + fit.half_width),
                pct(fit.coef - fit.half_width),
            );
            let side = if gap < 0.0 { "above" } else { "below" };
            let size = gap.abs();
            Adjusted {
                gap: Some(gap),
                low: Some(low),
                high: Some(high),
                explanation: format!(
                    "At equal {held}, women's hourly pay is {size:.1} % {side} men's \
                     (95 % confidence interval of the gap, positive when women are paid \
                     less: {low:.1} % to {high:.1} %), from a \
                     least-squares fit of the logarithm of hourly pay on sex and {held}."
                ),
                factors,
            }
        }
        None => Adjusted {
            gap: None,
            low: None,
            high: None,
            explanation: format!(
                "Sex and {held} cannot be told apart in this category (for example, \
                 every woman in one grade and every man in another), so no objective \
                 factor can be said to explain the gap."
            ),
            factors,
        },
    }
}

/// The Article 9 report of one period's records.
pub fn report(period: &str, records: &[Record]) -> Report {
    let rs: Vec<&Record> = records.iter().filter(|r| r.period == period).collect();
    let (w, m) = split(&rs);
    let (nw, nm) = (w.len(), m.len());
    let mut by_category: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &rs {
        by_category.entry(&r.category).or_default().push(r);
    }
    Report {
        period: period.to_owned(),
        women: nw,
        men: nm,
        not_compared: rs.len() - nw - nm,
        pay: Figure::of(nw, nm, || {
            gaps(&values(&w, Record::hourly), &values(&m, Record::hourly))
        }),
        variable: variable_gaps(&w, &m),
        receiving_variable: Figure::of(nw, nm, || {
            let share = |rs: &[&Record]| {
                rs.iter().filter(|r| r.variable > 0.0).count() as f64 / rs.len() as f64 * 100.0
            };
            Some((share(&w), share(&m)))
        }),
        // Each band must hold enough people to be shown: four bands of MIN_GROUP.
        quartiles: if nw + nm < 4 * MIN_GROUP {
            Figure::TooFew
        } else {
            Figure::of(nw, nm, || Some(quartiles(&rs)))
        },
        categories: by_category
            .into_iter()
            .map(|(name, rs)| category(name, &rs))
            .collect(),
    }
}

/// An employee's Article 7 answer: the mean pay of their category, by sex.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CategoryAverages {
    /// Mean hourly pay (basic plus variable) of the women of the category.
    pub women_hourly: f64,
    pub men_hourly: f64,
    /// Mean pay for the period, likewise.
    pub women_period: f64,
    pub men_period: f64,
}

/// The Article 7 answer for the person's category in the period, suppressed like every
/// figure when either sex has fewer than [`MIN_GROUP`] people. `None` when the person
/// has no record in the period.
pub fn averages_for(
    person: &str,
    period: &str,
    records: &[Record],
) -> Option<Figure<CategoryAverages>> {
    let me = records
        .iter()
        .find(|r| r.person == person && r.period == period)?;
    let rs: Vec<&Record> = records
        .iter()
        .filter(|r| r.period == period && r.category == me.category)
        .collect();
    let (w, m) = split(&rs);
    Some(Figure::of(w.len(), m.len(), || {
        Some(CategoryAverages {
            women_hourly: mean(&values(&w, Record::hourly))?,
            men_hourly: mean(&values(&m, Record::hourly))?,
            women_period: mean(&values(&w, |r| r.basic + r.variable))?,
            men_period: mean(&values(&m, |r| r.basic + r.variable))?,
        })
    }))
}

#[cfg(test)]
mod tests;
