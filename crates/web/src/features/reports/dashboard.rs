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
//!
//! Gathering the figures is a use case (`righttrack_app::reports::dashboard::build`);
//! this module parses the query and renders them as cards or JSON.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Query, SignedIn};
use crate::pages::{layout, render};
use askama::Template;
use axum::response::Response;
use axum::Json;
use righttrack_app::reports::dashboard::{build, Dashboard, COUNTED};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::charts::{figure, Band, Trend};
use righttrack_core::dashboard::{Indicator, MIN_INTERACTIONS};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    team: Option<String>,
}

/// `GET /api/v1/dashboard?team=`.
pub async fn api(
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
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
