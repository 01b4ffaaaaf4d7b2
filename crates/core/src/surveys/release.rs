//! What may be released of a wave's responses: one [`Plan`] over every cut the wave
//! reports.
//!
//! **The rule.** A *cell* is a group of respondents sharing values of some dimensions
//! (site Lisbon; team Billing; site Lisbon and role agent) or everyone (`all`). The
//! cells a wave may release are those of its predefined [`View`]s, chosen before
//! launch and shown to respondents. Two respondents are *indistinguishable* when every
//! released cell holds both or neither; the classes of indistinguishable respondents
//! are the *atoms*. The plan releases a set of cells such that **every atom holds at
//! least `k` respondents** (and every released cell, a union of atoms, too).
//!
//! **Why that stops differencing.** Whatever anyone computes from released
//! aggregates (a cell minus a nested cell, a site minus the sum of its shown teams,
//! any sum or difference of released cells across views) is a linear combination of
//! cell indicator vectors, and each of those is constant on every atom. So every group
//! whose figures can be derived is a union of atoms: empty, or at least `k`
//! respondents. In particular the two usual checks follow: every released cell has at
//! least `k` respondents, and every difference between two nested released cells
//! ("site Lisbon" minus "team Lisbon Billing") is empty or at least `k`; and the
//! complementary suppression of tables (a site minus its shown teams) is the same
//! statement for a partition.
//!
//! **How.** Cells with fewer than `k` respondents are out first (primary
//! suppression). Then, while some atom is smaller than `k`, it is merged with the
//! atom that costs least to merge with: the cells that separate the two are withheld
//! (secondary suppression), fewest cells first, then the smallest. "all" is never
//! withheld (it holds every respondent, so it separates no two); when fewer than `k`
//! responded in total, nothing at all is released.
//!
//! **Over time.** A plan is computed once when a wave closes and stored; every later
//! plan (a raised threshold) starts from the stored cells (`within`), so it releases a
//! subset. Withholding cells only merges atoms, so a subset of a safe release is safe,
//! and what was ever released together stays safe. Comments get their own plan, with
//! the comment threshold, inside the results plan.
//!
//! The work is over *elementary groups* (distinct dimension values), not respondents,
//! so it grows with the number of teams × roles × tenure bands, not with headcount.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A reporting dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    Site,
    Team,
    Role,
    Tenure,
}

impl Dim {
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Site => "site",
            Dim::Team => "team",
            Dim::Role => "role",
            Dim::Tenure => "tenure",
        }
    }

    pub fn value(self, d: &Dims) -> &str {
        match self {
            Dim::Site => &d.site,
            Dim::Team => &d.team,
            Dim::Role => &d.role,
            Dim::Tenure => &d.tenure,
        }
    }
}

/// Role bands: a person's roles reduced to what results are reported by.
pub const ROLES: [(&str, &str); 3] = [
    ("agent", "Agents"),
    ("team_lead", "Team leads"),
    ("other", "Other staff"),
];

/// Tenure bands, from the account's creation to the answer.
pub const TENURES: [(&str, &str); 3] = [
    ("under_1y", "Under 1 year"),
    ("1_3y", "1 to 3 years"),
    ("over_3y", "Over 3 years"),
];

/// The value of a missing team or site.
pub const NONE: &str = "none";

/// What a response keeps of its respondent: reporting dimensions at the moment of
/// answering (team and site ids, role band, tenure band). Nothing else.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dims {
    pub team: String,
    pub site: String,
    pub role: String,
    pub tenure: String,
}

/// The role band of a set of roles: team lead before agent, anything else "other".
pub fn role_band(roles: &[crate::Role]) -> &'static str {
    if roles.contains(&crate::Role::TeamLead) {
        "team_lead"
    } else if roles.contains(&crate::Role::Agent) {
        "agent"
    } else {
        "other"
    }
}

/// The tenure band of someone who joined at `since`, on `now`.
pub fn tenure_band(since: jiff::Timestamp, now: jiff::Timestamp) -> &'static str {
    let days = now.duration_since(since).as_hours() / 24;
    if days < 365 {
        "under_1y"
    } else if days < 3 * 365 {
        "1_3y"
    } else {
        "over_3y"
    }
}

/// A predefined cut: the cells of these dimensions' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub key: &'static str,
    pub name: &'static str,
    pub dims: &'static [Dim],
}

/// Every cut a wave may report.
pub const VIEWS: [View; 7] = [
    View {
        key: "site",
        name: "Site",
        dims: &[Dim::Site],
    },
    View {
        key: "team",
        name: "Team",
        dims: &[Dim::Team],
    },
    View {
        key: "role",
        name: "Role",
        dims: &[Dim::Role],
    },
    View {
        key: "tenure",
        name: "Tenure",
        dims: &[Dim::Tenure],
    },
    View {
        key: "site_role",
        name: "Site and role",
        dims: &[Dim::Site, Dim::Role],
    },
    View {
        key: "site_tenure",
        name: "Site and tenure",
        dims: &[Dim::Site, Dim::Tenure],
    },
    View {
        key: "team_role",
        name: "Team and role",
        dims: &[Dim::Team, Dim::Role],
    },
];

/// The views a new wave reports unless chosen otherwise.
pub const DEFAULT_VIEWS: [&str; 4] = ["site", "team", "role", "tenure"];

pub fn view(key: &str) -> Option<&'static View> {
    VIEWS.iter().find(|v| v.key == key)
}

/// The cell key of everyone.
pub const ALL: &str = "all";

impl View {
    /// The key of the cell `d` falls in: `site:<id>+role:agent`.
    pub fn cell_of(&self, d: &Dims) -> String {
        self.dims
            .iter()
            .map(|dim| format!("{}:{}", dim.as_str(), dim.value(d)))
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// Parses a cell key back into its (dimension, value) pairs; `None` if malformed.
pub fn parse_cell(key: &str) -> Option<Vec<(Dim, String)>> {
    if key == ALL {
        return Some(vec![]);
    }
    key.split('+')
        .map(|part| {
            let (d, v) = part.split_once(':')?;
            let dim = [Dim::Site, Dim::Team, Dim::Role, Dim::Tenure]
                .into_iter()
                .find(|x| x.as_str() == d)?;
            (!v.is_empty()).then(|| (dim, v.to_owned()))
        })
        .collect()
}

/// Whether `d` is in the cell `key`.
pub fn in_cell(key: &str, d: &Dims) -> bool {
    parse_cell(key).is_some_and(|parts| parts.iter().all(|(dim, v)| dim.value(d) == v))
}

/// The cells a wave releases at threshold `k`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub k: u32,
    /// Released cell keys, `all` included (empty when fewer than `k` responded).
    pub released: BTreeSet<String>,
}

impl Plan {
    pub fn releases(&self, key: &str) -> bool {
        self.released.contains(key)
    }
}

struct Cell {
    key: String,
    groups: Vec<usize>,
    size: usize,
}

/// Computes the plan: see the module documentation. `within`, when given, limits the
/// plan to those cells (a stored earlier plan, or the results plan for comments).
pub fn plan(
    responses: &[Dims],
    views: &[&View],
    k: u32,
    within: Option<&BTreeSet<String>>,
) -> Plan {
    let k_us = k as usize;
    let mut groups: BTreeMap<&Dims, usize> = BTreeMap::new();
    for d in responses {
        *groups.entry(d).or_default() += 1;
    }
    let group_list: Vec<(&Dims, usize)> = groups.into_iter().collect();
    let allowed = |key: &str| within.is_none_or(|w| w.contains(key));
    if responses.len() < k_us || k == 0 || !allowed(ALL) {
        return Plan {
            k,
            released: BTreeSet::new(),
        };
    }

    // Every cell of every view (the root first), with its elementary groups.
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for v in views {
        for (gi, (d, _)) in group_list.iter().enumerate() {
            by_key.entry(v.cell_of(d)).or_default().push(gi);
        }
    }
    let mut cells = vec![Cell {
        key: ALL.to_owned(),
        groups: (0..group_list.len()).collect(),
        size: responses.len(),
    }];
    for (key, gs) in by_key {
        let size = gs.iter().map(|&g| group_list[g].1).sum();
        if size >= k_us && allowed(&key) && key != ALL {
            cells.push(Cell {
                key,
                groups: gs,
                size,
            });
        }
    }
    let mut live: Vec<bool> = vec![true; cells.len()];

    loop {
        // Each group's signature: which live cells hold it.
        let words = cells.len().div_ceil(64);
        let mut sig = vec![vec![0u64; words]; group_list.len()];
        for (ci, c) in cells.iter().enumerate() {
            if !live[ci] {
                continue;
            }
            for &g in &c.groups {
                sig[g][ci / 64] |= 1 << (ci % 64);
            }
        }
        let mut atoms: BTreeMap<&Vec<u64>, usize> = BTreeMap::new();
        for (g, s) in sig.iter().enumerate() {
            *atoms.entry(s).or_default() += group_list[g].1;
        }
        let Some((small, _)) = atoms
            .iter()
            .filter(|(_, &n)| n < k_us)
            .min_by_key(|(s, &n)| (n, *s))
        else {
            break;
        };
        // The cheapest atom to merge with: fewest separating cells, then the smallest.
        let mut best: Option<((u32, usize), Vec<usize>)> = None;
        for other in atoms.keys() {
            if other == small {
                continue;
            }
            let mut separating = Vec::new();
            for (w, (a, b)) in small.iter().zip(other.iter()).enumerate() {
                let mut x = a ^ b;
                while x != 0 {
                    let bit = x.trailing_zeros() as usize;
                    separating.push(w * 64 + bit);
                    x &= x - 1;
                }
            }
            let cost = (
                separating.len() as u32,
                separating.iter().map(|&c| cells[c].size).sum::<usize>(),
            );
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((cost, separating));
            }
        }
        match best {
            Some((_, separating)) if !separating.is_empty() => {
                for c in separating {
                    live[c] = false;
                }
            }
            // One atom only, smaller than k: cannot happen (it would be everyone, and
            // everyone is at least k); release nothing rather than loop.
            _ => {
                return Plan {
                    k,
                    released: BTreeSet::new(),
                }
            }
        }
    }
    Plan {
        k,
        released: cells
            .into_iter()
            .zip(live)
            .filter(|(_, l)| *l)
            .map(|(c, _)| c.key)
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(team: &str, site: &str, role: &str, tenure: &str) -> Dims {
        Dims {
            team: team.into(),
            site: site.into(),
            role: role.into(),
            tenure: tenure.into(),
        }
    }

    fn many(n: usize, x: Dims) -> Vec<Dims> {
        vec![x; n]
    }

    fn views(keys: &[&str]) -> Vec<&'static View> {
        keys.iter().filter_map(|k| view(k)).collect()
    }

    #[test]
    fn a_small_team_is_suppressed_and_so_is_its_smallest_sibling() {
        let mut r = many(20, d("a", "lis", "agent", "under_1y"));
        r.extend(many(8, d("b", "lis", "agent", "under_1y")));
        r.extend(many(3, d("c", "lis", "agent", "under_1y")));
        r.extend(many(9, d("x", "man", "agent", "under_1y")));
        let p = plan(&r, &views(&["site", "team"]), 5, None);
        assert!(p.releases("all"));
        assert!(p.releases("team:a"));
        assert!(!p.releases("team:c"), "3 respondents");
        assert!(
            !p.releases("team:b"),
            "lisbon − a − b would be team c: the smallest sibling goes too"
        );
        assert!(p.releases("site:lis"));
        assert!(p.releases("site:man"));
        // team x = site man: identical sets, nothing to difference; both may show.
        assert!(p.releases("team:x"));
    }

    #[test]
    fn a_nested_difference_below_k_is_refused() {
        // Lisbon 20, of which 17 agents: "Lisbon" minus "Lisbon agents" is 3 people.
        let mut r = many(17, d("a", "lis", "agent", "under_1y"));
        r.extend(many(3, d("a", "lis", "team_lead", "under_1y")));
        r.extend(many(30, d("m", "man", "agent", "under_1y")));
        let p = plan(&r, &views(&["site", "site_role"]), 5, None);
        let lisbon = p.releases("site:lis");
        let lisbon_agents = p.releases("site:lis+role:agent");
        assert!(!(lisbon && lisbon_agents), "{p:?}");
    }

    #[test]
    fn fewer_than_k_in_total_releases_nothing() {
        let r = many(4, d("a", "lis", "agent", "under_1y"));
        assert!(plan(&r, &views(&["site"]), 5, None).released.is_empty());
        assert!(plan(&[], &views(&["site"]), 5, None).released.is_empty());
    }

    #[test]
    fn cell_keys_round_trip() {
        let v = view("site_role").unwrap();
        let x = d("t", "s1", "agent", "1_3y");
        let key = v.cell_of(&x);
        assert_eq!(key, "site:s1+role:agent");
        assert!(in_cell(&key, &x));
        assert!(in_cell(ALL, &x));
        assert!(!in_cell("site:s2", &x));
        assert_eq!(parse_cell("site:"), None);
        assert_eq!(parse_cell("planet:x"), None);
    }

    // ------------------------------------------------------------ properties

    fn arb_dims() -> impl Strategy<Value = Dims> {
        // Teams belong to one site each, like the directory.
        (0..6usize, 0..3usize, 0..3usize).prop_map(|(t, r, y)| Dims {
            team: format!("t{t}"),
            site: format!("s{}", t % 3),
            role: ROLES[r].0.to_owned(),
            tenure: TENURES[y].0.to_owned(),
        })
    }

    fn arb_views() -> impl Strategy<Value = Vec<&'static View>> {
        proptest::sample::subsequence(VIEWS.iter().collect::<Vec<_>>(), 1..=VIEWS.len())
    }

    /// The respondents (by index) of a released cell.
    pub(crate) fn members(key: &str, r: &[Dims]) -> BTreeSet<usize> {
        r.iter()
            .enumerate()
            .filter(|(_, d)| in_cell(key, d))
            .map(|(i, _)| i)
            .collect()
    }

    /// Checks a released set of cells from scratch, respondent by respondent (not
    /// through the plan's own grouping): cells ≥ k, nested differences empty or ≥ k,
    /// each view's remainder inside a released cell empty or ≥ k, and every class of
    /// indistinguishable respondents ≥ k.
    pub(crate) fn assert_safe(released: &BTreeSet<String>, r: &[Dims], k: usize) {
        let sets: Vec<(String, BTreeSet<usize>)> = released
            .iter()
            .map(|c| (c.clone(), members(c, r)))
            .collect();
        for (c, s) in &sets {
            assert!(s.len() >= k, "cell {c} has {} < {k}", s.len());
        }
        for (a, sa) in &sets {
            for (b, sb) in &sets {
                if sb.is_subset(sa) {
                    let diff = sa.len() - sb.len();
                    assert!(diff == 0 || diff >= k, "{a} minus {b} is {diff} < {k}");
                }
            }
        }
        for (a, sa) in &sets {
            for v in VIEWS {
                let shown: BTreeSet<usize> = sets
                    .iter()
                    .filter(|(c, sb)| {
                        parse_cell(c).is_some_and(|p| {
                            p.iter().map(|(d, _)| *d).collect::<Vec<_>>() == v.dims
                        }) && sb.is_subset(sa)
                    })
                    .flat_map(|(_, sb)| sb.iter().copied())
                    .collect();
                let rest = sa.len() - shown.len();
                assert!(
                    rest == 0 || rest >= k,
                    "{a} minus its shown {} cells is {rest} < {k}",
                    v.key
                );
            }
        }
        let mut atoms: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
        for i in 0..r.len() {
            let sig: Vec<bool> = sets.iter().map(|(_, s)| s.contains(&i)).collect();
            *atoms.entry(sig).or_default() += 1;
        }
        if !sets.is_empty() {
            for (sig, n) in atoms {
                assert!(n >= k, "an atom of {n} < {k} ({sig:?})");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn no_plan_reveals_a_group_below_the_threshold(
            r in proptest::collection::vec(arb_dims(), 0..80),
            vs in arb_views(),
            k in 2u32..8,
        ) {
            let p = plan(&r, &vs, k, None);
            assert_safe(&p.released, &r, k as usize);
            // Only cells of the chosen views, and "all" whenever anything is shown.
            for c in &p.released {
                let of_a_view = c == ALL || vs.iter().any(|v| {
                    parse_cell(c).is_some_and(|p| p.iter().map(|(d, _)| *d).collect::<Vec<_>>() == v.dims)
                });
                prop_assert!(of_a_view, "{}", c);
            }
            prop_assert_eq!(p.released.is_empty(), r.len() < k as usize);
        }

        #[test]
        fn a_later_plan_releases_a_subset_and_stays_safe(
            r in proptest::collection::vec(arb_dims(), 0..80),
            vs in arb_views(),
            k in 2u32..6,
            raise in 0u32..5,
        ) {
            let first = plan(&r, &vs, k, None);
            let later = plan(&r, &vs, k + raise, Some(&first.released));
            prop_assert!(later.released.is_subset(&first.released));
            assert_safe(&later.released, &r, (k + raise) as usize);
        }
    }
}
