//! Fairness analytics' figures: workload spread, QA scores by group with confidence
//! intervals, evaluator leniency, training effectiveness from behaviour, and an agent's
//! own numbers with every input behind them.
//!
//! Figures cover the last `months` calendar months (UTC, this one included), cut at the
//! same instants as the dashboard's ([`super::dashboard::month_starts`]). Everything per
//! agent or team comes from the per-agent monthly totals (`store::fairness`), so a report
//! costs a few aggregate queries whatever the number of interactions; only reviews (human
//! actions) and one agent's own interactions are read row by row. The arithmetic is
//! `core::fairness`.
//!
//! Organisation-wide figures take no actor: they do not depend on who asks, and the web
//! shell's guard decides who may ask. An agent's own numbers take the actor, because
//! they are the actor's.

use super::dashboard::{instant, month_starts, violation_rules};
use crate::{Caller, Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::fairness::{
    compare, evaluators, moments_by, per_1000, quartiles, relative_change, score_pct, spread,
    workloads, EvaluatorInput, EvaluatorStats, GroupScores, MeanCi, Moments, Quartiles, Spread,
    Workload, MIN_GROUP,
};
use righttrack_store::interactions::InteractionFilter;
use serde::Serialize;
use std::collections::BTreeMap;

/// The definitions, shown on the pages and returned in the JSON.
pub const DEFINITIONS: &[(&str, &str)] = &[
    ("QA score", "Points ÷ maximum of the scorecard, in whole percent, after any override or accepted dispute. A score of 80 % or more passes."),
    ("Difficult contact", "The customer was hostile: insulted, swore at or threatened the agent (rule context.hostile_customer on a customer turn)."),
    ("Unsocial hours", "Started before 08:00 or from 20:00 local time, or on a Saturday or Sunday; local time is the interaction's timezone, UTC when none was sent."),
    ("Gini", "0 when every agent carries the same load; towards 1 when one agent carries all of it. Computed over agents with at least one interaction; groups under 5 agents are not shown."),
    ("95 % confidence interval", "Mean ± t × standard deviation ÷ √n (Student's t): where the true mean probably lies. Intervals that overlap do not show a real difference."),
    ("Four-fifths screen", "A group's pass rate ÷ the best group's; under 0.8 the gap deserves a look. A screen, not a finding: it says nothing of why. Groups under 30 scored interactions are not screened."),
    ("Leniency", "The mean change an evaluator's reviews made to QA scores, minus the mean change of all evaluators, in points; positive is more lenient."),
    ("Overturn rate", "Disputes of an evaluator's scoring that were accepted ÷ disputes resolved; the engine's own scoring is listed as \"engine\"."),
    ("Calibration drift", "The evaluator's deviation from the group in the last calibration session minus in the first, in percent of the item maximum; towards zero is converging."),
];

/// The period: `months` whole calendar months, this one included.
pub struct Period {
    pub months: usize,
    pub from: String,
    pub to: String,
    pub start: Timestamp,
}

pub fn period(ctx: &Ctx, months: Option<&str>, default: usize) -> Result<Period> {
    let months = match months.map(str::trim).filter(|m| !m.is_empty()) {
        None => default,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=24).contains(&n) => n,
            _ => {
                return Err(Error::unprocessable(
                    "months: must be a whole number of months from 1 to 24",
                ))
            }
        },
    };
    let today = ctx.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let starts = month_starts(today, months)?;
    let start = instant(starts[0])?;
    Ok(Period {
        months,
        from: starts[0].strftime("%Y-%m").to_string(),
        to: starts[months - 1].strftime("%Y-%m").to_string(),
        start,
    })
}

/// An agent's shares are listed from this many interactions in the period.
pub const MIN_AGENT_INTERACTIONS: i64 = 10;

/// One agent among those carrying the most difficult contacts.
#[derive(Debug, Clone, Serialize)]
pub struct AgentLoad {
    pub agent: String,
    pub team: String,
    pub interactions: i64,
    pub difficult_share: f64,
    pub unsocial_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fairness {
    pub from: String,
    pub to: String,
    pub months: usize,
    pub organisation: Option<Spread>,
    pub teams: Vec<Spread>,
    /// Teams not shown: fewer than 5 agents.
    pub teams_withheld: usize,
    pub most_difficult: Vec<AgentLoad>,
    pub scores_by_team: Vec<GroupScores>,
    pub scores_by_site: Vec<GroupScores>,
    pub scores_by_evaluator: Vec<GroupScores>,
    pub evaluators: Vec<EvaluatorStats>,
    /// Agents' mean scores by team and by site (agents with at least
    /// `MIN_AGENT_INTERACTIONS` scored interactions; groups under 5 such agents left out).
    pub agent_means_by_team: Vec<(String, Quartiles)>,
    pub agent_means_by_site: Vec<(String, Quartiles)>,
}

pub fn label(s: &str, none: &str) -> String {
    if s.is_empty() {
        none.to_owned()
    } else {
        s.to_owned()
    }
}

pub const NO_TEAM: &str = "(no team)";
pub const NO_SITE: &str = "(team not in the directory)";

/// The evidence binder counts evaluators whose leniency is this many points from their
/// peers' or more.
pub const LENIENCY_NOTICE: f64 = 10.0;

#[derive(Debug, Clone, Serialize)]
pub struct RuleEffect {
    pub rule: String,
    pub description: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// (after − before) ÷ before, percent.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CohortRow {
    pub month: String,
    pub trained_agents: i64,
    pub untrained_agents: i64,
    pub trained: Option<f64>,
    pub untrained: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Effectiveness {
    pub course: Option<(String, String)>,
    pub courses: Vec<(String, String)>,
    pub window_months: i64,
    pub agents: i64,
    pub interactions_before: i64,
    pub interactions_after: i64,
    pub rules: Vec<RuleEffect>,
    pub cohorts: Vec<CohortRow>,
}

/// Months on each side of a completion, by default and at most.
pub const WINDOW: i64 = 3;
pub const MAX_WINDOW: i64 = 6;

pub fn window(w: Option<&str>) -> Result<i64> {
    match w.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(WINDOW),
        Some(w) => match w.parse::<i64>() {
            Ok(n) if (1..=MAX_WINDOW).contains(&n) => Ok(n),
            _ => Err(Error::unprocessable(format!(
                "window: must be a whole number of months from 1 to {MAX_WINDOW}"
            ))),
        },
    }
}

pub async fn effectiveness(
    ctx: &Ctx,
    course: Option<&str>,
    window: i64,
    p: &Period,
) -> Result<Effectiveness> {
    let courses: Vec<(String, String)> = ctx
        .db
        .training_courses()
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let course = match course.map(str::trim).filter(|c| !c.is_empty()) {
        Some(id) => Some(
            courses
                .iter()
                .find(|c| c.0 == id)
                .cloned()
                .ok_or_else(Error::not_found)?,
        ),
        None => courses.first().cloned(),
    };
    let mut out = Effectiveness {
        course: course.clone(),
        courses,
        window_months: window,
        agents: 0,
        interactions_before: 0,
        interactions_after: 0,
        rules: Vec::new(),
        cohorts: Vec::new(),
    };
    let Some((id, _)) = course else {
        return Ok(out);
    };
    let rules = violation_rules();
    let ba = ctx.db.training_before_after(&id, window, ctx.now()).await?;
    out.agents = ba.agents;
    out.interactions_before = ba.interactions_before;
    out.interactions_after = ba.interactions_after;
    out.rules = rules
        .iter()
        .map(|(rule, (_, description))| {
            let (b, a) = ba.rules.get(rule).copied().unwrap_or_default();
            let before = per_1000(b, ba.interactions_before, ba.agents);
            let after = per_1000(a, ba.interactions_after, ba.agents);
            RuleEffect {
                rule: rule.clone(),
                description: description.clone(),
                before,
                after,
                change: relative_change(before, after),
            }
        })
        .collect();
    out.cohorts = ctx
        .db
        .training_cohorts(&id, &p.from, &p.to)
        .await?
        .into_iter()
        .map(|c| CohortRow {
            trained: per_1000(
                c.trained_violations,
                c.trained_interactions,
                c.trained_agents,
            ),
            untrained: per_1000(
                c.untrained_violations,
                c.untrained_interactions,
                c.untrained_agents,
            ),
            month: c.month,
            trained_agents: c.trained_agents,
            untrained_agents: c.untrained_agents,
        })
        .collect();
    Ok(out)
}

/// One interaction behind the agent's score.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub ext_id: String,
    pub started_at: String,
    pub channel: String,
    pub score: i64,
    pub score_max: i64,
    pub pct: i64,
    /// Who set the score: the engine, or the evaluator of the latest override.
    pub evaluator: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MyNumbers {
    pub from: String,
    pub to: String,
    pub months: usize,
    pub team: String,
    pub moments: Moments,
    pub mean: Option<MeanCi>,
    pub pass_rate: Option<f64>,
    pub team_mean: Option<MeanCi>,
    pub team_pass_rate: Option<f64>,
    pub interactions: i64,
    pub difficult: i64,
    pub unsocial: i64,
    /// Per agent of the team (5 agents or more).
    pub team_difficult_per_agent: Option<f64>,
    pub team_unsocial_per_agent: Option<f64>,
    pub inputs: Vec<Input>,
    /// Inputs listed (newest first) when fewer than all.
    pub inputs_truncated: bool,
}

/// Inputs listed at most.
const MAX_INPUTS: i64 = 500;

pub async fn my_numbers(ctx: &Ctx, actor: &Caller, p: &Period) -> Result<MyNumbers> {
    let me = actor.user.username.as_str();
    let rows = ctx.db.agent_monthly(&p.from, &p.to, Some(me)).await?;
    let mut mine = Moments::default();
    let (mut difficult, mut unsocial) = (0, 0);
    let mut per_team: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &rows {
        mine.add(&Moments {
            n: r.interactions,
            sum: r.score_sum,
            sq: r.score_sq,
            passed: r.passed,
        });
        difficult += r.difficult;
        unsocial += r.unsocial;
        *per_team.entry(r.team_ref.as_str()).or_default() += r.interactions;
    }
    let team = per_team
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(t, _)| (*t).to_owned())
        .unwrap_or_default();
    let totals = ctx.db.agent_totals_in_team(&p.from, &p.to, &team).await?;
    let team_scores = moments_by(&totals, |r| r.team.clone())
        .into_iter()
        .find(|(t, _)| *t == team)
        .map(|(_, m)| m)
        .unwrap_or_default();
    let mates: Vec<Workload> = workloads(&totals)
        .into_iter()
        .filter(|w| w.team == team)
        .collect();
    let enough = mates.len() >= MIN_GROUP;
    let per_agent = |f: fn(&Workload) -> i64| {
        enough.then(|| mates.iter().map(f).sum::<i64>() as f64 / mates.len() as f64)
    };
    let reviewers = ctx.db.last_reviewers(me, p.start).await?;
    let listed = ctx
        .db
        .list_interactions(&InteractionFilter {
            flagged_only: false,
            agent_refs: None,
            agent_ref: Some(me.to_owned()),
            team_ref: None,
            rule: None,
            min_severity: None,
            from: Some(p.start),
            to: None,
            before: None,
            limit: MAX_INPUTS,
        })
        .await?;
    let inputs: Vec<Input> = listed
        .into_iter()
        .map(|i| Input {
            pct: score_pct(i.score, i.score_max),
            evaluator: reviewers
                .get(&i.ext_id)
                .cloned()
                .unwrap_or_else(|| "engine".to_owned()),
            started_at: righttrack_core::clock::minute(i.started_at),
            channel: i.channel,
            score: i.score,
            score_max: i.score_max,
            ext_id: i.ext_id,
        })
        .collect();
    Ok(MyNumbers {
        from: p.from.clone(),
        to: p.to.clone(),
        months: p.months,
        team,
        mean: mine.mean_ci(),
        pass_rate: mine.pass_rate(),
        team_mean: team_scores.mean_ci(),
        team_pass_rate: team_scores.pass_rate(),
        interactions: mine.n,
        difficult,
        unsocial,
        team_difficult_per_agent: per_agent(|w| w.difficult),
        team_unsocial_per_agent: per_agent(|w| w.unsocial),
        inputs_truncated: (inputs.len() as i64) < mine.n,
        inputs,
        moments: mine,
    })
}

/// The organisation-wide analytics over period `p`.
pub async fn analytics(ctx: &Ctx, p: &Period) -> Result<Fairness> {
    // One scan of the per-agent totals serves every section below.
    let totals = ctx.db.agent_totals(&p.from, &p.to).await?;
    let sites = ctx.db.team_sites().await?;
    let site_of = |team: &str| {
        sites
            .get(team)
            .cloned()
            .unwrap_or_else(|| NO_SITE.to_owned())
    };
    let loads = workloads(&totals);
    let all: Vec<&Workload> = loads.iter().collect();
    let mut by_team: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
    for w in &loads {
        by_team.entry(w.team.as_str()).or_default().push(w);
    }
    let mut teams = Vec::new();
    let mut teams_withheld = 0;
    for (t, ws) in &by_team {
        match spread(&label(t, NO_TEAM), ws) {
            Some(s) => teams.push(s),
            None => teams_withheld += 1,
        }
    }
    let mut most_difficult: Vec<AgentLoad> = loads
        .iter()
        .filter(|w| w.interactions >= MIN_AGENT_INTERACTIONS && w.difficult > 0)
        .map(|w| AgentLoad {
            agent: w.agent.clone(),
            team: w.team.clone(),
            interactions: w.interactions,
            difficult_share: w.difficult as f64 / w.interactions as f64 * 100.0,
            unsocial_share: w.unsocial as f64 / w.interactions as f64 * 100.0,
        })
        .collect();
    most_difficult.sort_by(|a, b| {
        b.difficult_share
            .total_cmp(&a.difficult_share)
            .then_with(|| a.agent.cmp(&b.agent))
    });
    most_difficult.truncate(10);

    let scores_by_team = compare(moments_by(&totals, |r| label(&r.team, NO_TEAM)));
    let scores_by_site = compare(moments_by(&totals, |r| site_of(&r.team)));

    let mut team_means: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut site_means: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &totals {
        let m = &r.scores;
        if m.n < MIN_AGENT_INTERACTIONS {
            continue;
        }
        let mean = m.sum as f64 / m.n as f64;
        team_means
            .entry(label(&r.team, NO_TEAM))
            .or_default()
            .push(mean);
        site_means.entry(site_of(&r.team)).or_default().push(mean);
    }
    let five = |m: BTreeMap<String, Vec<f64>>| -> Vec<(String, Quartiles)> {
        m.into_iter()
            .filter_map(|(l, v)| quartiles(&v).map(|q| (l, q)))
            .collect()
    };

    let reviews = ctx.db.reviews_since(p.start).await?;
    let outcomes = ctx.db.dispute_outcomes_since(p.start).await?;
    let mut inputs: BTreeMap<String, EvaluatorInput> = BTreeMap::new();
    let entry = |inputs: &mut BTreeMap<String, EvaluatorInput>, name: &str| {
        inputs
            .entry(name.to_owned())
            .or_insert_with(|| EvaluatorInput {
                evaluator: name.to_owned(),
                ..Default::default()
            })
            .reviewed
            .len()
    };
    for r in &reviews {
        entry(&mut inputs, &r.evaluator);
        if let Some(e) = inputs.get_mut(&r.evaluator) {
            e.reviewed.push((
                score_pct(r.engine_score, r.score_max),
                score_pct(r.score, r.score_max),
            ));
        }
    }
    for o in &outcomes {
        let name = label(&o.evaluator, "engine");
        entry(&mut inputs, &name);
        if let Some(e) = inputs.get_mut(&name) {
            e.disputes_resolved += o.resolved;
            e.disputes_accepted += o.accepted;
        }
    }
    for c in ctx.db.calibrations_for("", true, 24).await? {
        let Some(closed) = c.closed_at else { continue };
        let computed = crate::qa::calibration::compute(ctx, &c).await?;
        for l in computed.results.analysts {
            let Some(d) = l.vs_group else { continue };
            entry(&mut inputs, &l.analyst);
            if let Some(e) = inputs.get_mut(&l.analyst) {
                e.calibration.push((c.name.clone(), closed, d));
            }
        }
    }
    let inputs: Vec<EvaluatorInput> = inputs.into_values().collect();
    let scores_by_evaluator = compare(
        inputs
            .iter()
            .filter(|e| !e.reviewed.is_empty())
            .map(|e| {
                (
                    e.evaluator.clone(),
                    Moments::of(e.reviewed.iter().map(|r| r.1)),
                )
            })
            .collect(),
    );
    Ok(Fairness {
        from: p.from.clone(),
        to: p.to.clone(),
        months: p.months,
        organisation: spread("Whole organisation", &all),
        teams,
        teams_withheld,
        most_difficult,
        scores_by_team,
        scores_by_site,
        scores_by_evaluator,
        evaluators: evaluators(&inputs),
        agent_means_by_team: five(team_means),
        agent_means_by_site: five(site_means),
    })
}

/// The analytics over the last twelve months (the evidence binder's period).
pub async fn twelve_months(ctx: &Ctx) -> Result<Fairness> {
    analytics(ctx, &period(ctx, None, 12)?).await
}
