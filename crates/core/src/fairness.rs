//! Fairness analytics: are agents given comparable work, and measured the same way?
//! Pure arithmetic over per-agent totals; the store keeps the totals
//! (`store::fairness`), the web layer shows them (`web::fairness`).
//!
//! Definitions (the pages repeat them next to each number):
//! - *QA score* of an interaction: points ÷ maximum, in whole percent, after any
//!   override or accepted dispute. It *passes* at [`PASS_PCT`] or more.
//! - *difficult contact*: the customer was hostile (the engine's
//!   `context.hostile_customer` rule fired on a customer turn).
//! - *unsocial hours*: the interaction started before 08:00 or from 20:00 local time,
//!   or on a Saturday or Sunday; local time is the interaction's `timezone` (UTC when
//!   absent or unknown).
//! - *Gini*: 0 when every agent carries the same load, towards 1 when one agent
//!   carries all of it.
//! - *95 % confidence interval* of a mean: mean ± t × s ÷ √n (Student's t, two-sided).
//! - *four-fifths screen*: a group's pass rate ÷ the highest group's pass rate; under
//!   0.8 the difference deserves a look (a screen, not a finding: it says nothing of
//!   why). Groups with fewer than [`MIN_SCREENED`] scored interactions are not
//!   screened and do not set the highest rate.
//! - *leniency* of an evaluator: the mean change their overrides made to the QA score,
//!   in points of percent, minus the mean change of all evaluators.
//! - *overturn rate*: disputes of an evaluator's scoring resolved as *accepted* ÷
//!   disputes resolved.

use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::hotline_stats::MIN_GROUP;

/// Events per 1,000 interactions, withheld under [`crate::dashboard::MIN_INTERACTIONS`]
/// interactions or [`MIN_GROUP`] agents: the rate training effectiveness compares before
/// and after a completion, and coaching before and after a session.
pub fn per_1000(n: i64, interactions: i64, agents: i64) -> Option<f64> {
    rate_per_1000(n, interactions).filter(|_| agents >= MIN_GROUP as i64)
}

/// [`per_1000`] of one person, for someone who already sees that person's scores (their
/// lead): withheld under the minimum of interactions only.
pub fn rate_per_1000(n: i64, interactions: i64) -> Option<f64> {
    (interactions >= crate::dashboard::MIN_INTERACTIONS)
        .then(|| n as f64 / interactions as f64 * 1000.0)
}

/// The change from `before` to `after` in per cent of `before`: (after − before) ÷
/// before; `None` when either is withheld or `before` is zero.
pub fn relative_change(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if b > 0.0 => Some((a - b) / b * 100.0),
        _ => None,
    }
}

/// A QA score at or above this percentage passes.
pub const PASS_PCT: i64 = 80;

/// The four-fifths (80 %) rule of thumb for adverse impact.
pub const FOUR_FIFTHS: f64 = 0.8;

/// Groups with fewer scored interactions are not screened.
pub const MIN_SCREENED: i64 = 30;

/// The rule whose event marks a difficult contact.
pub const DIFFICULT_RULE: &str = "context.hostile_customer";

/// The rules whose events are violations: the default pack's emitting rules of a
/// `conduct.` or `disclosure.` kind, id → (kind, description). (The server scans with
/// the default pack, so a stored interaction's rule ids are this pack's.)
pub fn violation_rules() -> &'static BTreeMap<String, (String, String)> {
    static RULES: std::sync::OnceLock<BTreeMap<String, (String, String)>> =
        std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        righttrack_scan::RulePack::default_pack()
            .map(|p| {
                p.rules
                    .into_iter()
                    .filter(|r| {
                        r.emit
                            && (r.kind.starts_with("conduct.") || r.kind.starts_with("disclosure."))
                    })
                    .map(|r| (r.id, (r.kind, r.description)))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// How many violation rules fired in one interaction, from its `,a,b,` rule list.
pub fn violations(rules: &str) -> i64 {
    let v = violation_rules();
    rules.split(',').filter(|r| v.contains_key(*r)).count() as i64
}

/// The QA score in whole percent (rounded half up), clamped to 0..=100. A scorecard
/// with no applicable points counts as 100.
pub fn score_pct(score: i64, max: i64) -> i64 {
    if max <= 0 {
        return 100;
    }
    ((score.clamp(0, max) * 200 + max) / (2 * max)).clamp(0, 100)
}

/// Whether an interaction started in unsocial hours (see the module docs).
pub fn is_unsocial(started_at: Timestamp, tz: Option<&str>) -> bool {
    let zone = tz
        .and_then(|t| TimeZone::get(t).ok())
        .unwrap_or(TimeZone::UTC);
    let local = started_at.to_zoned(zone);
    matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday)
        || local.hour() < 8
        || local.hour() >= 20
}

/// The Gini coefficient of non-negative values; `None` for fewer than two values or
/// a zero total.
pub fn gini(values: &[f64]) -> Option<f64> {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n < 2 || total <= 0.0 {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    let n = n as f64;
    Some((2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0))
}

/// Two-sided 95 % critical value of Student's t with `df` degrees of freedom.
pub(crate) fn t95(df: i64) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        d if d < 1 => f64::NAN,
        d if d <= 30 => T[usize::try_from(d - 1).unwrap_or(0)],
        d if d <= 60 => 2.000,
        d if d <= 120 => 1.980,
        _ => 1.960,
    }
}

/// Count, sum and sum of squares of integer observations (percent scores).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Moments {
    pub n: i64,
    pub sum: i64,
    pub sq: i64,
    /// Observations at or above [`PASS_PCT`].
    pub passed: i64,
}

impl Moments {
    pub fn add(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sq += o.sq;
        self.passed += o.passed;
    }

    pub fn of(pcts: impl IntoIterator<Item = i64>) -> Moments {
        let mut m = Moments::default();
        for p in pcts {
            m.n += 1;
            m.sum += p;
            m.sq += p * p;
            m.passed += i64::from(p >= PASS_PCT);
        }
        m
    }

    /// Mean with its 95 % confidence interval; `None` under [`MIN_GROUP`] observations.
    pub fn mean_ci(&self) -> Option<MeanCi> {
        if self.n < MIN_GROUP as i64 {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        let var = ((self.sq as f64 - n * mean * mean) / (n - 1.0)).max(0.0);
        let half = t95(self.n - 1) * (var / n).sqrt();
        Some(MeanCi {
            n: self.n,
            mean,
            sd: var.sqrt(),
            low: (mean - half).max(0.0),
            high: (mean + half).min(100.0),
        })
    }

    /// Share passing, in percent; `None` under [`MIN_GROUP`] observations.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.n >= MIN_GROUP as i64).then(|| self.passed as f64 / self.n as f64 * 100.0)
    }
}

/// A mean and its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanCi {
    pub n: i64,
    pub mean: f64,
    pub sd: f64,
    pub low: f64,
    pub high: f64,
}

/// One group of a score comparison (a team, a site, an evaluator, a channel).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScores {
    pub label: String,
    pub moments: Moments,
    pub mean: Option<MeanCi>,
    pub pass_rate: Option<f64>,
    /// Pass rate ÷ the highest screened group's pass rate.
    pub impact_ratio: Option<f64>,
    /// Screened and under four-fifths.
    pub below_four_fifths: bool,
}

/// Means, intervals and the four-fifths screen of each group, in the order given.
pub fn compare(groups: Vec<(String, Moments)>) -> Vec<GroupScores> {
    let screened = |m: &Moments| m.n >= MIN_SCREENED;
    let best = groups
        .iter()
        .filter(|(_, m)| screened(m))
        .filter_map(|(_, m)| m.pass_rate())
        .fold(None::<f64>, |a, r| Some(a.map_or(r, |a| a.max(r))));
    groups
        .into_iter()
        .map(|(label, m)| {
            let rate = m.pass_rate();
            let impact_ratio = match (screened(&m), rate, best) {
                (true, Some(r), Some(b)) if b > 0.0 => Some(r / b),
                _ => None,
            };
            GroupScores {
                label,
                mean: m.mean_ci(),
                pass_rate: rate,
                impact_ratio,
                below_four_fifths: impact_ratio.is_some_and(|r| r < FOUR_FIFTHS - 1e-12),
                moments: m,
            }
        })
        .collect()
}

/// The five-number summary of a distribution (linear interpolation between order
/// statistics, as spreadsheets' QUARTILE.INC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// The quartiles of `values`; `None` under [`MIN_GROUP`] values.
pub fn quartiles(values: &[f64]) -> Option<Quartiles> {
    if values.len() < MIN_GROUP {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
    };
    Some(Quartiles {
        n: v.len(),
        min: v[0],
        q1: at(0.25),
        median: at(0.5),
        q3: at(0.75),
        max: v[v.len() - 1],
    })
}

/// One agent's workload over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Workload {
    pub agent: String,
    pub team: String,
    pub interactions: i64,
    pub difficult: i64,
    pub unsocial: i64,
}

/// One agent's totals over a period in one team (an agent who moved teams has one per
/// team): what the per-agent monthly table sums to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentTotal {
    pub agent: String,
    pub team: String,
    pub difficult: i64,
    pub unsocial: i64,
    /// QA scores; `scores.n` is the number of interactions.
    pub scores: Moments,
}

/// Each agent's workload, summed over their teams, listed under the team they handled
/// most interactions for (ties: the first in `rows` order). Sorted by agent.
pub fn workloads(rows: &[AgentTotal]) -> Vec<Workload> {
    let mut by: std::collections::BTreeMap<&str, (Workload, i64)> = Default::default();
    for r in rows {
        let (w, most) = by.entry(r.agent.as_str()).or_insert_with(|| {
            (
                Workload {
                    agent: r.agent.clone(),
                    ..Default::default()
                },
                -1,
            )
        });
        w.interactions += r.scores.n;
        w.difficult += r.difficult;
        w.unsocial += r.unsocial;
        if r.scores.n > *most {
            *most = r.scores.n;
            w.team = r.team.clone();
        }
    }
    by.into_values().map(|(w, _)| w).collect()
}

/// Score moments summed by a grouping of the rows (team, site…), sorted by group.
pub fn moments_by(
    rows: &[AgentTotal],
    group: impl Fn(&AgentTotal) -> String,
) -> Vec<(String, Moments)> {
    let mut by: std::collections::BTreeMap<String, Moments> = Default::default();
    for r in rows {
        by.entry(group(r)).or_default().add(&r.scores);
    }
    by.into_iter().collect()
}

/// How evenly work is spread over a set of agents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub label: String,
    pub agents: usize,
    pub interactions: i64,
    pub difficult: i64,
    pub unsocial: i64,
    pub gini_interactions: Option<f64>,
    pub gini_difficult: Option<f64>,
    pub gini_unsocial: Option<f64>,
    /// Highest share of the difficult contacts one agent took, in percent.
    pub top_difficult_share: Option<f64>,
}

/// The spread of the agents given; `None` under [`MIN_GROUP`] agents (a Gini over
/// three people says more about them than about the allocation).
pub fn spread(label: &str, agents: &[&Workload]) -> Option<Spread> {
    if agents.len() < MIN_GROUP {
        return None;
    }
    let col = |f: fn(&Workload) -> i64| agents.iter().map(|w| f(w) as f64).collect::<Vec<_>>();
    let difficult: i64 = agents.iter().map(|w| w.difficult).sum();
    Some(Spread {
        label: label.to_owned(),
        agents: agents.len(),
        interactions: agents.iter().map(|w| w.interactions).sum(),
        difficult,
        unsocial: agents.iter().map(|w| w.unsocial).sum(),
        gini_interactions: gini(&col(|w| w.interactions)),
        gini_difficult: gini(&col(|w| w.difficult)),
        gini_unsocial: gini(&col(|w| w.unsocial)),
        top_difficult_share: (difficult > 0).then(|| {
            agents.iter().map(|w| w.difficult).max().unwrap_or(0) as f64 / difficult as f64 * 100.0
        }),
    })
}

/// What an evaluator's reviews did to scores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvaluatorInput {
    pub evaluator: String,
    /// (engine's score, score after the evaluator's review), whole percent, one per
    /// interaction they reviewed.
    pub reviewed: Vec<(i64, i64)>,
    pub disputes_resolved: i64,
    pub disputes_accepted: i64,
    /// Calibration sessions in order of closing: (session name, closed, the
    /// evaluator's mean deviation from the group, share of the item maximum).
    pub calibration: Vec<(String, Timestamp, f64)>,
}

/// One evaluator's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluatorStats {
    pub evaluator: String,
    pub reviewed: usize,
    pub scores: Option<MeanCi>,
    /// Mean change to the score their reviews made, in points of percent.
    pub mean_change: Option<f64>,
    /// `mean_change` minus all evaluators' mean change; positive = more lenient.
    pub leniency: Option<f64>,
    pub disputes_resolved: i64,
    /// Accepted ÷ resolved in percent; `None` under [`MIN_GROUP`] disputes.
    pub overturn_rate: Option<f64>,
    /// Calibration deviation from the group per session, percent of the item maximum.
    pub calibration: Vec<(String, f64)>,
    /// Last session's deviation minus the first's (percent points); `None` under two
    /// sessions.
    pub drift: Option<f64>,
}

/// The evaluator rows, in the order given.
pub fn evaluators(inputs: &[EvaluatorInput]) -> Vec<EvaluatorStats> {
    let all: Vec<f64> = inputs
        .iter()
        .flat_map(|e| e.reviewed.iter().map(|(a, b)| (b - a) as f64))
        .collect();
    let overall = (!all.is_empty()).then(|| all.iter().sum::<f64>() / all.len() as f64);
    inputs
        .iter()
        .map(|e| {
            let n = e.reviewed.len();
            let mean_change = (n >= MIN_GROUP)
                .then(|| e.reviewed.iter().map(|(a, b)| (b - a) as f64).sum::<f64>() / n as f64);
            let mut sessions = e.calibration.clone();
            sessions.sort_by_key(|s| s.1);
            let calibration: Vec<(String, f64)> = sessions
                .into_iter()
                .map(|(s, _, d)| (s, d * 100.0))
                .collect();
            EvaluatorStats {
                evaluator: e.evaluator.clone(),
                reviewed: n,
                scores: Moments::of(e.reviewed.iter().map(|r| r.1)).mean_ci(),
                mean_change,
                leniency: mean_change.zip(overall).map(|(m, o)| m - o),
                disputes_resolved: e.disputes_resolved,
                overturn_rate: (e.disputes_resolved >= MIN_GROUP as i64)
                    .then(|| e.disputes_accepted as f64 / e.disputes_resolved as f64 * 100.0),
                drift: match (calibration.first(), calibration.last()) {
                    (Some(f), Some(l)) if calibration.len() >= 2 => Some(l.1 - f.1),
                    _ => None,
                },
                calibration,
            }
        })
        .collect()
}

/// Strain an agent's lead should look at: a prompt to act, never a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strain {
    pub agent: String,
    /// What stands out, in words for the lead.
    pub what: Vec<String>,
}

/// Agents of one team whose load stands out from their team-mates' over the same
/// period: at least half as many contacts again as the team's median (and 20 more), or
/// a share of unsocial-hours or difficult contacts at least twice the rest of the team's
/// (and at least 10 and 5 of them). Compared only in teams of 3 agents or more; the
/// words say what to look at, not how the agent did.
pub fn strain(team: &[Workload]) -> Vec<Strain> {
    if team.len() < 3 {
        return Vec::new();
    }
    let mut counts: Vec<i64> = team.iter().map(|w| w.interactions).collect();
    counts.sort_unstable();
    let median = counts[counts.len() / 2] as f64;
    let share = |part: i64, all: i64| (all > 0).then(|| part as f64 / all as f64);
    let mut out = Vec::new();
    for w in team {
        let others = team.iter().filter(|o| o.agent != w.agent);
        let (o_all, o_unsocial, o_difficult) = others.fold((0, 0, 0), |(a, u, d), o| {
            (a + o.interactions, u + o.unsocial, d + o.difficult)
        });
        let mut what = Vec::new();
        if w.interactions as f64 >= median * 1.5 && w.interactions as f64 >= median + 20.0 {
            what.push(format!(
                "handled {} contacts, {:.0} % more than the team's median of {median:.0}",
                w.interactions,
                (w.interactions as f64 / median.max(1.0) - 1.0) * 100.0
            ));
        }
        for (part, rest, min, words) in [
            (w.unsocial, o_unsocial, 10, "at unsocial hours"),
            (w.difficult, o_difficult, 5, "with a difficult customer"),
        ] {
            if let (Some(mine), Some(theirs)) = (share(part, w.interactions), share(rest, o_all)) {
                if part >= min && mine >= 2.0 * theirs && mine > 0.0 {
                    what.push(format!(
                        "{part} contacts {words} ({:.0} %), against {:.0} % for the rest of the team",
                        mine * 100.0,
                        theirs * 100.0
                    ));
                }
            }
        }
        if !what.is_empty() {
            out.push(Strain {
                agent: w.agent.clone(),
                what,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_count_conduct_and_disclosure_rules_only() {
        assert_eq!(violations(","), 0);
        assert_eq!(
            violations(",context.hostile_customer,disclosure.recording_notice,honesty.guarantee,"),
            2
        );
        assert_eq!(violations(",identity.verification,commitment.callback,"), 0);
        assert!(violation_rules().contains_key("respect.abusive"));
    }
    use proptest::prelude::*;

    #[test]
    fn score_percent_rounds_half_up_and_clamps() {
        assert_eq!(score_pct(82, 100), 82);
        assert_eq!(score_pct(1, 8), 13, "12.5 rounds up");
        assert_eq!(score_pct(2, 3), 67);
        assert_eq!(score_pct(120, 100), 100);
        assert_eq!(score_pct(-5, 100), 0);
        assert_eq!(score_pct(0, 0), 100, "nothing applicable");
    }

    #[test]
    fn unsocial_hours_use_the_interactions_time_zone() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        // Tuesday 2026-11-24.
        assert!(!is_unsocial(t("2026-11-24T14:00:00Z"), None));
        assert!(is_unsocial(t("2026-11-24T21:00:00Z"), None));
        assert!(is_unsocial(t("2026-11-24T07:59:00Z"), None));
        assert!(!is_unsocial(t("2026-11-24T08:00:00Z"), None));
        // 14:00 UTC is 08:00 in Chicago (CST) but 07:00 in Denver (MST).
        assert!(!is_unsocial(
            t("2026-11-24T14:00:00Z"),
            Some("America/Chicago")
        ));
        assert!(is_unsocial(
            t("2026-11-24T14:00:00Z"),
            Some("America/Denver")
        ));
        // 23:30 UTC Friday is Saturday in Tokyo.
        assert!(is_unsocial(t("2026-11-27T23:30:00Z"), Some("Asia/Tokyo")));
        assert!(is_unsocial(t("2026-11-28T12:00:00Z"), None), "Saturday");
        // An unknown zone falls back to UTC rather than failing.
        assert!(!is_unsocial(
            t("2026-11-24T14:00:00Z"),
            Some("Mars/Olympus")
        ));
    }

    #[test]
    fn quartiles_interpolate_like_a_spreadsheet() {
        let q = quartiles(&[5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!(
            (q.min, q.q1, q.median, q.q3, q.max),
            (1.0, 2.0, 3.0, 4.0, 5.0)
        );
        // 1..=6: QUARTILE.INC gives 2.25, 3.5, 4.75.
        let q = quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (2.25, 3.5, 4.75));
        assert_eq!(quartiles(&[1.0, 2.0, 3.0, 4.0]), None, "4 < 5");
    }

    #[test]
    fn gini_of_known_distributions() {
        assert_eq!(gini(&[5.0, 5.0, 5.0, 5.0]), Some(0.0));
        // One of four carries everything: (n − 1) / n.
        assert!((gini(&[0.0, 0.0, 0.0, 8.0]).unwrap() - 0.75).abs() < 1e-12);
        // 1, 2, 3: mean absolute difference 8/9 ÷ (2 × mean 2) = 2/9.
        assert!((gini(&[3.0, 1.0, 2.0]).unwrap() - 2.0 / 9.0).abs() < 1e-12);
        assert_eq!(gini(&[4.0]), None);
        assert_eq!(gini(&[0.0, 0.0]), None);
    }

    proptest! {
        #[test]
        fn gini_is_between_zero_and_one_and_ignores_order_and_scale(
            v in proptest::collection::vec(0u32..1000, 2..40),
            k in 1u32..50,
        ) {
            let f: Vec<f64> = v.iter().map(|x| f64::from(*x)).collect();
            if let Some(g) = gini(&f) {
                prop_assert!((0.0..1.0).contains(&g));
                let mut r = f.clone();
                r.reverse();
                let scaled: Vec<f64> = f.iter().map(|x| x * f64::from(k)).collect();
                prop_assert!((gini(&r).unwrap() - g).abs() < 1e-9);
                prop_assert!((gini(&scaled).unwrap() - g).abs() < 1e-9);
            }
        }

        #[test]
        fn moments_add_up_like_the_observations(
            a in proptest::collection::vec(0i64..=100, 0..50),
            b in proptest::collection::vec(0i64..=100, 0..50),
        ) {
            let mut m = Moments::of(a.iter().copied());
            m.add(&Moments::of(b.iter().copied()));
            prop_assert_eq!(m, Moments::of(a.iter().chain(&b).copied()));
            if let Some(ci) = m.mean_ci() {
                prop_assert!(ci.low <= ci.mean && ci.mean <= ci.high);
            }
        }
    }

    #[test]
    fn mean_and_interval_match_a_hand_computation() {
        // 70, 80, 90, 80, 80: mean 80, s = √50 ≈ 7.07, t(4) = 2.776.
        let ci = Moments::of([70, 80, 90, 80, 80]).mean_ci().unwrap();
        assert_eq!(ci.n, 5);
        assert!((ci.mean - 80.0).abs() < 1e-12);
        let half = 2.776 * (50.0f64 / 5.0).sqrt();
        assert!((ci.high - (80.0 + half)).abs() < 1e-9, "{ci:?}");
        assert!((ci.low - (80.0 - half)).abs() < 1e-9);
        assert_eq!(Moments::of([90, 90, 90, 90]).mean_ci(), None, "4 < 5");
        assert_eq!(Moments::of([90, 79, 80, 100, 10]).pass_rate(), Some(60.0));
    }

    #[test]
    fn four_fifths_screen_compares_with_the_best_screened_group() {
        let group = |label: &str, n: i64, passed: i64| {
            (
                label.to_owned(),
                Moments {
                    n,
                    sum: 80 * n,
                    sq: 6400 * n,
                    passed,
                },
            )
        };
        let out = compare(vec![
            group("north", 100, 90),
            group("south", 100, 70),
            group("east", 100, 73),
            // Perfect, but too small to set the bar or be screened.
            group("tiny", 10, 10),
        ]);
        assert_eq!(out[0].impact_ratio, Some(1.0));
        assert!(!out[0].below_four_fifths);
        // 70 / 90 = 0.78 < 0.8; 73 / 90 = 0.81.
        assert!(out[1].below_four_fifths, "{:?}", out[1]);
        assert!(!out[2].below_four_fifths, "{:?}", out[2]);
        assert_eq!(out[3].impact_ratio, None);
        assert!(!out[3].below_four_fifths);
        assert_eq!(out[3].pass_rate, Some(100.0));
    }

    #[test]
    fn spread_needs_five_agents_and_finds_the_overloaded_one() {
        let w = |a: &str, i, d, u| Workload {
            agent: a.into(),
            team: "t".into(),
            interactions: i,
            difficult: d,
            unsocial: u,
        };
        let even: Vec<Workload> = (0..5).map(|i| w(&format!("a{i}"), 100, 4, 10)).collect();
        let refs: Vec<&Workload> = even.iter().collect();
        let s = spread("t", &refs).unwrap();
        assert_eq!(s.gini_difficult, Some(0.0));
        assert_eq!(s.top_difficult_share, Some(20.0));
        let mut skew = even.clone();
        skew[0].difficult = 36;
        let refs: Vec<&Workload> = skew.iter().collect();
        let s = spread("t", &refs).unwrap();
        assert_eq!(s.difficult, 52);
        assert!(s.gini_difficult.unwrap() > 0.4, "{s:?}");
        assert!((s.top_difficult_share.unwrap() - 36.0 / 52.0 * 100.0).abs() < 1e-9);
        assert_eq!(spread("t", &refs[..4]), None);
    }

    #[test]
    fn workloads_merge_an_agents_teams_under_the_busiest_and_groups_sum_scores() {
        let row = |agent: &str, team: &str, n: i64, d: i64| AgentTotal {
            agent: agent.into(),
            team: team.into(),
            difficult: d,
            unsocial: 1,
            scores: Moments {
                n,
                sum: 80 * n,
                sq: 6400 * n,
                passed: n,
            },
        };
        let rows = [
            row("ben", "Cards", 3, 1),
            row("ben", "Loans", 7, 2),
            row("ana", "Cards", 5, 0),
        ];
        let w = workloads(&rows);
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].agent.as_str(), w[0].team.as_str()), ("ana", "Cards"));
        assert_eq!(
            (
                w[1].team.as_str(),
                w[1].interactions,
                w[1].difficult,
                w[1].unsocial
            ),
            ("Loans", 10, 3, 2)
        );
        let teams = moments_by(&rows, |r| r.team.clone());
        assert_eq!(teams[0].0, "Cards");
        assert_eq!((teams[0].1.n, teams[0].1.sum), (8, 640));
        assert_eq!(teams[1].1.n, 7);
    }

    #[test]
    fn evaluator_leniency_is_relative_to_all_evaluators() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let ev = |name: &str, change: i64| EvaluatorInput {
            evaluator: name.into(),
            reviewed: (0..6).map(|_| (70, 70 + change)).collect(),
            ..Default::default()
        };
        let mut kind = ev("kind", 20);
        kind.disputes_resolved = 5;
        kind.disputes_accepted = 1;
        kind.calibration = vec![
            ("May".into(), t("2026-05-30T00:00:00Z"), 0.02),
            ("Apr".into(), t("2026-04-30T00:00:00Z"), 0.10),
        ];
        let out = evaluators(&[kind, ev("strict", 0)]);
        // All changes: six of +20 and six of 0, mean +10.
        assert_eq!(out[0].mean_change, Some(20.0));
        assert_eq!(out[0].leniency, Some(10.0));
        assert_eq!(out[1].leniency, Some(-10.0));
        assert_eq!(out[0].overturn_rate, Some(20.0));
        assert_eq!(out[1].overturn_rate, None, "no disputes");
        // Sessions sorted by closing: April 10 %, May 2 %: drift −8 points.
        assert_eq!(out[0].calibration[0].0, "Apr");
        assert!((out[0].drift.unwrap() + 8.0).abs() < 1e-9);
        assert_eq!(out[1].drift, None);
        assert_eq!(out[0].scores.unwrap().mean, 90.0);
    }

    #[test]
    fn strain_points_at_who_carries_more_never_at_small_teams() {
        let w = |agent: &str, interactions, unsocial, difficult| Workload {
            agent: agent.into(),
            team: "A".into(),
            interactions,
            difficult,
            unsocial,
        };
        let team = [
            w("ana", 100, 4, 2),
            w("bo", 110, 5, 3),
            w("cy", 180, 40, 3),
            w("dee", 95, 2, 12),
        ];
        let s = strain(&team);
        assert_eq!(
            s,
            vec![
                Strain {
                    agent: "cy".into(),
                    what: vec![
                        "handled 180 contacts, 64 % more than the team's median of 110".into(),
                        "40 contacts at unsocial hours (22 %), against 4 % for the rest of the team".into(),
                    ],
                },
                Strain {
                    agent: "dee".into(),
                    what: vec![
                        "12 contacts with a difficult customer (13 %), against 2 % for the rest of the team".into(),
                    ],
                },
            ]
        );
        assert!(strain(&team[..2]).is_empty(), "two agents are not compared");
        // Nobody stands out in an even team.
        assert!(strain(&[w("a", 50, 5, 1), w("b", 55, 6, 1), w("c", 60, 5, 2)]).is_empty());
    }
}
