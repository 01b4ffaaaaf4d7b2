//! Hotline analytics, comparable with NAVEX's annual Risk & Compliance Hotline
//! benchmark: report volume per 100 employees, the share of anonymous reports, how
//! often anonymous reporters come back, the substantiation rate and the days a case
//! takes to close, overall and per category.
//!
//! Pure arithmetic over [`CaseFacts`]; the caller decides which cases count (the store
//! gives the cases the viewer can read and the statistics of destroyed cases, see
//! `store::speakup_stats`).
//!
//! **Small groups are never shown.** A group (the whole, or one category) of fewer than
//! [`MIN_GROUP`] cases is [`Group::TooFew`]: its figures are not even computed, so no
//! number of it can reach a page or a JSON document, only the words "fewer than 5".
//! Two further rules keep small groups from being worked out indirectly:
//!
//! - *Subtraction.* If the suppressed categories hold 1 to 4 cases between them, the
//!   whole minus the shown categories would be exactly those cases. The smallest shown
//!   categories are then withheld as well ([`Group::Withheld`]) until what is hidden
//!   holds at least [`MIN_GROUP`] cases (the usual secondary suppression).
//! - *Small denominators.* Within a shown group, a figure whose own denominator is
//!   smaller than [`MIN_GROUP`] (the anonymous cases for the follow-up rate, the decided
//!   cases for the substantiation rate, the closed cases for the days to close) is
//!   `None`: the 90th percentile of two closing times would be one case's closing time.
//!
//! What this does not stop: comparing two overlapping periods, or two viewers' pages,
//! can still isolate a case that entered one and not the other. The page says whose
//! cases are counted; periods are whole days.
//!
//! Definitions:
//! - *reports per 100 employees*: cases ÷ headcount × 100, annualized over the period
//!   (× 365 ÷ the period's days), so a quarter compares with NAVEX's yearly figure;
//!   `None` without a headcount.
//! - *anonymous follow-up rate*: anonymous cases whose reporter came back with the
//!   receipt ÷ anonymous cases.
//! - *substantiation rate*: substantiated ÷ (substantiated + unsubstantiated); cases
//!   closed without a finding do not count.
//! - *days to close*: from submission to `closed_at`, in fractional days, over cases
//!   that have a `closed_at`; median and nearest-rank 90th percentile
//!   ([`crate::quantile`]).

use crate::quantile::{median, percentile};
use jiff::{SignedDuration, Timestamp};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Groups smaller than this are suppressed.
pub const MIN_GROUP: usize = 5;

/// Days in the year the report rate is annualized to.
pub const DAYS_PER_YEAR: f64 = 365.0;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// A hotline case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Received,
    Acknowledged,
    Investigating,
    Substantiated,
    Unsubstantiated,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Received,
        CaseStatus::Acknowledged,
        CaseStatus::Investigating,
        CaseStatus::Substantiated,
        CaseStatus::Unsubstantiated,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::Acknowledged => "acknowledged",
            CaseStatus::Investigating => "investigating",
            CaseStatus::Substantiated => "substantiated",
            CaseStatus::Unsubstantiated => "unsubstantiated",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the analytics know of one case: no reference, no text, no people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub category: String,
    pub anonymous: bool,
    pub status: CaseStatus,
    pub submitted_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// The reporter came back with their receipt after filing.
    pub reporter_returned: bool,
}

/// The figures of a group of at least [`MIN_GROUP`] cases. Rates are shares in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub cases: usize,
    pub reports_per_100_employees: Option<f64>,
    pub anonymous_share: f64,
    /// `None` with fewer than [`MIN_GROUP`] anonymous cases.
    pub anonymous_follow_up_rate: Option<f64>,
    /// `None` with fewer than [`MIN_GROUP`] substantiated or unsubstantiated cases.
    pub substantiation_rate: Option<f64>,
    /// `None` with fewer than [`MIN_GROUP`] closed cases (also for the 90th percentile).
    pub median_days_to_close: Option<f64>,
    pub p90_days_to_close: Option<f64>,
}

/// A group's figures, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    Shown(Figures),
    /// Fewer than [`MIN_GROUP`] cases: nothing was computed.
    TooFew,
    /// Enough cases, withheld so that a smaller category cannot be worked out by
    /// subtracting the shown ones from the whole.
    Withheld,
}

impl Group {
    pub fn figures(&self) -> Option<&Figures> {
        match self {
            Group::Shown(f) => Some(f),
            _ => None,
        }
    }

    /// Why a suppressed group shows nothing, in words; `None` when shown.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Group::Shown(_) => None,
            Group::TooFew => Some("fewer than 5 cases"),
            Group::Withheld => {
                Some("withheld so that a category of fewer than 5 cases cannot be worked out from the total")
            }
        }
    }
}

/// `{"suppressed": false, "cases": …, …}` or `{"suppressed": true, "reason": "…"}`: a
/// suppressed group carries no number at all.
impl Serialize for Group {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            suppressed: bool,
            #[serde(flatten)]
            figures: &'a Figures,
        }
        match (self, self.reason()) {
            (Group::Shown(f), _) => Shown {
                suppressed: false,
                figures: f,
            }
            .serialize(s),
            (_, reason) => {
                let mut st = s.serialize_struct("Suppressed", 2)?;
                st.serialize_field("suppressed", &true)?;
                st.serialize_field("reason", &reason.unwrap_or_default())?;
                st.end()
            }
        }
    }
}

/// One category's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    pub category: String,
    #[serde(flatten)]
    pub group: Group,
}

/// The whole and each category (by key).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub overall: Group,
    pub categories: Vec<CategoryRow>,
}

/// Computes the report for `cases` (already those of the period), `headcount` active
/// employees and a period `period` long.
pub fn report(cases: &[CaseFacts], headcount: u64, period: SignedDuration) -> Report {
    let all: Vec<&CaseFacts> = cases.iter().collect();
    let overall = group(&all, headcount, period);
    let mut by_cat: BTreeMap<&str, Vec<&CaseFacts>> = BTreeMap::new();
    for c in cases {
        by_cat.entry(c.category.as_str()).or_default().push(c);
    }
    let mut categories: Vec<CategoryRow> = by_cat
        .iter()
        .map(|(cat, cs)| CategoryRow {
            category: (*cat).to_owned(),
            group: group(cs, headcount, period),
        })
        .collect();
    // Secondary suppression: what is hidden must hold 0 or at least MIN_GROUP cases,
    // or the whole minus the shown rows gives it away.
    let size = |cat: &str| by_cat.get(cat).map_or(0, Vec::len);
    let mut hidden: usize = categories
        .iter()
        .filter(|r| r.group.figures().is_none())
        .map(|r| size(&r.category))
        .sum();
    while (1..MIN_GROUP).contains(&hidden) {
        let smallest = categories
            .iter_mut()
            .filter(|r| r.group.figures().is_some())
            .min_by(|a, b| {
                size(&a.category)
                    .cmp(&size(&b.category))
                    .then_with(|| a.category.cmp(&b.category))
            });
        let Some(row) = smallest else { break };
        hidden += size(&row.category);
        row.group = Group::Withheld;
    }
    Report {
        overall,
        categories,
    }
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole >= MIN_GROUP).then(|| part as f64 / whole as f64)
}

fn group(cases: &[&CaseFacts], headcount: u64, period: SignedDuration) -> Group {
    let n = cases.len();
    if n < MIN_GROUP {
        return Group::TooFew;
    }
    let anonymous: Vec<&&CaseFacts> = cases.iter().filter(|c| c.anonymous).collect();
    let returned = anonymous.iter().filter(|c| c.reporter_returned).count();
    let count = |s: CaseStatus| cases.iter().filter(|c| c.status == s).count();
    let substantiated = count(CaseStatus::Substantiated);
    let decided = substantiated + count(CaseStatus::Unsubstantiated);
    let days: Vec<f64> = cases
        .iter()
        .filter_map(|c| {
            let closed = c.closed_at?;
            (closed >= c.submitted_at)
                .then(|| closed.duration_since(c.submitted_at).as_secs_f64() / SECONDS_PER_DAY)
        })
        .collect();
    let enough_closed = days.len() >= MIN_GROUP;
    let period_days = period.as_secs_f64() / SECONDS_PER_DAY;
    Group::Shown(Figures {
        cases: n,
        reports_per_100_employees: (headcount > 0 && period_days > 0.0)
            .then(|| n as f64 * 100.0 / headcount as f64 * DAYS_PER_YEAR / period_days),
        anonymous_share: anonymous.len() as f64 / n as f64,
        anonymous_follow_up_rate: share(returned, anonymous.len()),
        substantiation_rate: share(substantiated, decided),
        median_days_to_close: enough_closed.then(|| median(&days)).flatten(),
        p90_days_to_close: enough_closed.then(|| percentile(&days, 0.9)).flatten(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(day: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + day * 86_400).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn case(cat: &str, anonymous: bool, returned: bool, status: CaseStatus) -> CaseFacts {
        CaseFacts {
            category: cat.into(),
            anonymous,
            status,
            submitted_at: t(0),
            closed_at: None,
            reporter_returned: returned,
        }
    }

    fn closed(mut c: CaseFacts, days: i64) -> CaseFacts {
        c.closed_at = Some(t(days));
        c
    }

    const YEAR: SignedDuration = SignedDuration::from_hours(365 * 24);

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    /// Hand-computed: 6 fraud cases and 2 harassment cases, 40 employees, one year.
    #[test]
    fn figures_match_a_hand_computation() {
        use CaseStatus::*;
        let cases = vec![
            closed(case("fraud", true, true, Substantiated), 10),
            closed(case("fraud", true, true, Unsubstantiated), 20),
            closed(case("fraud", true, false, Substantiated), 30),
            closed(case("fraud", true, false, Closed), 40),
            closed(case("fraud", true, true, Substantiated), 50),
            case("fraud", false, false, Investigating),
            closed(case("harassment", false, false, Substantiated), 5),
            case("harassment", true, true, Received),
        ];
        let r = report(&cases, 40, YEAR);
        let o = r.overall.figures().unwrap();
        assert_eq!(o.cases, 8);
        // 8 cases / 40 people × 100 over exactly one year.
        assert!(close(o.reports_per_100_employees, 20.0));
        assert!((o.anonymous_share - 6.0 / 8.0).abs() < 1e-9);
        // Anonymous 6, of whom 4 came back.
        assert!(close(o.anonymous_follow_up_rate, 4.0 / 6.0));
        // Substantiated 4, unsubstantiated 1; the "closed" one has no finding.
        assert!(close(o.substantiation_rate, 0.8));
        // Closed after 5, 10, 20, 30, 40, 50 days: median 25, p90 rank ⌈5.4⌉ = 6 → 50.
        assert!(close(o.median_days_to_close, 25.0));
        assert!(close(o.p90_days_to_close, 50.0));

        // Harassment has 2 cases: fewer than 5. Fraud (6) would then give harassment
        // away as overall − fraud, so it is withheld too.
        assert_eq!(r.categories.len(), 2);
        assert_eq!(r.categories[0].category, "fraud");
        assert_eq!(r.categories[0].group, Group::Withheld);
        assert_eq!(r.categories[1].category, "harassment");
        assert_eq!(r.categories[1].group, Group::TooFew);
    }

    #[test]
    fn a_quarter_is_annualized_and_small_denominators_are_withheld() {
        use CaseStatus::*;
        let mut cases: Vec<CaseFacts> = (0..5)
            .map(|_| case("fraud", false, false, Received))
            .collect();
        cases.extend((0..5).map(|i| closed(case("accounting", i < 2, true, Substantiated), 3)));
        // 10 cases, 200 people, 73 days: 10/200×100 × 365/73 = 25 per 100 per year.
        let r = report(&cases, 200, SignedDuration::from_hours(73 * 24));
        let o = r.overall.figures().unwrap();
        assert!(close(o.reports_per_100_employees, 25.0));
        // Two anonymous cases: no follow-up rate.
        assert_eq!(o.anonymous_follow_up_rate, None);
        assert!(close(o.substantiation_rate, 1.0));
        let fraud = r.categories.iter().find(|c| c.category == "fraud").unwrap();
        let f = fraud.group.figures().unwrap();
        // No decided case, no closed case: nothing to say, not zero.
        assert_eq!(f.substantiation_rate, None);
        assert_eq!(f.median_days_to_close, None);
        assert_eq!(f.p90_days_to_close, None);
        // Without a headcount there is no per-100 rate.
        assert_eq!(
            report(&cases, 0, YEAR)
                .overall
                .figures()
                .unwrap()
                .reports_per_100_employees,
            None
        );
    }

    #[test]
    fn suppressed_groups_serialize_words_only() {
        let cases: Vec<CaseFacts> = (0..4)
            .map(|_| closed(case("fraud", true, true, CaseStatus::Substantiated), 9))
            .collect();
        let v = serde_json::to_value(report(&cases, 10, YEAR)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "overall": {"suppressed": true, "reason": "fewer than 5 cases"},
                "categories": [{"category": "fraud", "suppressed": true, "reason": "fewer than 5 cases"}],
            })
        );
        assert!(CaseStatus::ALL
            .iter()
            .all(|s| CaseStatus::parse(s.as_str()) == Some(*s)));
        assert_eq!(CaseStatus::parse("open"), None);
    }

    fn any_case() -> impl Strategy<Value = CaseFacts> {
        (
            prop_oneof![
                Just("fraud"),
                Just("harassment"),
                Just("accounting"),
                Just("data_misuse")
            ],
            any::<bool>(),
            any::<bool>(),
            0usize..6,
            0i64..300,
            proptest::option::of(0i64..400),
        )
            .prop_map(|(cat, anonymous, returned, s, at, closed)| CaseFacts {
                category: cat.into(),
                anonymous,
                status: CaseStatus::ALL[s],
                submitted_at: t(at),
                closed_at: closed.map(|d| t(at + d)),
                reporter_returned: returned,
            })
    }

    /// Every number anywhere inside a JSON value.
    fn has_number(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(_) => true,
            serde_json::Value::Array(a) => a.iter().any(has_number),
            serde_json::Value::Object(o) => o.values().any(has_number),
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn rates_are_shares_and_p90_is_not_below_the_median(
            cases in proptest::collection::vec(any_case(), 0..40),
            headcount in 0u64..500,
            days in 1i64..800,
        ) {
            let r = report(&cases, headcount, SignedDuration::from_hours(days * 24));
            let groups = std::iter::once(&r.overall).chain(r.categories.iter().map(|c| &c.group));
            for g in groups {
                let Some(f) = g.figures() else { continue };
                prop_assert!(f.cases >= MIN_GROUP);
                for rate in [Some(f.anonymous_share), f.anonymous_follow_up_rate, f.substantiation_rate].into_iter().flatten() {
                    prop_assert!((0.0..=1.0).contains(&rate), "rate {}", rate);
                }
                if let (Some(m), Some(p)) = (f.median_days_to_close, f.p90_days_to_close) {
                    prop_assert!(p >= m, "p90 {} < median {}", p, m);
                    prop_assert!(m >= 0.0);
                }
                prop_assert_eq!(f.median_days_to_close.is_some(), f.p90_days_to_close.is_some());
                if let Some(x) = f.reports_per_100_employees {
                    prop_assert!(x >= 0.0 && x.is_finite());
                }
            }
        }

        #[test]
        fn suppression_never_leaks_a_number(
            cases in proptest::collection::vec(any_case(), 0..40),
            headcount in 0u64..500,
        ) {
            let r = report(&cases, headcount, YEAR);
            let size = |cat: &str| cases.iter().filter(|c| c.category == cat).count();
            if cases.len() < MIN_GROUP {
                prop_assert_eq!(&r.overall, &Group::TooFew);
            }
            let json = serde_json::to_value(&r).unwrap();
            if r.overall.figures().is_none() {
                prop_assert!(!has_number(&json["overall"]));
            }
            let mut hidden = 0;
            for (row, v) in r.categories.iter().zip(json["categories"].as_array().unwrap()) {
                let n = size(&row.category);
                prop_assert!(n > 0, "a category row without cases");
                if n < MIN_GROUP {
                    prop_assert_eq!(&row.group, &Group::TooFew);
                }
                if row.group.figures().is_none() {
                    prop_assert!(!has_number(v), "{}", v);
                    hidden += n;
                }
            }
            // Whole minus shown rows never isolates fewer than 5 cases.
            if r.overall.figures().is_some() {
                prop_assert!(hidden == 0 || hidden >= MIN_GROUP, "hidden {}", hidden);
            }
        }
    }
}
