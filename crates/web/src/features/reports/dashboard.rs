//! The ethics-health dashboard: `GET /dashboard` (page) and `GET /api/v1/dashboard`
//! (the same indicators as JSON), both behind `Action::DashboardRead`.
//!
//! Twelve months up to the current one (UTC). Interaction figures come from the monthly
//! totals (`store::dashboard`), never from transcripts, so a page costs a handful of
//! small queries whatever the number of interactions; `?team=` narrows them to one team
//! (the drill-down). Hotline figures are trailing twelve months and count, as the
//! hotline analytics do, only the cases the viewer holds a key to plus destroyed cases'
//! statistics. The arithmetic and the withholding rules are `core::dashboard`; the
//! charts are `core::charts`.
//!
//! The "Ethics program" section: attestation and training coverage as they stood at
//! each month's end (grouped queries, `store::dashboard`; `?team=` narrows them to the
//! people of the team of that name in the directory), the released organisation-wide
//! climate indices of the survey waves closed in each month (through
//! `surveys::released_indices`, so only what a wave's release plan releases), and
//! corrective actions. Climate and corrective actions are organisation-wide only.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::pages::{layout, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use jiff::Timestamp;
use righttrack_app::reports::dashboard::{
    instant, label, month_starts, violation_rules, Dashboard, RuleRate, TeamSlice, COUNTED, MONTHS,
};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::charts::{figure, Band, Trend};
use righttrack_core::dashboard::{
    attestation_indicators, capa_indicators, climate_indicators, hotline_indicators,
    interaction_indicators, kept_indicator, training_indicators, Indicator, InteractionMonth,
    WaveClimate, MIN_INTERACTIONS,
};
use righttrack_core::surveys::WaveStatus;
use righttrack_store::dashboard::{MonthlyRow, EXPOSED, FLAGGED, INTERACTIONS, RULE_PREFIX};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    team: Option<String>,
}

pub async fn build(state: &AppState, caller: &Caller, team: Option<&str>) -> AppResult<Dashboard> {
    let today = state.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let starts = month_starts(today, MONTHS)?;
    let labels: Vec<String> = starts[..MONTHS].iter().map(|d| label(*d)).collect();
    let rows = state
        .db
        .interaction_monthly(&labels[0], &labels[MONTHS - 1])
        .await?;

    let mut teams: BTreeMap<&str, i64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.metric == INTERACTIONS) {
        *teams.entry(r.team_ref.as_str()).or_default() += r.value;
    }
    let team = team.map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = team {
        // A team of the interactions (as sent) or of the directory (its people's
        // coverage); the same name means the same team.
        if !teams.contains_key(t) && !state.db.list_teams().await?.iter().any(|d| d.name == t) {
            return Err(AppError::not_found());
        }
    }
    let in_scope = |r: &&MonthlyRow| team.is_none_or(|t| r.team_ref == t);
    let idx: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut months = vec![InteractionMonth::default(); MONTHS];
    let mut per_rule: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let rules = violation_rules();
    for r in rows.iter().filter(in_scope) {
        let Some(&i) = idx.get(r.month.as_str()) else {
            continue;
        };
        let m = &mut months[i];
        match r.metric.as_str() {
            INTERACTIONS => m.interactions += r.value,
            FLAGGED => m.flagged += r.value,
            EXPOSED => m.exposed += r.value,
            other => {
                if let Some(rule) = other.strip_prefix(RULE_PREFIX) {
                    if rules.contains_key(rule) {
                        m.violations += r.value;
                        per_rule.entry(rule).or_insert_with(|| vec![0; MONTHS])[i] += r.value;
                    }
                }
            }
        }
    }
    let total: i64 = months.iter().map(|m| m.interactions).sum();
    let rate = |n: i64, d: i64| (d >= MIN_INTERACTIONS).then(|| n as f64 / d as f64 * 1000.0);
    let mut rule_rates: Vec<RuleRate> = per_rule
        .into_iter()
        .map(|(rule, counts)| {
            let (kind, description) = rules.get(rule).cloned().unwrap_or_default();
            RuleRate {
                rule: rule.to_owned(),
                kind,
                description,
                per_1000: rate(counts.iter().sum(), total),
                monthly: counts
                    .iter()
                    .zip(&months)
                    .map(|(n, m)| rate(*n, m.interactions))
                    .collect(),
            }
        })
        .collect();
    rule_rates.sort_by(|a, b| {
        b.per_1000
            .unwrap_or(-1.0)
            .total_cmp(&a.per_1000.unwrap_or(-1.0))
            .then_with(|| a.rule.cmp(&b.rule))
    });

    let (commitments, hotline, headcount) = if team.is_some() {
        (None, Vec::new(), 0)
    } else {
        let bounds: Vec<Timestamp> = starts
            .iter()
            .map(|d| instant(*d))
            .collect::<righttrack_app::Result<_>>()?;
        let kept = kept_indicator(&state.db.commitments_closed(&bounds).await?);
        // Eleven more months before the first shown, for the trailing twelve.
        let long = month_starts(today, MONTHS + 11)?;
        let long: Vec<Timestamp> = long
            .iter()
            .map(|d| instant(*d))
            .collect::<righttrack_app::Result<_>>()?;
        let cases = state
            .db
            .cases_by_period(caller.user.id, &long, state.now())
            .await?;
        let headcount = state.db.active_headcount().await?;
        (Some(kept), hotline_indicators(&cases, headcount), headcount)
    };

    // The program figures as at each month's end: the first month's start, then the
    // start of each next month, the current month ending now.
    let mut ends: Vec<Timestamp> = starts[..MONTHS]
        .iter()
        .map(|d| instant(*d))
        .collect::<righttrack_app::Result<_>>()?;
    ends.push(
        state
            .now()
            .checked_add(jiff::SignedDuration::from_millis(1))
            .map_err(|e| AppError::internal(&e))?,
    );
    let mut coverage = attestation_indicators(&state.db.attestation_coverage(&ends, team).await?);
    coverage.extend(training_indicators(
        &state.db.training_coverage(&ends, team).await?,
    ));
    let (climate, capa) = if team.is_some() {
        (Vec::new(), Vec::new())
    } else {
        let climate = if allowed(&caller.user.roles, Action::SurveyResults) {
            climate_indicators(MONTHS, &climate(state, &ends).await?)
        } else {
            Vec::new()
        };
        (
            climate,
            capa_indicators(&state.db.capa_by_month(&ends).await?),
        )
    };

    Ok(Dashboard {
        months: labels,
        team: team.map(str::to_owned),
        interactions: interaction_indicators(&months),
        rules: rule_rates,
        commitments,
        hotline,
        teams: teams
            .into_iter()
            .map(|(t, n)| TeamSlice {
                team: t.to_owned(),
                interactions: n,
            })
            .collect(),
        headcount,
        coverage,
        climate,
        capa,
    })
}

/// The released organisation-wide indices of the waves closed within `ends` (the first
/// month's start .. now), each with the month it closed in: its closing date, or the
/// day it was closed early. (A wave past its closing date is closed on the next look at
/// it, which may be much later; its answers were in by the closing date.)
async fn climate(state: &AppState, ends: &[Timestamp]) -> AppResult<Vec<WaveClimate>> {
    let mut out = Vec::new();
    for w in state.db.waves(None).await? {
        let Some(closed_at) = w.closed_at.filter(|_| w.status == WaveStatus::Closed) else {
            continue;
        };
        let closed = match instant(w.closes_on) {
            Ok(planned) if planned < closed_at => planned,
            _ => closed_at,
        };
        let Some(month) = ends
            .windows(2)
            .position(|b| closed >= b[0] && closed < b[1])
        else {
            continue;
        };
        let indices = righttrack_app::program::surveys::released_indices(state, &w)
            .await?
            .unwrap_or_default();
        out.push(WaveClimate {
            month,
            closed_at: closed.as_millisecond(),
            indices,
        });
    }
    Ok(out)
}

/// `GET /api/v1/dashboard?team=`.
pub async fn api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Json<Value>> {
    let d = build(&state, &caller, q.team.as_deref()).await?;
    let mut indicators: Vec<&Indicator> = d.interactions.iter().collect();
    indicators.extend(d.commitments.iter());
    indicators.extend(d.hotline.iter());
    indicators.extend(d.coverage.iter());
    indicators.extend(d.climate.iter());
    indicators.extend(d.capa.iter());
    Ok(Json(json!({
        "months": d.months,
        "team": d.team,
        "counted": COUNTED,
        "min_interactions": MIN_INTERACTIONS,
        "headcount": d.headcount,
        "indicators": indicators.iter().map(|i| json!({
            "key": i.key,
            "title": i.title,
            "unit": i.unit,
            "latest": i.latest(),
            "values": i.values,
            "withheld_when": i.withheld_when,
            "benchmark": i.benchmark,
            "formula": i.formula,
        })).collect::<Vec<_>>(),
        "rules": d.rules,
        "teams": d.teams,
    })))
}

/// One card of the page.
struct Card {
    key: &'static str,
    title: &'static str,
    latest: String,
    benchmark: String,
    svg: String,
    formula: &'static str,
    withheld_when: String,
    rows: Vec<(String, String)>,
    drill: Option<(String, &'static str)>,
}

fn card(i: &Indicator, months: &[String], drill: Option<(String, &'static str)>) -> Card {
    let shown = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{}{}", figure(v), i.unit));
    Card {
        key: i.key,
        title: i.title,
        latest: shown(i.latest()),
        benchmark: i.benchmark.map(|b| b.source.to_owned()).unwrap_or_default(),
        svg: Trend {
            title: i.title,
            labels: months,
            values: &i.values,
            band: i.benchmark.map(|b| Band {
                low: b.low,
                high: b.high,
                label: b.source,
            }),
            unit: i.unit,
        }
        .svg(),
        formula: i.formula,
        withheld_when: i.withheld_when.clone(),
        rows: months
            .iter()
            .zip(&i.values)
            .map(|(m, v)| (m.clone(), shown(*v)))
            .collect(),
        drill,
    }
}

struct RuleView {
    rule: String,
    description: String,
    per_1000: String,
    latest: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    l: crate::pages::Layout,
    counted: &'static str,
    team: String,
    interactions: Vec<Card>,
    commitments: Option<Card>,
    hotline: Vec<Card>,
    rules: Vec<RuleView>,
    teams: Vec<(String, String, i64)>,
    min_interactions: i64,
    headcount: u64,
    program: Vec<Card>,
}

/// `GET /dashboard?team=`.
pub async fn page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let d = build(&state, &caller, q.team.as_deref()).await?;
    let review = Some(("/qa/review".to_owned(), "Review queue"));
    let interactions = d
        .interactions
        .iter()
        .map(|i| {
            let drill = match i.key {
                "exposures_per_1000" | "flagged_share" | "violations_per_1000" => review.clone(),
                _ => None,
            };
            card(i, &d.months, drill)
        })
        .collect();
    let opt = |v: Option<f64>| v.map_or("—".to_owned(), figure);
    Ok(render(Page {
        l: layout(Some(&caller), "Dashboard", "/dashboard"),
        counted: COUNTED,
        team: d.team.clone().unwrap_or_default(),
        interactions,
        commitments: d.commitments.as_ref().map(|i| {
            card(
                i,
                &d.months,
                Some(("/commitments".to_owned(), "Commitments ledger")),
            )
        }),
        hotline: d
            .hotline
            .iter()
            .map(|i| {
                card(
                    i,
                    &d.months,
                    Some(("/speakup/analytics".to_owned(), "Hotline analytics")),
                )
            })
            .collect(),
        rules: d
            .rules
            .iter()
            .map(|r| RuleView {
                rule: r.rule.clone(),
                description: r.description.clone(),
                per_1000: opt(r.per_1000),
                latest: opt(r.monthly.last().copied().flatten()),
            })
            .collect(),
        teams: d
            .teams
            .iter()
            .map(|t| {
                let name = if t.team.is_empty() {
                    "(no team)".to_owned()
                } else {
                    t.team.clone()
                };
                (name, crate::routes::urlencode(&t.team), t.interactions)
            })
            .collect(),
        min_interactions: MIN_INTERACTIONS,
        headcount: d.headcount,
        program: program_cards(&d, &caller),
    }))
}

/// The "Ethics program" cards, each linking to the report behind it when the viewer
/// may open that report.
fn program_cards(d: &Dashboard, caller: &Caller) -> Vec<Card> {
    let may = |a: Action| allowed(&caller.user.roles, a);
    let link = |a: Action, href: &str, text: &'static str| may(a).then(|| (href.to_owned(), text));
    d.coverage
        .iter()
        .chain(&d.climate)
        .chain(&d.capa)
        .map(|i| {
            let drill = if i.key.starts_with("attestation") {
                link(
                    Action::PolicyReport,
                    "/policies/reports",
                    "Attestation reports",
                )
            } else if i.key.starts_with("training") {
                link(
                    Action::TrainingReport,
                    "/training/reports",
                    "Training reports",
                )
            } else if i.key.starts_with("climate") {
                link(Action::SurveyResults, "/surveys", "Survey results")
            } else {
                link(Action::CapaManage, "/capa", "Corrective actions")
            };
            card(i, &d.months, drill)
        })
        .collect()
}
