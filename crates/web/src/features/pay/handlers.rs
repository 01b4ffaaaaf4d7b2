//! Pay equity over HTTP: the report page and its CSV and JSON twins, the HR import form,
//! the collection setting, and an employee's own category. The use cases are
//! `righttrack_app::program::pay`; the arithmetic is `righttrack_core::pay`.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Query, SignedIn};
use crate::pages::{csv_download, layout, render, unprocessable_if, FormData};
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::pay::{self, Imported, PayReport};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::pay::opportunity::{Comparison, Rate, FOUR_FIFTHS_PCT};
use righttrack_core::pay::{Band, CategoryAverages, Figure, Gaps, ASSESSMENT_GAP, MIN_GROUP};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// One figure as the page shows it: a number with one decimal, or why it is not shown.
fn pct(f: Option<f64>) -> String {
    f.map_or_else(|| "—".into(), |v| format!("{v:.1} %"))
}

fn mean(f: &Figure<Gaps>) -> String {
    f.shown()
        .map_or_else(too_few, |g| format!("{:.1} %", g.mean))
}

fn median(f: &Figure<Gaps>) -> String {
    f.shown()
        .map_or_else(too_few, |g| format!("{:.1} %", g.median))
}

fn too_few() -> String {
    format!("not shown (fewer than {MIN_GROUP} women or men)")
}

struct CategoryRow {
    name: String,
    women: usize,
    men: usize,
    basic: String,
    variable: String,
    total: String,
    adjusted: String,
    explanation: String,
    due: bool,
}

struct ReportView {
    period: String,
    women: usize,
    men: usize,
    not_compared: usize,
    pay_mean: String,
    pay_median: String,
    variable_mean: String,
    variable_median: String,
    receiving: String,
    quartiles: Vec<Band>,
    categories: Vec<CategoryRow>,
    previous_period: Option<String>,
    opportunity: Vec<MeasureRow>,
    time_to_promotion: Option<String>,
}

/// One opportunity measure as the page shows it.
struct MeasureRow {
    label: &'static str,
    basis: &'static str,
    women: String,
    men: String,
    ratio: String,
    flagged: bool,
}

/// `2 of 10: 20.0 % (5.7 to 51.0 %)`.
fn rate(r: &Rate) -> String {
    format!(
        "{} of {}: {:.1} % ({:.1} to {:.1} %)",
        r.yes, r.of, r.pct, r.low, r.high
    )
}

fn measure_row(label: &'static str, basis: &'static str, f: &Figure<Comparison>) -> MeasureRow {
    let shown = f.shown();
    MeasureRow {
        label,
        basis,
        women: shown.map_or_else(too_few, |c| rate(&c.women)),
        men: shown.map_or_else(too_few, |c| rate(&c.men)),
        ratio: match shown {
            Some(c) => match (c.impact_ratio, c.lower) {
                (Some(r), Some(lower)) => format!("{r:.2} ({lower} lower)"),
                (Some(r), None) => format!("{r:.2}"),
                (None, _) => "—".into(),
            },
            None => "—".into(),
        },
        flagged: shown.is_some_and(|c| c.below_four_fifths),
    }
}

fn report_view(pr: &PayReport) -> ReportView {
    let r = &pr.gaps;
    let o = &pr.opportunity;
    ReportView {
        previous_period: o.previous_period.clone(),
        opportunity: o
            .measures
            .iter()
            .map(|m| measure_row(m.label, m.basis, &m.figure))
            .collect(),
        time_to_promotion: o.time_to_promotion.as_ref().map(|f| {
            f.shown().map_or_else(too_few, |t| {
                format!(
                    "women {:.1} years, men {:.1} years",
                    t.women_years, t.men_years
                )
            })
        }),
        period: r.period.clone(),
        women: r.women,
        men: r.men,
        not_compared: r.not_compared,
        pay_mean: mean(&r.pay),
        pay_median: median(&r.pay),
        variable_mean: mean(&r.variable),
        variable_median: median(&r.variable),
        receiving: r
            .receiving_variable
            .shown()
            .map_or_else(too_few, |(w, m)| format!("women {w:.1} %, men {m:.1} %")),
        quartiles: r.quartiles.shown().cloned().unwrap_or_default(),
        categories: r
            .categories
            .iter()
            .map(|c| {
                let adj = c.adjusted.shown();
                CategoryRow {
                    name: c.name.clone(),
                    women: c.women,
                    men: c.men,
                    basic: mean(&c.basic),
                    variable: mean(&c.variable),
                    total: mean(&c.total),
                    adjusted: adj.map_or_else(too_few, |a| match (a.gap, a.low, a.high) {
                        (Some(g), Some(l), Some(h)) => {
                            format!("{g:.1} % ({} to {})", pct(Some(l)), pct(Some(h)))
                        }
                        _ => "cannot be separated from grade".into(),
                    }),
                    explanation: adj.map(|a| a.explanation.clone()).unwrap_or_default(),
                    due: c.assessment_due,
                }
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "pay.html")]
struct Page {
    l: crate::pages::Layout,
    manage: bool,
    collect_sex: bool,
    periods: Vec<(String, i64)>,
    report: Option<ReportView>,
    message: Option<String>,
    errors: Vec<String>,
    /// What was typed into the import form, kept when it is refused.
    csv: String,
    threshold: f64,
    four_fifths: f64,
    columns: &'static str,
}

async fn page_with(
    state: &AppState,
    caller: &Caller,
    period: Option<String>,
    message: Option<String>,
    errors: Vec<String>,
    csv: String,
) -> AppResult<Response> {
    let o = pay::overview(state).await?;
    let period = o.choose(period);
    let report = match &period {
        Some(p) => match pay::gap_report(state, caller, p).await {
            Ok(r) => Some(report_view(&r)),
            Err(e) if e.kind == righttrack_app::Kind::NotFound => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let invalid = !errors.is_empty();
    let page = Page {
        l: layout(Some(caller), "Pay equity", "/pay"),
        manage: allowed(&caller.user.roles, Action::PayManage),
        collect_sex: o.collect_sex,
        periods: o.periods,
        report,
        message,
        errors,
        csv,
        threshold: ASSESSMENT_GAP,
        four_fifths: FOUR_FIFTHS_PCT,
        columns: righttrack_core::pay::import::COLUMNS,
    };
    Ok(unprocessable_if(invalid, render(page)))
}

/// `GET /pay?period=…`: the latest period unless one is asked for.
pub async fn page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    page_with(&state, &caller, q.period, None, Vec::new(), String::new()).await
}

/// `POST /pay/import`: the file's text from the form; refused lines are listed and,
/// when nothing could be stored, the text is kept in the form.
pub async fn import_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let text = form.get("csv");
    match pay::import_file(&state, &caller, &text).await {
        Ok(Imported {
            stored,
            replaced,
            errors,
        }) => {
            let msg = format!(
                "Import: {stored} lines stored ({replaced} replaced an earlier line), {} refused.",
                errors.len()
            );
            page_with(&state, &caller, None, Some(msg), errors, String::new()).await
        }
        Err(e) if e.kind == righttrack_app::Kind::Unprocessable => {
            page_with(&state, &caller, None, None, vec![e.message], text).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /pay/settings`.
pub async fn settings_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let on = match form.get("collect_sex").as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return Err(AppError::from(
                righttrack_app::Error::bad_request("Collect sex: choose on or off")
                    .on("Collect sex"),
            ))
        }
    };
    pay::set_collect_sex(&state, &caller, on).await?;
    Ok(Redirect::to("/pay").into_response())
}

/// The period asked for, or the latest on file; not found when there is none.
async fn period_or_latest(state: &AppState, period: Option<String>) -> AppResult<String> {
    pay::overview(state)
        .await?
        .choose(period)
        .ok_or_else(|| righttrack_app::Error::not_found().into())
}

/// `GET /pay/report.csv?period=…`.
pub async fn report_csv(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let period = period_or_latest(&state, q.period).await?;
    let r = pay::gap_report(&state, &caller, &period).await?;
    let name = format!(
        "pay-gap-{}.csv",
        period.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
    );
    Ok(csv_download(&name, pay::report_csv(&r)))
}

/// `GET /api/v1/pay/report?period=…`.
pub async fn report_api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<PayReport>> {
    let period = period_or_latest(&state, q.period).await?;
    Ok(Json(pay::gap_report(&state, &caller, &period).await?))
}

/// `POST /api/v1/pay/import`: the HR file as the body.
pub async fn import_api(
    SignedIn { state, caller }: SignedIn,
    body: String,
) -> AppResult<Json<Imported>> {
    Ok(Json(pay::import_file(&state, &caller, &body).await?))
}

#[derive(Template)]
#[template(path = "pay_mine.html")]
struct MinePage {
    l: crate::pages::Layout,
    periods: Vec<String>,
    period: Option<String>,
    category: Option<String>,
    averages: Option<CategoryAverages>,
    suppressed: bool,
    min_group: usize,
}

/// `GET /pay/mine?period=…`: the caller's category's averages by sex.
pub async fn mine(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let o = pay::overview(&state).await?;
    let period = o.choose(q.period);
    let periods: Vec<String> = o.periods.into_iter().map(|(p, _)| p).collect();
    let answer = match &period {
        Some(p) => match pay::my_category(&state, &caller, p).await {
            Ok(a) => Some(a),
            Err(e) if e.kind == righttrack_app::Kind::NotFound => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok(render(MinePage {
        l: layout(Some(&caller), "My pay category", "/pay/mine"),
        periods,
        period,
        category: answer.as_ref().map(|(c, _)| c.clone()),
        averages: answer.as_ref().and_then(|(_, f)| f.shown().copied()),
        suppressed: matches!(answer, Some((_, Figure::TooFew))),
        min_group: MIN_GROUP,
    }))
}

/// `GET /api/v1/pay/mine?period=…`.
pub async fn mine_api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Value>> {
    let period = period_or_latest(&state, q.period).await?;
    let (category, answer) = pay::my_category(&state, &caller, &period).await?;
    Ok(Json(
        json!({"period": period, "category": category, "averages": answer}),
    ))
}
