//! Retaliation watch: is a named reporter or witness who consented to be watched
//! treated worse than their peers after the report, in RightTrack's own data?
//!
//! Most retaliation follows a report, and it tends to show up as ordinary management
//! decisions: a harsher scorecard, disputes denied, a move to another team, discipline.
//! This module compares one person with their peers (the active members of their team
//! at the time of the report, themselves excluded) over four windows that all start at
//! the report: [`WINDOW_DAYS`] = 30, 60, 90 and 180 days. A window that has not fully
//! elapsed is evaluated on the days that have (the caller measures up to "now").
//!
//! Signals, each raised only where the person is worse than peers (rules chosen to be
//! explainable in one sentence, not to prove anything; the case owner decides):
//!
//! - **QA score drop**: the person's mean score (per cent of the scorecard maximum) fell
//!   from the [`BASELINE_DAYS`] before the report to the window, and by at least
//!   [`SCORE_MARGIN`] points more than the median peer's change. Peers without scores
//!   in both periods are left out; with no peer left the drop is compared with zero.
//! - **Disputes denied**: at least one of the person's scorecard disputes was denied
//!   (upheld against them) in the window, and more than the peers' 90th percentile.
//! - **Team change**: the person changed team in the window while fewer than
//!   [`RARE_SHARE`] of peers did.
//! - **Discipline**: the person had a discipline event in the window while fewer than
//!   [`RARE_SHARE`] of peers did. The store feeds [`Window::discipline`] from the
//!   discipline decision records (issue #7), rejected decisions left out.
//!
//! With no peers at all (a team of one) the person is compared with nobody: every
//! signal is then the person's own adverse event, and the explanation says so.
//!
//! Properties (tested): a person whose measures equal every peer's raises nothing, and
//! worsening the person's numbers never removes an alert.

use crate::quantile::{median, percentile};
use jiff::Timestamp;
use serde::Serialize;

/// The windows after the report, in days.
pub const WINDOW_DAYS: [u32; 4] = [30, 60, 90, 180];
/// The days before the report whose mean QA score is the baseline.
pub const BASELINE_DAYS: u32 = 90;
/// A score drop alerts when it exceeds the median peer's by at least this many points.
pub const SCORE_MARGIN: f64 = 10.0;
/// Team changes and discipline alert when fewer than this share of peers had one.
pub const RARE_SHARE: f64 = 0.2;
/// Denied disputes alert above this percentile of peers.
pub const DISPUTE_PERCENTILE: f64 = 0.9;

/// A discipline decision about the person (issue #7), not rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisciplineEvent {
    pub at: Timestamp,
}

/// One person's measures over one window after the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Window {
    /// Mean QA score of their interactions in the window, per cent of the maximum;
    /// `None` without any.
    pub mean_score: Option<f64>,
    /// How many interactions that mean is over.
    pub scored: u32,
    /// Their scorecard disputes denied in the window.
    pub disputes_denied: u32,
    /// Times they changed team in the window.
    pub team_changes: u32,
    /// Discipline decisions about them in the window.
    pub discipline: Vec<DisciplineEvent>,
}

/// One person's measures: the baseline before the report and one [`Window`] per entry
/// of [`WINDOW_DAYS`], in that order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Person {
    /// Mean QA score in the [`BASELINE_DAYS`] before the report; `None` without any.
    pub baseline_score: Option<f64>,
    pub baseline_scored: u32,
    pub windows: [Window; 4],
}

/// What was found worse than peers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    ScoreDrop {
        /// Points the person's mean score fell (baseline − window).
        drop: f64,
        /// The median peer's fall (0 when no peer had scores in both periods).
        peer_median_drop: f64,
        /// Peers with scores in both periods.
        peers_compared: usize,
    },
    DisputesDenied {
        denied: u32,
        peer_p90: f64,
        peers: usize,
    },
    TeamChange {
        changes: u32,
        peers_changed: usize,
        peers: usize,
    },
    Discipline {
        events: usize,
        peers_disciplined: usize,
        peers: usize,
    },
}

/// A signal with its plain-English explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    #[serde(flatten)]
    pub signal: Signal,
    pub explanation: String,
}

/// The outcome of one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowResult {
    /// The window's length (30, 60, 90 or 180).
    pub days: u32,
    /// Whole days of it that have elapsed (equal to `days` once complete).
    pub elapsed_days: u32,
    pub complete: bool,
    pub alerts: Vec<Alert>,
}

/// Evaluates every window, `elapsed_days` after the report.
pub fn evaluate(person: &Person, peers: &[Person], elapsed_days: u32) -> Vec<WindowResult> {
    WINDOW_DAYS
        .iter()
        .enumerate()
        .map(|(i, &days)| {
            let elapsed = elapsed_days.min(days);
            let when = if elapsed == days {
                format!("the {days} days after the report")
            } else {
                format!("the {elapsed} days since the report (a {days}-day window, not over yet)")
            };
            fn window(p: &Person, i: usize) -> &Window {
                &p.windows[i]
            }
            let mut alerts = Vec::new();
            alerts.extend(score_drop(person, peers, i, &when));
            alerts.extend(disputes(
                window(person, i),
                peers.iter().map(|p| window(p, i)),
                &when,
            ));
            alerts.extend(rare_event(
                window(person, i).team_changes as usize,
                peers.iter().map(|p| window(p, i).team_changes as usize),
                &when,
                Kind::Team,
            ));
            alerts.extend(rare_event(
                window(person, i).discipline.len(),
                peers.iter().map(|p| window(p, i).discipline.len()),
                &when,
                Kind::Discipline,
            ));
            WindowResult {
                days,
                elapsed_days: elapsed,
                complete: elapsed == days,
                alerts,
            }
        })
        .collect()
}

fn drop_of(p: &Person, i: usize) -> Option<f64> {
    Some(p.baseline_score? - p.windows[i].mean_score?)
}

fn plural(n: impl Into<f64>, one: &str, many: &str) -> String {
    let n: f64 = n.into();
    if n == 1.0 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn score_drop(person: &Person, peers: &[Person], i: usize, when: &str) -> Option<Alert> {
    let drop = drop_of(person, i)?;
    let peer_drops: Vec<f64> = peers.iter().filter_map(|p| drop_of(p, i)).collect();
    let peer_median = median(&peer_drops).unwrap_or(0.0);
    // A tiny tolerance: means of whole scores are not exact in binary.
    if drop <= 0.0 || drop - peer_median < SCORE_MARGIN - 1e-9 {
        return None;
    }
    let w = &person.windows[i];
    let base = format!(
        "Mean QA score fell {drop:.1} points in {when}: from {:.1} ({}) in the {BASELINE_DAYS} days before to {:.1} ({}).",
        person.baseline_score.unwrap_or_default(),
        plural(person.baseline_scored, "interaction", "interactions"),
        w.mean_score.unwrap_or_default(),
        plural(w.scored, "interaction", "interactions"),
    );
    let peers_part = if peer_drops.is_empty() {
        format!(
            " No peer had scores in both periods to compare with, so the fall itself is at least {SCORE_MARGIN:.0} points."
        )
    } else {
        format!(
            " The median peer's score changed by {:.1} points ({} compared), so theirs fell {:.1} points more (the watch alerts at {SCORE_MARGIN:.0}).",
            -peer_median,
            plural(peer_drops.len() as u32, "peer", "peers"),
            drop - peer_median
        )
    };
    Some(Alert {
        signal: Signal::ScoreDrop {
            drop,
            peer_median_drop: peer_median,
            peers_compared: peer_drops.len(),
        },
        explanation: base + &peers_part,
    })
}

fn disputes<'a>(
    person: &Window,
    peers: impl Iterator<Item = &'a Window>,
    when: &str,
) -> Option<Alert> {
    let denied = person.disputes_denied;
    let counts: Vec<f64> = peers.map(|w| f64::from(w.disputes_denied)).collect();
    let p90 = percentile(&counts, DISPUTE_PERCENTILE).unwrap_or(0.0);
    if denied < 1 || f64::from(denied) <= p90 {
        return None;
    }
    let head = format!(
        "{} denied in {when}.",
        plural(denied, "scorecard dispute was", "scorecard disputes were")
    );
    let tail = if counts.is_empty() {
        " There are no peers to compare with.".to_owned()
    } else {
        format!(
            " Nine in ten of their {} had at most {p90:.0}.",
            plural(counts.len() as u32, "peer", "peers")
        )
    };
    Some(Alert {
        signal: Signal::DisputesDenied {
            denied,
            peer_p90: p90,
            peers: counts.len(),
        },
        explanation: head + &tail,
    })
}

#[derive(Clone, Copy)]
enum Kind {
    Team,
    Discipline,
}

fn rare_event(
    own: usize,
    peers: impl Iterator<Item = usize>,
    when: &str,
    kind: Kind,
) -> Option<Alert> {
    let counts: Vec<usize> = peers.collect();
    let had = counts.iter().filter(|&&n| n > 0).count();
    let share = if counts.is_empty() {
        0.0
    } else {
        had as f64 / counts.len() as f64
    };
    if own == 0 || share >= RARE_SHARE {
        return None;
    }
    let (head, what) = match kind {
        Kind::Team => (
            format!(
                "Changed team {} in {when}.",
                plural(own as u32, "time", "times")
            ),
            "changed team",
        ),
        Kind::Discipline => (
            format!(
                "{} in {when}.",
                plural(own as u32, "discipline event", "discipline events")
            ),
            "had a discipline event",
        ),
    };
    let tail = if counts.is_empty() {
        " There are no peers to compare with.".to_owned()
    } else {
        format!(
            " {had} of {} peers ({:.0}%) {what}; the watch alerts when fewer than {:.0}% did.",
            counts.len(),
            share * 100.0,
            RARE_SHARE * 100.0
        )
    };
    let signal = match kind {
        Kind::Team => Signal::TeamChange {
            changes: u32::try_from(own).unwrap_or(u32::MAX),
            peers_changed: had,
            peers: counts.len(),
        },
        Kind::Discipline => Signal::Discipline {
            events: own,
            peers_disciplined: had,
            peers: counts.len(),
        },
    };
    Some(Alert {
        signal,
        explanation: head + &tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(score: Option<f64>, denied: u32, moves: u32) -> Window {
        Window {
            mean_score: score,
            scored: u32::from(score.is_some()) * 4,
            disputes_denied: denied,
            team_changes: moves,
            discipline: Vec::new(),
        }
    }

    fn person(baseline: f64, windows: [Window; 4]) -> Person {
        Person {
            baseline_score: Some(baseline),
            baseline_scored: 10,
            windows,
        }
    }

    fn steady(score: f64) -> Person {
        person(score, std::array::from_fn(|_| w(Some(score), 0, 0)))
    }

    fn kinds(r: &WindowResult) -> Vec<&'static str> {
        r.alerts
            .iter()
            .map(|a| match a.signal {
                Signal::ScoreDrop { .. } => "score",
                Signal::DisputesDenied { .. } => "disputes",
                Signal::TeamChange { .. } => "team",
                Signal::Discipline { .. } => "discipline",
            })
            .collect()
    }

    #[test]
    fn a_drop_peers_do_not_share_alerts_with_its_numbers() {
        // Baseline 80; 30 days after: 62 (drop 18). Peers: drops 0, 2, 5 → median 2.
        let ana = person(
            80.0,
            [
                w(Some(62.0), 0, 0),
                w(Some(70.0), 0, 0),
                w(Some(75.0), 0, 0),
                w(Some(80.0), 0, 0),
            ],
        );
        let peers = vec![
            steady(90.0),
            person(70.0, std::array::from_fn(|_| w(Some(68.0), 0, 0))),
            person(85.0, std::array::from_fn(|_| w(Some(80.0), 0, 0))),
        ];
        let r = evaluate(&ana, &peers, 200);
        assert_eq!(r.len(), 4);
        assert!(r.iter().all(|x| x.complete));
        assert_eq!(
            r[0].alerts[0].signal,
            Signal::ScoreDrop {
                drop: 18.0,
                peer_median_drop: 2.0,
                peers_compared: 3
            }
        );
        assert_eq!(
            r[0].alerts[0].explanation,
            "Mean QA score fell 18.0 points in the 30 days after the report: from 80.0 (10 interactions) in the 90 days before to 62.0 (4 interactions). The median peer's score changed by -2.0 points (3 peers compared), so theirs fell 16.0 points more (the watch alerts at 10)."
        );
        // 60 days: drop 10, 8 more than peers: below the margin.
        assert!(r[1].alerts.is_empty(), "{:?}", r[1].alerts);
        assert!(r[2].alerts.is_empty());
        assert!(r[3].alerts.is_empty());
    }

    #[test]
    fn disputes_team_changes_and_unfinished_windows() {
        let mut ana = steady(80.0);
        ana.windows[0] = w(Some(80.0), 2, 1);
        ana.windows[1] = w(Some(80.0), 2, 1);
        // Ten peers: one had 1 denied dispute (p90 by nearest rank = 0), two moved team
        // (20%: not rare, no alert).
        let mut peers: Vec<Person> = (0..10).map(|_| steady(80.0)).collect();
        peers[0].windows[0].disputes_denied = 1;
        peers[1].windows[0].team_changes = 1;
        peers[2].windows[0].team_changes = 1;
        let r = evaluate(&ana, &peers, 45);
        assert_eq!(kinds(&r[0]), vec!["disputes"]);
        assert_eq!(
            r[0].alerts[0].explanation,
            "2 scorecard disputes were denied in the 30 days after the report. Nine in ten of their 10 peers had at most 0."
        );
        // 60-day window after 45 days: evaluated on 45, no peer moved: the move alerts.
        assert_eq!(r[1].elapsed_days, 45);
        assert!(!r[1].complete);
        assert_eq!(kinds(&r[1]), vec!["disputes", "team"]);
        assert_eq!(
            r[1].alerts[1].explanation,
            "Changed team 1 time in the 45 days since the report (a 60-day window, not over yet). 0 of 10 peers (0%) changed team; the watch alerts when fewer than 20% did."
        );
        assert!(r[2].alerts.is_empty() && r[3].alerts.is_empty());
    }

    #[test]
    fn alone_the_person_is_compared_with_nobody_and_discipline_counts() {
        let mut ana = person(
            80.0,
            [
                w(Some(65.0), 1, 0),
                w(None, 0, 0),
                w(None, 0, 0),
                w(None, 0, 0),
            ],
        );
        ana.windows[0].discipline.push(DisciplineEvent {
            at: Timestamp::UNIX_EPOCH,
        });
        let r = evaluate(&ana, &[], 30);
        assert_eq!(kinds(&r[0]), vec!["score", "disputes", "discipline"]);
        assert!(r[0].alerts[0]
            .explanation
            .contains("No peer had scores in both periods"));
        assert!(r[0].alerts[1]
            .explanation
            .ends_with("There are no peers to compare with."));
        // On the day of the report nothing has elapsed yet: every window says so.
        let r = evaluate(&steady(80.0), &[], 0);
        assert!(r.iter().all(|x| x.alerts.is_empty() && x.elapsed_days == 0));
    }

    #[test]
    fn everyone_dropping_alike_is_not_an_alert() {
        let dropped = person(80.0, std::array::from_fn(|_| w(Some(50.0), 0, 0)));
        let peers = vec![dropped.clone(), dropped.clone(), dropped.clone()];
        assert!(evaluate(&dropped, &peers, 180)
            .iter()
            .all(|r| r.alerts.is_empty()));
    }

    fn any_window() -> impl Strategy<Value = Window> {
        (
            proptest::option::of(0.0f64..100.0),
            0u32..4,
            0u32..3,
            0usize..3,
        )
            .prop_map(|(score, denied, moves, disc)| Window {
                mean_score: score,
                scored: u32::from(score.is_some()),
                disputes_denied: denied,
                team_changes: moves,
                discipline: vec![
                    DisciplineEvent {
                        at: Timestamp::UNIX_EPOCH
                    };
                    disc
                ],
            })
    }

    fn any_person() -> impl Strategy<Value = Person> {
        (
            proptest::option::of(0.0f64..100.0),
            [any_window(), any_window(), any_window(), any_window()],
        )
            .prop_map(|(baseline, windows)| Person {
                baseline_score: baseline,
                baseline_scored: u32::from(baseline.is_some()),
                windows,
            })
    }

    proptest! {
        #[test]
        fn a_person_like_their_peers_raises_nothing(
            p in any_person(),
            copies in 1usize..8,
            elapsed in 0u32..400,
        ) {
            let peers = vec![p.clone(); copies];
            for r in evaluate(&p, &peers, elapsed) {
                prop_assert!(r.alerts.is_empty(), "{:?}", r.alerts);
            }
        }

        #[test]
        fn worsening_never_removes_an_alert(
            p in any_person(),
            peers in proptest::collection::vec(any_person(), 0..8),
            score_worse in 0.0f64..30.0,
            baseline_better in 0.0f64..30.0,
            more_denied in 0u32..3,
            more_moves in 0u32..3,
            more_discipline in 0usize..3,
            elapsed in 0u32..400,
        ) {
            let mut worse = p.clone();
            worse.baseline_score = worse.baseline_score.map(|b| b + baseline_better);
            for w in &mut worse.windows {
                w.mean_score = w.mean_score.map(|s| s - score_worse);
                w.disputes_denied += more_denied;
                w.team_changes += more_moves;
                w.discipline.extend(vec![DisciplineEvent { at: Timestamp::UNIX_EPOCH }; more_discipline]);
            }
            let before = evaluate(&p, &peers, elapsed);
            let after = evaluate(&worse, &peers, elapsed);
            for (b, a) in before.iter().zip(&after) {
                let now = kinds(a);
                for k in kinds(b) {
                    prop_assert!(now.contains(&k), "{} lost after worsening: {:?} → {:?}", k, b, a);
                }
            }
        }
    }
}
