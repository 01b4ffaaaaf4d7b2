//! Fairness analytics: `GET /fairness` (workload spread, QA scores by team, site and
//! evaluator with confidence intervals and the four-fifths screen, evaluator leniency,
//! overturn rates and calibration drift), `GET /fairness/training` (training
//! effectiveness from behaviour), and the agent's own `GET /my/numbers` ("explain this
//! number": every figure with its formula and its inputs). JSON twins under
//! `/api/v1`.
//!
//! Figures cover the last `?months=` calendar months (UTC, this one included; 3 by
//! default). Everything per agent or team comes from the per-agent monthly totals
//! (`store::fairness`), so a page costs a few aggregate queries whatever the number
//! of interactions; only reviews (human actions) and one agent's own interactions are
//! read row by row. The arithmetic is `core::fairness`.
//!
//! The figures are use cases in `righttrack_app::reports::fairness`; this module parses
//! the query, calls them and renders.

use crate::error::{AppError, AppResult};
use crate::extract::{Query, SignedIn};
use crate::pages::{layout, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use righttrack_app::reports::fairness::{
    analytics, effectiveness, label, my_numbers, period, window, Effectiveness, MyNumbers,
    DEFINITIONS, MAX_WINDOW, MIN_AGENT_INTERACTIONS,
};
use righttrack_core::charts::{box_plots, figure};
use righttrack_core::dashboard::MIN_INTERACTIONS;
use righttrack_core::fairness::{
    GroupScores, MeanCi, Spread, FOUR_FIFTHS, MIN_GROUP, MIN_SCREENED, PASS_PCT,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    months: Option<String>,
    course: Option<String>,
    /// Training effectiveness: months on each side of a completion.
    window: Option<String>,
}

fn definitions() -> Value {
    DEFINITIONS
        .iter()
        .map(|(k, v)| json!({"term": k, "definition": v}))
        .collect()
}

/// `GET /api/v1/fairness?months=`.
pub async fn api(
    State(state): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Value>> {
    let p = period(&state, q.months.as_deref(), 3)?;
    let f = analytics(&state, &p).await?;
    let mut v = serde_json::to_value(&f).map_err(|e| AppError::internal(&e))?;
    v["definitions"] = definitions();
    v["pass_pct"] = json!(PASS_PCT);
    v["four_fifths"] = json!(FOUR_FIFTHS);
    v["min_screened"] = json!(MIN_SCREENED);
    Ok(Json(v))
}

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("—".to_owned(), |v| format!("{}{unit}", figure(v)))
}

fn ci(m: Option<MeanCi>) -> String {
    m.map_or("—".to_owned(), |m| {
        format!(
            "{} % ({}–{})",
            figure(m.mean),
            figure(m.low),
            figure(m.high)
        )
    })
}

fn signed(v: Option<f64>) -> String {
    v.map_or("—".to_owned(), |v| {
        if v > 0.05 {
            format!("+{}", figure(v))
        } else {
            figure(v)
        }
    })
}

/// A row of a score comparison table.
struct ScoreRow {
    label: String,
    n: i64,
    mean: String,
    pass_rate: String,
    ratio: String,
    flagged: bool,
}

fn score_rows(g: &[GroupScores]) -> Vec<ScoreRow> {
    g.iter()
        .map(|g| ScoreRow {
            label: g.label.clone(),
            n: g.moments.n,
            mean: ci(g.mean),
            pass_rate: opt(g.pass_rate, " %"),
            ratio: g
                .impact_ratio
                .map_or_else(|| "not screened".to_owned(), |r| format!("{r:.2}")),
            flagged: g.below_four_fifths,
        })
        .collect()
}

struct SpreadRow {
    label: String,
    agents: usize,
    interactions: i64,
    difficult: i64,
    unsocial: i64,
    gini_interactions: String,
    gini_difficult: String,
    gini_unsocial: String,
    top: String,
}

fn spread_row(s: &Spread) -> SpreadRow {
    let g = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.2}"));
    SpreadRow {
        label: s.label.clone(),
        agents: s.agents,
        interactions: s.interactions,
        difficult: s.difficult,
        unsocial: s.unsocial,
        gini_interactions: g(s.gini_interactions),
        gini_difficult: g(s.gini_difficult),
        gini_unsocial: g(s.gini_unsocial),
        top: opt(s.top_difficult_share, " %"),
    }
}

struct EvaluatorRow {
    name: String,
    reviewed: usize,
    scores: String,
    change: String,
    leniency: String,
    disputes: i64,
    overturn: String,
    drift: String,
    sessions: String,
}

#[derive(Template)]
#[template(path = "fairness.html")]
struct Page {
    l: crate::pages::Layout,
    from: String,
    to: String,
    months: usize,
    definitions: &'static [(&'static str, &'static str)],
    spreads: Vec<SpreadRow>,
    teams_withheld: usize,
    most_difficult: Vec<(String, String, i64, String, String)>,
    by_team: Vec<ScoreRow>,
    by_site: Vec<ScoreRow>,
    by_evaluator: Vec<ScoreRow>,
    evaluators: Vec<EvaluatorRow>,
    min_group: usize,
    min_agent_interactions: i64,
    team_boxes: String,
    site_boxes: String,
    distributions: Vec<(String, usize, String, String, String, String, String)>,
}

/// `GET /fairness?months=`.
pub async fn page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&state, q.months.as_deref(), 3)?;
    let f = analytics(&state, &p).await?;
    Ok(render(Page {
        l: layout(Some(&caller), "Fairness", "/fairness"),
        from: f.from,
        to: f.to,
        months: f.months,
        definitions: DEFINITIONS,
        spreads: f
            .organisation
            .iter()
            .chain(&f.teams)
            .map(spread_row)
            .collect(),
        teams_withheld: f.teams_withheld,
        most_difficult: f
            .most_difficult
            .iter()
            .map(|a| {
                (
                    a.agent.clone(),
                    label(&a.team, "(no team)"),
                    a.interactions,
                    format!("{} %", figure(a.difficult_share)),
                    format!("{} %", figure(a.unsocial_share)),
                )
            })
            .collect(),
        by_team: score_rows(&f.scores_by_team),
        by_site: score_rows(&f.scores_by_site),
        by_evaluator: score_rows(&f.scores_by_evaluator),
        evaluators: f
            .evaluators
            .iter()
            .map(|e| EvaluatorRow {
                name: e.evaluator.clone(),
                reviewed: e.reviewed,
                scores: ci(e.scores),
                change: signed(e.mean_change),
                leniency: signed(e.leniency),
                disputes: e.disputes_resolved,
                overturn: opt(e.overturn_rate, " %"),
                drift: signed(e.drift),
                sessions: e
                    .calibration
                    .iter()
                    .map(|(s, d)| format!("{s}: {}", signed(Some(*d))))
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect(),
        min_group: MIN_GROUP,
        min_agent_interactions: MIN_AGENT_INTERACTIONS,
        team_boxes: box_plots("Agents' mean QA scores by team", &f.agent_means_by_team),
        site_boxes: box_plots("Agents' mean QA scores by site", &f.agent_means_by_site),
        distributions: f
            .agent_means_by_team
            .iter()
            .chain(&f.agent_means_by_site)
            .map(|(l, q)| {
                (
                    l.clone(),
                    q.n,
                    figure(q.min),
                    figure(q.q1),
                    figure(q.median),
                    figure(q.q3),
                    figure(q.max),
                )
            })
            .collect(),
    }))
}

// ------------------------------------------------------------ training effectiveness

/// `GET /api/v1/fairness/training?course=&months=&window=`.
pub async fn training_api(
    State(state): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Value>> {
    let p = period(&state, q.months.as_deref(), 12)?;
    let w = window(q.window.as_deref())?;
    let e = effectiveness(&state, q.course.as_deref(), w, &p).await?;
    Ok(Json(
        serde_json::to_value(&e).map_err(|e| AppError::internal(&e))?,
    ))
}

#[derive(Template)]
#[template(path = "fairness_training.html")]
struct TrainingPage {
    l: crate::pages::Layout,
    e: Effectiveness,
    course_id: String,
    course_title: String,
    rules: Vec<(String, String, String, String, String)>,
    cohorts: Vec<(String, i64, i64, String, String)>,
    min_group: usize,
    min_interactions: i64,
    windows: Vec<i64>,
}

/// `GET /fairness/training?course=&months=&window=`.
pub async fn training_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&state, q.months.as_deref(), 12)?;
    let w = window(q.window.as_deref())?;
    let e = effectiveness(&state, q.course.as_deref(), w, &p).await?;
    let (course_id, course_title) = e.course.clone().unwrap_or_default();
    Ok(render(TrainingPage {
        l: layout(Some(&caller), "Training effectiveness", "/fairness"),
        rules: e
            .rules
            .iter()
            .map(|r| {
                (
                    r.rule.clone(),
                    r.description.clone(),
                    opt(r.before, ""),
                    opt(r.after, ""),
                    r.change
                        .map_or("—".to_owned(), |c| format!("{} %", signed(Some(c)))),
                )
            })
            .collect(),
        cohorts: e
            .cohorts
            .iter()
            .map(|c| {
                (
                    c.month.clone(),
                    c.trained_agents,
                    c.untrained_agents,
                    opt(c.trained, ""),
                    opt(c.untrained, ""),
                )
            })
            .collect(),
        e,
        course_id,
        course_title,
        min_group: MIN_GROUP,
        min_interactions: MIN_INTERACTIONS,
        windows: (1..=MAX_WINDOW).collect(),
    }))
}

// ------------------------------------------------------------------ my numbers

/// `GET /api/v1/me/numbers?months=`.
pub async fn my_api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Value>> {
    let p = period(&state, q.months.as_deref(), 3)?;
    let n = my_numbers(&state, &caller, &p).await?;
    let mut v = serde_json::to_value(&n).map_err(|e| AppError::internal(&e))?;
    v["definitions"] = definitions();
    Ok(Json(v))
}

#[derive(Template)]
#[template(path = "my_numbers.html")]
struct MyPage {
    l: crate::pages::Layout,
    n: MyNumbers,
    mean: String,
    pass_rate: String,
    team_mean: String,
    team_pass_rate: String,
    sd: String,
    team_difficult: String,
    team_unsocial: String,
    team_label: String,
    definitions: &'static [(&'static str, &'static str)],
    pass_pct: i64,
    min_group: usize,
}

/// `GET /my/numbers?months=`.
pub async fn my_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let p = period(&state, q.months.as_deref(), 3)?;
    let n = my_numbers(&state, &caller, &p).await?;
    Ok(render(MyPage {
        l: layout(Some(&caller), "My numbers", "/my/work"),
        mean: ci(n.mean),
        pass_rate: opt(n.pass_rate, " %"),
        team_mean: ci(n.team_mean),
        team_pass_rate: opt(n.team_pass_rate, " %"),
        sd: n.mean.map_or("—".to_owned(), |m| figure(m.sd)),
        team_difficult: opt(n.team_difficult_per_agent, ""),
        team_unsocial: opt(n.team_unsocial_per_agent, ""),
        team_label: label(&n.team, "(no team)"),
        n,
        definitions: DEFINITIONS,
        pass_pct: PASS_PCT,
        min_group: MIN_GROUP,
    }))
}
