//! Hotline analytics: `GET /speakup/analytics` (page) and `GET /api/v1/speakup/analytics`
//! (JSON), both behind `Action::HotlineAnalytics`.
//!
//! The figures are NAVEX's benchmark set (`righttrack_core::hotline_stats`) over a
//! period of whole UTC days (`from`, `to`, both included; by default the 365 days up to
//! today), counting only the cases the viewer holds a key wrap for, plus destroyed
//! cases' statistics (`store::speakup_stats`). So two viewers may see different
//! numbers, and a viewer excluded from a case by a conflict of interest does not learn
//! of it from a count. Groups under five cases show the words "fewer than 5", never a
//! number.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Query, SignedIn};
use crate::pages::{layout, render};
use crate::params::period;
use crate::state::AppState;
use askama::Template;
use axum::response::Response;
use axum::Json;
use jiff::civil::Date;
use righttrack_core::hotline_stats::{Figures, Group, Report, MIN_GROUP};
use serde::Deserialize;
use serde_json::{json, Value};

/// What is counted, said on the page and in the JSON.
pub const COUNTED: &str = "Only the cases you can read are counted: a case you are excluded from (a conflict of interest) is not counted for you. The statistics of destroyed cases are counted for everyone.";

/// Default period: the last 365 days, today included.
const DEFAULT_DAYS: i64 = 365;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

struct Analytics {
    from: Date,
    to: Date,
    days: i64,
    headcount: u64,
    report: Report,
}

async fn analytics(state: &AppState, caller: &Caller, q: &PeriodQuery) -> AppResult<Analytics> {
    let today = state.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let p = period(&q.from, &q.to, today, DEFAULT_DAYS)?;
    let a = righttrack_app::hotline::analytics::analytics(state, caller, p.start, p.end).await?;
    Ok(Analytics {
        from: p.from,
        to: p.to,
        days: a.days,
        headcount: a.headcount,
        report: a.report,
    })
}

/// `GET /api/v1/speakup/analytics?from=&to=`.
pub async fn api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Value>> {
    let a = analytics(&state, &caller, &q).await?;
    Ok(Json(json!({
        "from": a.from.to_string(),
        "to": a.to.to_string(),
        "days": a.days,
        "headcount": a.headcount,
        "counted": COUNTED,
        "min_group": MIN_GROUP,
        "overall": a.report.overall,
        "categories": a.report.categories,
    })))
}

/// One line of the page: figures as text, or the reason there are none.
struct Row {
    name: String,
    /// Why nothing is shown; empty when shown.
    suppressed: &'static str,
    cases: String,
    per_100: String,
    anonymous: String,
    follow_up: String,
    substantiated: String,
    median: String,
    p90: String,
}

const NONE: &str = "—";

fn percent(v: Option<f64>) -> String {
    v.map_or(NONE.into(), |v| format!("{:.0}%", v * 100.0))
}

fn days(v: Option<f64>) -> String {
    v.map_or(NONE.into(), |v| format!("{v:.1}"))
}

fn row(name: String, g: &Group) -> Row {
    let empty = Figures {
        cases: 0,
        reports_per_100_employees: None,
        anonymous_share: 0.0,
        anonymous_follow_up_rate: None,
        substantiation_rate: None,
        median_days_to_close: None,
        p90_days_to_close: None,
    };
    let (f, suppressed) = match (g.figures(), g.reason()) {
        (Some(f), _) => (f, ""),
        (None, reason) => (&empty, reason.unwrap_or_default()),
    };
    Row {
        name,
        suppressed,
        cases: f.cases.to_string(),
        per_100: f
            .reports_per_100_employees
            .map_or(NONE.into(), |v| format!("{v:.2}")),
        anonymous: percent(Some(f.anonymous_share)),
        follow_up: percent(f.anonymous_follow_up_rate),
        substantiated: percent(f.substantiation_rate),
        median: days(f.median_days_to_close),
        p90: days(f.p90_days_to_close),
    }
}

/// `data_misuse` → "Data misuse". Category keys are configurable; their labels live in
/// the hotline's category settings, which may name a key this period no longer offers.
fn label(key: &str) -> String {
    let words = key.replace('_', " ");
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "speakup_analytics.html")]
struct Page {
    l: crate::pages::Layout,
    from: String,
    to: String,
    days: i64,
    headcount: u64,
    counted: &'static str,
    overall: Row,
    categories: Vec<Row>,
}

/// `GET /speakup/analytics?from=&to=`.
pub async fn page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let a = analytics(&state, &caller, &q).await?;
    Ok(render(Page {
        l: layout(Some(&caller), "Hotline analytics", "/speakup/analytics"),
        from: a.from.to_string(),
        to: a.to.to_string(),
        days: a.days,
        headcount: a.headcount,
        counted: COUNTED,
        overall: row("All categories".into(), &a.report.overall),
        categories: a
            .report
            .categories
            .iter()
            .map(|c| row(label(&c.category), &c.group))
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_keys_read_as_words() {
        assert_eq!(label("data_misuse"), "Data misuse");
        assert_eq!(label("fraud"), "Fraud");
        assert_eq!(label(""), "");
    }
}
