//! QA calibration: how far several analysts agree when they score the same interactions.
//!
//! A calibration session has analysts score the same interactions blind; this module
//! turns their ratings into numbers. Everything here is pure arithmetic.
//!
//! - **Fleiss' kappa** ([`fleiss_kappa`]) measures agreement beyond chance for N
//!   subjects rated by several raters into categorical ratings. For a scorecard item the
//!   subjects are the session's interactions and the categories are the points awarded,
//!   with N/A a category of its own (`None` in [`Rating::points`]).
//! - **Percent agreement** ([`pairwise_agreement`]) is the share of rater pairs, per
//!   subject, that chose the same category, averaged over subjects (Fleiss' P̄).
//! - **Leniency**: per analyst, the mean of (their points − the group's mean points for
//!   that interaction and item) divided by the item's maximum; and the same against the
//!   engine's points. Positive is more lenient, negative stricter. Ratings where the
//!   analyst (or, against the engine, the engine) said N/A are left out.
//!
//! Degenerate cases are decided here, once:
//! - a subject with fewer than two ratings says nothing about agreement and is skipped;
//!   with no subject left, kappa and agreement are `None`;
//! - when every rating falls in one category, chance agreement P̄e is 1 and the formula
//!   is 0/0: kappa is defined as 1.0 (observed agreement is then perfect too);
//! - subjects may have different numbers of raters (a session closed before everyone
//!   submitted): each subject's agreement uses its own rater count, and category
//!   proportions are taken over all ratings of the subjects counted. With equal counts this is exactly Fleiss'
//!   (1971) statistic.

use std::collections::{BTreeMap, BTreeSet};

/// Items whose pairwise agreement is below this share are flagged for discussion.
pub const AGREEMENT_THRESHOLD: f64 = 0.9;

/// Category counts per subject: `counts[i][j]` raters put subject `i` in category `j`.
/// Rows may have different sums; rows must have the same length.
pub type Counts = Vec<Vec<u64>>;

/// Builds the count table from each subject's ratings (any comparable category).
pub fn counts<C: Ord + Clone>(subjects: &[Vec<C>]) -> Counts {
    let cats: Vec<C> = subjects
        .iter()
        .flatten()
        .cloned()
        .collect::<BTreeSet<C>>()
        .into_iter()
        .collect();
    subjects
        .iter()
        .map(|ratings| {
            cats.iter()
                .map(|c| ratings.iter().filter(|r| *r == c).count() as u64)
                .collect()
        })
        .collect()
}

/// Per-subject agreement P_i for the subjects with at least two ratings.
fn subject_agreements(counts: &[Vec<u64>]) -> Vec<f64> {
    counts
        .iter()
        .filter_map(|row| {
            let n: u64 = row.iter().sum();
            (n >= 2).then(|| {
                let same: u64 = row.iter().map(|&c| c * c.saturating_sub(1)).sum();
                same as f64 / (n * (n - 1)) as f64
            })
        })
        .collect()
}

/// Observed agreement P̄: the share of agreeing rater pairs, averaged over subjects with
/// at least two ratings. `None` when there is no such subject.
pub fn pairwise_agreement(counts: &[Vec<u64>]) -> Option<f64> {
    let p = subject_agreements(counts);
    (!p.is_empty()).then(|| p.iter().sum::<f64>() / p.len() as f64)
}

/// Fleiss' kappa: (P̄ − P̄e) / (1 − P̄e). `None` when no subject has two ratings; 1.0 when
/// every rating is in one category (P̄e = 1, see the module docs).
pub fn fleiss_kappa(counts: &[Vec<u64>]) -> Option<f64> {
    let observed = pairwise_agreement(counts)?;
    let rated: Vec<&Vec<u64>> = counts
        .iter()
        .filter(|row| row.iter().sum::<u64>() >= 2)
        .collect();
    let total: u64 = rated.iter().flat_map(|r| r.iter()).sum();
    let width = rated.iter().map(|r| r.len()).max().unwrap_or(0);
    let chance: f64 = (0..width)
        .map(|j| {
            let p = rated
                .iter()
                .map(|r| r.get(j).copied().unwrap_or(0))
                .sum::<u64>() as f64
                / total as f64;
            p * p
        })
        .sum();
    if chance >= 1.0 - 1e-12 {
        return Some(1.0);
    }
    Some((observed - chance) / (1.0 - chance))
}

/// One analyst's rating of one scorecard item of one interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub analyst: String,
    pub interaction: String,
    pub item: String,
    /// Points awarded; `None` is N/A.
    pub points: Option<u32>,
}

/// A scorecard item with its maximum points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub max: u32,
}

/// Agreement on one item across the session's interactions.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemAgreement {
    pub item: String,
    pub max: u32,
    pub kappa: Option<f64>,
    /// Pairwise agreement in [0, 1].
    pub agreement: Option<f64>,
    /// Agreement below [`AGREEMENT_THRESHOLD`].
    pub flagged: bool,
}

/// One analyst's leniency, as a signed share of the item maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct Leniency {
    pub analyst: String,
    /// Mean of (own − group mean) / max; positive is more lenient than the group.
    pub vs_group: Option<f64>,
    /// Mean of (own − engine) / max; positive is more lenient than the engine.
    pub vs_engine: Option<f64>,
    /// Ratings given (N/A included).
    pub ratings: usize,
}

/// The numbers of a closed session.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Flagged items first, then in scorecard order.
    pub items: Vec<ItemAgreement>,
    /// In the order the analysts were given.
    pub analysts: Vec<Leniency>,
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Computes a session's results. `engine` maps (interaction, item) to the engine's
/// points (`None` = N/A); ratings of items not in `items` are ignored.
pub fn results(
    items: &[Item],
    interactions: &[String],
    analysts: &[String],
    ratings: &[Rating],
    engine: &BTreeMap<(String, String), Option<u32>>,
) -> Results {
    let by_key: BTreeMap<(&str, &str, &str), Option<u32>> = ratings
        .iter()
        .map(|r| {
            (
                (r.interaction.as_str(), r.item.as_str(), r.analyst.as_str()),
                r.points,
            )
        })
        .collect();
    let mut agreements: Vec<ItemAgreement> = items
        .iter()
        .map(|it| {
            let subjects: Vec<Vec<Option<u32>>> = interactions
                .iter()
                .map(|i| {
                    analysts
                        .iter()
                        .filter_map(|a| by_key.get(&(i.as_str(), it.id.as_str(), a.as_str())))
                        .copied()
                        .collect()
                })
                .collect();
            let c = counts(&subjects);
            let agreement = pairwise_agreement(&c);
            ItemAgreement {
                item: it.id.clone(),
                max: it.max,
                kappa: fleiss_kappa(&c),
                agreement,
                flagged: agreement.is_some_and(|a| a < AGREEMENT_THRESHOLD - 1e-12),
            }
        })
        .collect();
    // Stable: flagged first, scorecard order within each group.
    agreements.sort_by_key(|a| !a.flagged);

    let mut group_mean: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for i in interactions {
        for it in items {
            let pts: Vec<f64> = analysts
                .iter()
                .filter_map(|a| by_key.get(&(i.as_str(), it.id.as_str(), a.as_str())))
                .filter_map(|p| p.map(f64::from))
                .collect();
            if let Some(m) = mean(&pts) {
                group_mean.insert((i.as_str(), it.id.as_str()), m);
            }
        }
    }
    let analysts = analysts
        .iter()
        .map(|a| {
            let (mut vs_group, mut vs_engine, mut n) = (Vec::new(), Vec::new(), 0);
            for i in interactions {
                for it in items {
                    let Some(own) = by_key.get(&(i.as_str(), it.id.as_str(), a.as_str())) else {
                        continue;
                    };
                    n += 1;
                    let (Some(own), true) = (own, it.max > 0) else {
                        continue;
                    };
                    let max = f64::from(it.max);
                    if let Some(g) = group_mean.get(&(i.as_str(), it.id.as_str())) {
                        vs_group.push((f64::from(*own) - g) / max);
                    }
                    if let Some(Some(e)) = engine.get(&(i.clone(), it.id.clone())) {
                        vs_engine.push((f64::from(*own) - f64::from(*e)) / max);
                    }
                }
            }
            Leniency {
                analyst: a.clone(),
                vs_group: mean(&vs_group),
                vs_engine: mean(&vs_engine),
                ratings: n,
            }
        })
        .collect();
    Results {
        items: agreements,
        analysts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fleiss (1971) as worked in Wikipedia's "Fleiss' kappa" article: 10 subjects,
    /// 14 raters, 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
    fn wikipedia() -> Counts {
        vec![
            vec![0, 0, 0, 0, 14],
            vec![0, 2, 6, 4, 2],
            vec![0, 0, 3, 5, 6],
            vec![0, 3, 9, 2, 0],
            vec![2, 2, 8, 1, 1],
            vec![7, 7, 0, 0, 0],
            vec![3, 2, 6, 3, 0],
            vec![2, 5, 3, 2, 2],
            vec![6, 5, 2, 1, 0],
            vec![0, 2, 2, 3, 7],
        ]
    }

    #[test]
    fn matches_the_published_worked_example() {
        let c = wikipedia();
        let p = pairwise_agreement(&c).unwrap();
        assert!((p - 0.378).abs() < 0.0005, "P̄ = {p}");
        let k = fleiss_kappa(&c).unwrap();
        assert!((k - 0.210).abs() < 0.0005, "κ = {k}");
    }

    #[test]
    fn degenerate_cases_are_defined() {
        // Everyone in one category: P̄e = 1, kappa defined as 1.
        assert_eq!(fleiss_kappa(&[vec![3], vec![3]]), Some(1.0));
        assert_eq!(pairwise_agreement(&[vec![3], vec![3]]), Some(1.0));
        // Fewer than two raters everywhere: nothing to say.
        assert_eq!(fleiss_kappa(&[vec![1, 0], vec![0, 1]]), None);
        assert_eq!(pairwise_agreement(&[vec![1, 0]]), None);
        assert_eq!(fleiss_kappa(&[]), None);
        // Perfect agreement over several categories.
        assert_eq!(fleiss_kappa(&[vec![2, 0], vec![0, 2]]), Some(1.0));
        // Systematic disagreement is worse than chance.
        assert!(fleiss_kappa(&[vec![1, 1], vec![1, 1]]).unwrap() < 0.0);
    }

    #[test]
    fn counts_treat_na_as_a_category() {
        let c = counts(&[vec![None, Some(5), Some(5)], vec![Some(0), None, None]]);
        // Categories in order: None, Some(0), Some(5).
        assert_eq!(c, vec![vec![1, 0, 2], vec![2, 1, 0]]);
    }

    fn s(x: &str) -> String {
        x.to_owned()
    }

    #[test]
    fn a_small_session_by_hand() {
        // Two interactions, one item worth 10, three analysts.
        // i1: a=10 b=10 c=0 ; i2: a=10 b=10 c=10. Engine: i1=10, i2=0.
        let items = [Item {
            id: s("honesty"),
            max: 10,
        }];
        let inter = [s("i1"), s("i2")];
        let analysts = [s("a"), s("b"), s("c")];
        let r = |a: &str, i: &str, p: u32| Rating {
            analyst: s(a),
            interaction: s(i),
            item: s("honesty"),
            points: Some(p),
        };
        let ratings = [
            r("a", "i1", 10),
            r("b", "i1", 10),
            r("c", "i1", 0),
            r("a", "i2", 10),
            r("b", "i2", 10),
            r("c", "i2", 10),
        ];
        let engine = BTreeMap::from([
            ((s("i1"), s("honesty")), Some(10)),
            ((s("i2"), s("honesty")), Some(0)),
        ]);
        let out = results(&items, &inter, &analysts, &ratings, &engine);
        let it = &out.items[0];
        // P1 = (2·1 + 1·0) / 6 = 1/3, P2 = 1: P̄ = 2/3.
        assert!((it.agreement.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        // p(10) = 5/6, p(0) = 1/6: P̄e = 26/36; κ = (2/3 − 26/36) / (10/36) = −0.2.
        assert!((it.kappa.unwrap() + 0.2).abs() < 1e-9);
        assert!(it.flagged);
        // Group means 20/3 and 10. a: ((10 − 20/3) + 0) / 2 / 10 = 1/6.
        let a = &out.analysts[0];
        assert!((a.vs_group.unwrap() - 1.0 / 6.0).abs() < 1e-9);
        // c: ((0 − 20/3) + 0) / 2 / 10 = −1/3.
        assert!((out.analysts[2].vs_group.unwrap() + 1.0 / 3.0).abs() < 1e-9);
        // vs engine: a: (0 + 10) / 2 / 10 = 0.5 ; c: (−10 + 10) / 2 / 10 = 0.
        assert!((a.vs_engine.unwrap() - 0.5).abs() < 1e-9);
        assert!(out.analysts[2].vs_engine.unwrap().abs() < 1e-9);
        assert_eq!(a.ratings, 2);
    }

    #[test]
    fn na_is_left_out_of_leniency_and_one_rater_gives_none() {
        let items = [Item {
            id: s("v"),
            max: 15,
        }];
        let ratings = [Rating {
            analyst: s("a"),
            interaction: s("i1"),
            item: s("v"),
            points: None,
        }];
        let out = results(&items, &[s("i1")], &[s("a")], &ratings, &BTreeMap::new());
        assert_eq!(out.items[0].kappa, None);
        assert!(!out.items[0].flagged);
        assert_eq!(out.analysts[0].vs_group, None);
        assert_eq!(out.analysts[0].vs_engine, None);
        assert_eq!(out.analysts[0].ratings, 1);
    }

    fn table() -> impl Strategy<Value = Counts> {
        (1usize..5, 2u64..6).prop_flat_map(|(cats, raters)| {
            proptest::collection::vec(
                proptest::collection::vec(0..cats, raters as usize).prop_map(move |rs| {
                    let mut row = vec![0u64; cats];
                    for r in rs {
                        row[r] += 1;
                    }
                    row
                }),
                1..8,
            )
        })
    }

    proptest! {
        #[test]
        fn kappa_is_at_most_one_and_agreement_a_share(c in table()) {
            let k = fleiss_kappa(&c).unwrap();
            prop_assert!(k <= 1.0 + 1e-9, "κ = {}", k);
            let p = pairwise_agreement(&c).unwrap();
            prop_assert!((0.0..=1.0 + 1e-9).contains(&p));
        }

        #[test]
        fn kappa_ignores_the_order_of_subjects_and_categories(c in table(), rot in 0usize..8) {
            let k = fleiss_kappa(&c).unwrap();
            let mut subjects = c.clone();
            let len = subjects.len();
            subjects.rotate_left(rot % len);
            prop_assert!((fleiss_kappa(&subjects).unwrap() - k).abs() < 1e-9);
            let cats: Counts = c.iter().map(|r| r.iter().rev().copied().collect()).collect();
            prop_assert!((fleiss_kappa(&cats).unwrap() - k).abs() < 1e-9);
        }

        #[test]
        fn unanimous_subjects_give_kappa_one(cats in proptest::collection::vec(0usize..4, 1..8), raters in 2u64..6) {
            let c: Counts = cats.iter().map(|&j| {
                let mut row = vec![0u64; 4];
                row[j] = raters;
                row
            }).collect();
            prop_assert_eq!(fleiss_kappa(&c), Some(1.0));
            prop_assert_eq!(pairwise_agreement(&c), Some(1.0));
        }
    }
}
