//! Results of a closed wave, cell by cell, computed only for the cells a
//! [`Plan`] releases.
//!
//! A suppressed cell is [`CellResult::Suppressed`] and carries its key and the reason
//! only: its responses are not even counted here, so no number of it can reach a page,
//! a CSV file or the API. Shares are rounded to whole per cent for display by the
//! caller; here they are exact fractions of the cell's respondents.

use super::instrument::{index_name, Answers, Question, QuestionKind, INDICES};
use super::release::{in_cell, Dim, Dims, Plan, View, ALL, ROLES, TENURES};
use serde::Serialize;

/// One stored response, as results see it: no id, no author, no time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub dims: Dims,
    pub answers: Answers,
}

/// Every value a view's rows are listed for, so a group with no respondents shows as
/// suppressed like any small group instead of vanishing.
#[derive(Debug, Clone, Default)]
pub struct Domain {
    pub sites: Vec<String>,
    pub teams: Vec<String>,
}

impl Domain {
    fn values(&self, d: Dim) -> Vec<String> {
        match d {
            Dim::Site => self.sites.clone(),
            Dim::Team => self.teams.clone(),
            Dim::Role => ROLES.iter().map(|(k, _)| (*k).to_owned()).collect(),
            Dim::Tenure => TENURES.iter().map(|(k, _)| (*k).to_owned()).collect(),
        }
    }

    /// The cell keys of a view, in domain order.
    pub fn cells(&self, v: &View) -> Vec<String> {
        let mut keys = vec![String::new()];
        for d in v.dims {
            let mut next = Vec::new();
            for k in &keys {
                for val in self.values(*d) {
                    let part = format!("{}:{val}", d.as_str());
                    next.push(if k.is_empty() {
                        part
                    } else {
                        format!("{k}+{part}")
                    });
                }
            }
            keys = next;
        }
        keys
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The answer as offered (`"4"`, `"yes"`, an option).
    pub value: String,
    pub label: String,
    /// Fraction of the cell's respondents, 0–1.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub key: String,
    /// Fraction favourable among answers that count (see `Question::favourable`);
    /// `None` for a neutral question or when fewer than the threshold count.
    pub favourable: Option<f64>,
    /// Mean of a Likert question, 1–5.
    pub mean: Option<f64>,
    pub distribution: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexResult {
    pub key: String,
    pub name: String,
    /// Favourable answers ÷ answers that count, over the index's questions.
    pub favourable: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CellResult {
    Shown {
        cell: String,
        respondents: u32,
        indices: Vec<IndexResult>,
        questions: Vec<QuestionResult>,
        /// Redacted comments, sorted (never in the order given); `None` when the
        /// cell is below the comment threshold.
        comments: Option<Vec<String>>,
    },
    Suppressed {
        cell: String,
        reason: Suppression,
    },
}

impl CellResult {
    pub fn cell(&self) -> &str {
        match self {
            CellResult::Shown { cell, .. } | CellResult::Suppressed { cell, .. } => cell,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// Fewer respondents than the threshold (possibly none).
    TooFew,
    /// Enough respondents, withheld so that a smaller group cannot be worked out by
    /// subtracting shown groups.
    Withheld,
}

impl Suppression {
    pub fn words(self, k: u32) -> String {
        match self {
            Suppression::TooFew => format!("fewer than {k} responses"),
            Suppression::Withheld => {
                format!("withheld so that a group of fewer than {k} cannot be worked out")
            }
        }
    }
}

/// A view's report: everyone, then one row per value of the view's dimensions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewReport {
    pub view: String,
    pub min_group: u32,
    pub min_comments: u32,
    pub overall: CellResult,
    pub cells: Vec<CellResult>,
}

/// The report of one view. `plan` decides what is shown, `comments` which shown cells
/// show comments.
pub fn report(
    questions: &[Question],
    responses: &[Response],
    plan: &Plan,
    comments: &Plan,
    view: &View,
    domain: &Domain,
) -> ViewReport {
    ViewReport {
        view: view.key.to_owned(),
        min_group: plan.k,
        min_comments: comments.k,
        overall: cell(questions, responses, plan, comments, ALL),
        cells: domain
            .cells(view)
            .iter()
            .map(|c| cell(questions, responses, plan, comments, c))
            .collect(),
    }
}

/// One cell's result, if the plan releases it.
pub fn cell(
    questions: &[Question],
    responses: &[Response],
    plan: &Plan,
    comments: &Plan,
    key: &str,
) -> CellResult {
    if !plan.releases(key) {
        // Counting here is only to choose the words; the count goes nowhere.
        let n = responses.iter().filter(|r| in_cell(key, &r.dims)).count();
        return CellResult::Suppressed {
            cell: key.to_owned(),
            reason: if n < plan.k as usize {
                Suppression::TooFew
            } else {
                Suppression::Withheld
            },
        };
    }
    let members: Vec<&Response> = responses.iter().filter(|r| in_cell(key, &r.dims)).collect();
    let n = members.len();
    let k = plan.k as usize;
    let questions_out: Vec<QuestionResult> = questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Comment)
        .map(|q| question_result(q, &members, k))
        .collect();
    let indices = INDICES
        .iter()
        .filter(|(ik, _, _)| questions.iter().any(|q| q.index.as_deref() == Some(*ik)))
        .map(|(ik, _, _)| {
            let (fav, counted) = tally(questions, &members, Some(ik));
            IndexResult {
                key: (*ik).to_owned(),
                name: index_name(ik).to_owned(),
                favourable: (counted >= k && counted > 0).then(|| fav as f64 / counted as f64),
            }
        })
        .collect();
    let comments_out = comments.releases(key).then(|| {
        let mut c: Vec<String> = members
            .iter()
            .flat_map(|r| {
                questions
                    .iter()
                    .filter(|q| q.kind == QuestionKind::Comment)
                    .filter_map(|q| r.answers.get(&q.key).cloned())
            })
            .filter(|c| !c.is_empty())
            .collect();
        c.sort();
        c
    });
    CellResult::Shown {
        cell: key.to_owned(),
        respondents: n as u32,
        indices,
        questions: questions_out,
        comments: comments_out,
    }
}

/// (favourable, counted) over the questions of an index (`None`: every question).
fn tally(questions: &[Question], members: &[&Response], index: Option<&str>) -> (usize, usize) {
    let mut fav = 0;
    let mut counted = 0;
    for q in questions
        .iter()
        .filter(|q| index.is_none_or(|i| q.index.as_deref() == Some(i)))
    {
        for r in members {
            if let Some(f) = r.answers.get(&q.key).and_then(|a| q.favourable(a)) {
                counted += 1;
                fav += usize::from(f);
            }
        }
    }
    (fav, counted)
}

fn question_result(q: &Question, members: &[&Response], k: usize) -> QuestionResult {
    let n = members.len().max(1) as f64;
    let distribution = q
        .choices()
        .into_iter()
        .map(|v| {
            let c = members
                .iter()
                .filter(|r| r.answers.get(&q.key) == Some(&v))
                .count();
            Share {
                label: q.label(&v),
                value: v,
                share: c as f64 / n,
            }
        })
        .collect();
    let (fav, counted) = tally(std::slice::from_ref(q), members, None);
    let mean = (q.kind == QuestionKind::Likert && !members.is_empty()).then(|| {
        members
            .iter()
            .filter_map(|r| r.answers.get(&q.key)?.parse::<f64>().ok())
            .sum::<f64>()
            / n
    });
    QuestionResult {
        key: q.key.clone(),
        favourable: (counted >= k && counted > 0).then(|| fav as f64 / counted as f64),
        mean,
        distribution,
    }
}

/// A group whose climate index is well below the organisation's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotSpot {
    /// `<index>/<cell>`: with the wave id, a stable reference to this hot-spot.
    pub key: String,
    pub index: String,
    pub index_name: String,
    pub cell: String,
    pub respondents: u32,
    pub favourable: f64,
    pub organisation: f64,
    /// Organisation minus group, in percentage points.
    pub gap_points: f64,
    /// Two-proportion z statistic of the group against everyone else.
    pub z: f64,
}

/// How far below the organisation a group must be, in points, to be a hot-spot.
pub const HOTSPOT_GAP_POINTS: f64 = 10.0;
/// And how significant (one-sided 97.5%).
pub const HOTSPOT_Z: f64 = 1.96;

/// Hot-spots among the released cells of `views`: a climate index at least
/// [`HOTSPOT_GAP_POINTS`] below the organisation's and significantly so (a
/// two-proportion z-test of the group against the rest, z ≥ [`HOTSPOT_Z`]). Worst first.
pub fn hotspots(
    questions: &[Question],
    responses: &[Response],
    plan: &Plan,
    views: &[&View],
) -> Vec<HotSpot> {
    if !plan.releases(ALL) {
        return vec![];
    }
    let everyone: Vec<&Response> = responses.iter().collect();
    let mut cells: Vec<String> = plan
        .released
        .iter()
        .filter(|c| c.as_str() != ALL)
        .filter(|c| {
            views.iter().any(|v| {
                super::release::parse_cell(c)
                    .is_some_and(|p| p.iter().map(|(d, _)| *d).collect::<Vec<_>>() == v.dims)
            })
        })
        .cloned()
        .collect();
    // Two cells with the same respondents (a site with one team) are one hot-spot, under
    // the most specific key: a team before a site, more dimensions before fewer.
    cells.sort_by_key(|c| {
        (
            !c.contains("team:"),
            std::cmp::Reverse(c.matches('+').count()),
            c.clone(),
        )
    });
    let mut seen_sets: Vec<Vec<usize>> = Vec::new();
    cells.retain(|c| {
        let set: Vec<usize> = responses
            .iter()
            .enumerate()
            .filter(|(_, r)| in_cell(c, &r.dims))
            .map(|(i, _)| i)
            .collect();
        if seen_sets.contains(&set) {
            false
        } else {
            seen_sets.push(set);
            true
        }
    });
    let mut out = Vec::new();
    for (ik, name, _) in INDICES {
        let (fav_all, cnt_all) = tally(questions, &everyone, Some(ik));
        if cnt_all == 0 {
            continue;
        }
        let org = fav_all as f64 / cnt_all as f64;
        for c in &cells {
            let members: Vec<&Response> =
                responses.iter().filter(|r| in_cell(c, &r.dims)).collect();
            let (fav, cnt) = tally(questions, &members, Some(ik));
            let rest_cnt = cnt_all - cnt;
            if cnt == 0 || rest_cnt == 0 {
                continue;
            }
            let p1 = fav as f64 / cnt as f64;
            let p2 = (fav_all - fav) as f64 / rest_cnt as f64;
            let pooled = org;
            let se = (pooled * (1.0 - pooled) * (1.0 / cnt as f64 + 1.0 / rest_cnt as f64)).sqrt();
            let z = if se > 0.0 { (p2 - p1) / se } else { 0.0 };
            let gap = (org - p1) * 100.0;
            if gap >= HOTSPOT_GAP_POINTS && z >= HOTSPOT_Z {
                out.push(HotSpot {
                    key: format!("{ik}/{c}"),
                    index: ik.to_owned(),
                    index_name: name.to_owned(),
                    cell: c.clone(),
                    respondents: members.len() as u32,
                    favourable: p1,
                    organisation: org,
                    gap_points: gap,
                    z,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.gap_points
            .total_cmp(&a.gap_points)
            .then(a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::instrument::builtin;
    use super::super::release::{plan, view, VIEWS};
    use super::*;
    use proptest::prelude::*;

    fn resp(
        team: usize,
        role: usize,
        tenure: usize,
        good: bool,
        comment: Option<&str>,
    ) -> Response {
        let qs = builtin();
        let mut answers = Answers::new();
        for q in &qs {
            let v = match q.kind {
                QuestionKind::Likert => {
                    if good != q.reverse {
                        "5"
                    } else {
                        "1"
                    }
                }
                QuestionKind::YesNo => {
                    if good != q.reverse {
                        "yes"
                    } else {
                        "no"
                    }
                }
                QuestionKind::Choice => &q.options[if good { 0 } else { 1 }],
                QuestionKind::Comment => match comment {
                    Some(c) => c,
                    None => continue,
                },
            };
            answers.insert(q.key.clone(), v.to_owned());
        }
        Response {
            dims: Dims {
                team: format!("t{team}"),
                site: format!("s{}", team % 3),
                role: ROLES[role].0.into(),
                tenure: TENURES[tenure].0.into(),
            },
            answers,
        }
    }

    fn domain() -> Domain {
        Domain {
            sites: (0..3).map(|s| format!("s{s}")).collect(),
            teams: (0..6).map(|t| format!("t{t}")).collect(),
        }
    }

    #[test]
    fn shown_cells_have_figures_and_suppressed_cells_none() {
        let mut r: Vec<Response> = (0..12)
            .map(|i| resp(0, 0, 0, i % 4 != 0, Some("Fine place")))
            .collect();
        r.extend((0..6).map(|_| resp(3, 0, 0, false, None)));
        r.extend((0..2).map(|_| resp(1, 0, 0, true, None)));
        let v = view("team").unwrap();
        let p = plan(
            &r.iter().map(|x| x.dims.clone()).collect::<Vec<_>>(),
            &[v],
            5,
            None,
        );
        let c = plan(
            &r.iter().map(|x| x.dims.clone()).collect::<Vec<_>>(),
            &[v],
            10,
            Some(&p.released),
        );
        let rep = report(&builtin(), &r, &p, &c, v, &domain());
        let CellResult::Shown {
            respondents,
            comments,
            indices,
            ..
        } = &rep.overall
        else {
            panic!("overall shown")
        };
        assert_eq!(*respondents, 20);
        assert_eq!(comments.as_ref().map(Vec::len), Some(12));
        assert_eq!(indices.len(), 5);
        let by = |k: &str| rep.cells.iter().find(|c| c.cell() == k).unwrap();
        // Team t0 has 12 respondents, but all (20) minus t0 would be the comments of 8:
        // its comments are withheld, everyone's are shown.
        assert!(matches!(
            by("team:t0"),
            CellResult::Shown {
                respondents: 12,
                comments: None,
                ..
            }
        ));
        assert!(matches!(
            by("team:t1"),
            CellResult::Suppressed {
                reason: Suppression::TooFew,
                ..
            }
        ));
        assert!(matches!(
            by("team:t5"),
            CellResult::Suppressed {
                reason: Suppression::TooFew,
                ..
            }
        ));
        // With only t1 hidden (2 people), all − t0 − t3 would be t1: the smallest shown
        // sibling, t3, is withheld too.
        assert!(matches!(
            by("team:t3"),
            CellResult::Suppressed {
                reason: Suppression::Withheld,
                ..
            }
        ));
        let json = serde_json::to_string(&rep).unwrap();
        assert!(
            !json.contains("\"respondents\":2,") && !json.contains("\"respondents\":6,"),
            "{json}"
        );
    }

    #[test]
    fn a_group_far_below_the_organisation_is_a_hot_spot() {
        let mut r: Vec<Response> = (0..40).map(|i| resp(i % 2, 0, 0, true, None)).collect();
        r.extend((0..12).map(|_| resp(4, 0, 0, false, None)));
        let v = view("team").unwrap();
        let dims: Vec<Dims> = r.iter().map(|x| x.dims.clone()).collect();
        let p = plan(&dims, &[v], 5, None);
        let hs = hotspots(&builtin(), &r, &p, &[v]);
        assert!(!hs.is_empty());
        assert!(hs.iter().all(|h| h.cell == "team:t4"), "{hs:?}");
        assert!(hs.iter().any(|h| h.key == "trust/team:t4"));
        // Once per index: the same group under another key is not repeated.
        let v2 = [view("team").unwrap(), view("team_role").unwrap()];
        let p2 = plan(&dims, &v2, 5, None);
        let hs2 = hotspots(&builtin(), &r, &p2, &v2);
        assert_eq!(hs2.len(), hs.len(), "{hs2:?}");
        // A hot-spot is only ever a released cell.
        let none = hotspots(
            &builtin(),
            &r,
            &Plan {
                k: 5,
                released: Default::default(),
            },
            &[v],
        );
        assert!(none.is_empty());
    }

    fn arb_response() -> impl Strategy<Value = Response> {
        (
            0..6usize,
            0..3usize,
            0..3usize,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(t, r, y, g, c)| resp(t, r, y, g, c.then_some("A comment")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// For random responses and any sequence of requested cuts, no shown cell (nor
        /// a difference of nested shown cells, nor any class of respondents the shown
        /// cells cannot tell apart) is below the threshold; suppressed cells carry no
        /// number; comments only for cells at the comment threshold.
        #[test]
        fn no_report_reveals_a_group_below_the_threshold(
            r in proptest::collection::vec(arb_response(), 0..70),
            wave_views in proptest::sample::subsequence(VIEWS.iter().collect::<Vec<_>>(), 1..=VIEWS.len()),
            asked in proptest::collection::vec(0..VIEWS.len(), 1..6),
            k in 5u32..8,
        ) {
            let dims: Vec<Dims> = r.iter().map(|x| x.dims.clone()).collect();
            let p = plan(&dims, &wave_views, k, None);
            let kc = k + 5;
            let c = plan(&dims, &wave_views, kc, Some(&p.released));
            let mut seen = std::collections::BTreeSet::new();
            let mut seen_comments = std::collections::BTreeSet::new();
            for a in asked {
                let v = &VIEWS[a];
                let rep = report(&builtin(), &r, &p, &c, v, &domain());
                for cell in std::iter::once(&rep.overall).chain(rep.cells.iter()) {
                    let json = serde_json::to_value(cell).unwrap();
                    match cell {
                        CellResult::Shown { cell, respondents, comments, .. } => {
                            prop_assert!(*respondents >= k);
                            prop_assert_eq!(*respondents as usize, super::super::release::tests::members(cell, &dims).len());
                            if comments.is_some() {
                                prop_assert!(*respondents >= kc);
                                seen_comments.insert(cell.clone());
                            }
                            seen.insert(cell.clone());
                        }
                        CellResult::Suppressed { .. } => {
                            let obj = json.as_object().unwrap();
                            prop_assert_eq!(obj.len(), 3, "status, cell, reason only: {}", json);
                        }
                    }
                }
            }
            super::super::release::tests::assert_safe(&seen, &dims, k as usize);
            super::super::release::tests::assert_safe(&seen_comments, &dims, kc as usize);
        }
    }
}
