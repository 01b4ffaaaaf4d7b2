//! Pay equity: importing an HR pay file, the Article 9 report with its Article 10
//! screen, and an employee's Article 7 request (`core::pay` holds the arithmetic).
//!
//! A line's amounts, hours, grade, years of service and sex are sealed together before
//! they are stored (purpose [`PURPOSE`]) and opened only to compute a report; each
//! computation that opens them is audited with the period and who asked, never a figure.
//! Sex is refused at import unless the organisation has enabled collecting it, and
//! turning collection off does not delete what was imported (a new import of the period
//! replaces it).

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::pay::opportunity::{opportunity, Opportunity};
use righttrack_core::pay::{
    averages_for, import, report, CategoryAverages, Figure, Record, Report, Sex,
};
use righttrack_store::pay::PayRow;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What a pay line's sealed blob is sealed for.
pub const PURPOSE: &str = "pay.record";

/// The sealed part of one line.
#[derive(Serialize, Deserialize)]
struct Sealed {
    basic: f64,
    variable: f64,
    hours: f64,
    grade: Option<String>,
    tenure_years: Option<f64>,
    sex: Option<Sex>,
    /// Absent from lines sealed before opportunity equity was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promoted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    considered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    training_hours: Option<f64>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// Lines stored, new or replacing a person's earlier line for the period.
    pub stored: usize,
    pub replaced: usize,
    /// One message per refused line, naming the line and the column.
    pub errors: Vec<String>,
}

/// The import page's settings and the periods on file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub collect_sex: bool,
    /// (period, lines), latest first.
    pub periods: Vec<(String, i64)>,
}

impl Overview {
    /// The period asked for, or else the latest on file (`None` when there is none).
    pub fn choose(&self, asked: Option<String>) -> Option<String> {
        asked
            .filter(|p| !p.trim().is_empty())
            .or_else(|| self.periods.first().map(|(p, _)| p.clone()))
    }
}

/// Whether sex is collected, and the periods on file.
pub async fn overview(ctx: &Ctx) -> Result<Overview> {
    Ok(Overview {
        collect_sex: ctx.db.pay_collects_sex().await?,
        periods: ctx.db.pay_periods().await?,
    })
}

/// Turns the collection of sex on or off. Audited.
pub async fn set_collect_sex(ctx: &Ctx, caller: &Caller, on: bool) -> Result<()> {
    ctx.db.set_pay_collects_sex(on, ctx.now()).await?;
    ctx.audit(
        &caller.actor(),
        "pay.settings",
        "pay",
        json!({"collect_sex": on}),
    )
    .await?;
    Ok(())
}

/// Imports an HR pay file: good lines are sealed and stored (replacing a person's
/// earlier line for the same period), bad ones are reported by line and column.
/// Audited with the counts only.
pub async fn import_file(ctx: &Ctx, caller: &Caller, text: &str) -> Result<Imported> {
    import_as(ctx, &caller.actor(), text).await
}

/// [`import_file`] for an actor that is not a signed-in person (the command line's
/// `cli`).
pub async fn import_as(ctx: &Ctx, actor: &str, text: &str) -> Result<Imported> {
    let (records, errors) = import::parse(text, ctx.db.pay_collects_sex().await?);
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if records.is_empty() {
        let first = errors
            .first()
            .cloned()
            .unwrap_or_else(|| "the file has no pay lines".into());
        return Err(Error::unprocessable(first).on("Pay file"));
    }
    let mut rows = Vec::with_capacity(records.len());
    for r in records {
        let sealed = Sealed {
            basic: r.basic,
            variable: r.variable,
            hours: r.hours,
            grade: r.grade,
            tenure_years: r.tenure_years,
            sex: r.sex,
            promoted: r.promoted,
            considered: r.considered,
            training_hours: r.training_hours,
        };
        let bytes = serde_json::to_vec(&sealed).map_err(|e| Error::internal(&e))?;
        rows.push(PayRow {
            period: r.period,
            person: r.person,
            category: r.category,
            sealed: ctx.seal(PURPOSE, &bytes)?,
        });
    }
    let replaced = ctx.db.put_pay_records(&rows, ctx.now()).await?;
    let mut periods: Vec<&str> = rows.iter().map(|r| r.period.as_str()).collect();
    periods.sort_unstable();
    periods.dedup();
    ctx.audit(
        actor,
        "pay.imported",
        "pay",
        json!({"periods": periods, "lines": rows.len(), "replaced": replaced, "refused": errors.len()}),
    )
    .await?;
    Ok(Imported {
        stored: rows.len(),
        replaced,
        errors,
    })
}

/// Opens a period's lines. Audited: who opened which period, and why.
async fn open_period(ctx: &Ctx, caller: &Caller, period: &str, why: &str) -> Result<Vec<Record>> {
    let rows = ctx.db.pay_records(period).await?;
    if rows.is_empty() {
        return Err(Error::not_found());
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let plain = ctx.open(PURPOSE, &row.sealed)?;
        let s: Sealed = serde_json::from_slice(&plain).map_err(|e| Error::internal(&e))?;
        out.push(Record {
            person: row.person,
            period: row.period,
            basic: s.basic,
            variable: s.variable,
            hours: s.hours,
            category: row.category,
            grade: s.grade,
            tenure_years: s.tenure_years,
            sex: s.sex,
            promoted: s.promoted,
            considered: s.considered,
            training_hours: s.training_hours,
        });
    }
    ctx.audit(&caller.actor(), "pay.opened", period, json!({"for": why}))
        .await?;
    Ok(out)
}

/// A period's pay report: the gap indicators and the opportunity measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayReport {
    #[serde(flatten)]
    pub gaps: Report,
    pub opportunity: Opportunity,
}

/// The Article 9 report of a period, with the Article 10 screen of each category, and
/// its opportunity measures (pay rises against the previous period of the same form on
/// file, whose lines are opened too, and audited as such).
pub async fn gap_report(ctx: &Ctx, caller: &Caller, period: &str) -> Result<PayReport> {
    let records = open_period(ctx, caller, period, "report").await?;
    let on_file = ctx.db.pay_periods().await?;
    let previous = import::previous_period(period, on_file.iter().map(|(p, _)| p.as_str()));
    let before = match previous {
        Some(p) => open_period(ctx, caller, p, "pay rises").await?,
        None => Vec::new(),
    };
    Ok(PayReport {
        gaps: report(period, &records),
        opportunity: opportunity(period, &records, previous, &before),
    })
}

/// The caller's Article 7 answer for a period: the average pay of their category of
/// workers, by sex, or `TooFew` when either group is under the minimum. Not found when
/// the period holds no line for the caller.
pub async fn my_category(
    ctx: &Ctx,
    caller: &Caller,
    period: &str,
) -> Result<(String, Figure<CategoryAverages>)> {
    let records = open_period(ctx, caller, period, "own category").await?;
    let me = &caller.user.username;
    let category = records
        .iter()
        .find(|r| &r.person == me)
        .map(|r| r.category.clone())
        .ok_or_else(Error::not_found)?;
    let answer = averages_for(me, period, &records).ok_or_else(Error::not_found)?;
    Ok((category, answer))
}

/// The report as CSV for the regulator: one row per indicator, suppressed figures empty.
/// The `women` and `men` columns are the people each row counts.
pub fn report_csv(pr: &PayReport) -> String {
    use righttrack_core::pay::{Band, Gaps};
    use righttrack_scan::csv::cell;
    let r = &pr.gaps;
    let mut out = String::from("indicator,group,women,men,value\n");
    let mut row = |ind: &str, group: &str, (w, m): (usize, usize), v: String| {
        out.push_str(&format!("{},{},{w},{m},{v}\n", cell(ind), cell(group)));
    };
    // A figure with two decimals; empty when it is not shown.
    let fig = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    let mean = |f: &Figure<Gaps>| f.shown().map(|g| g.mean);
    let median = |f: &Figure<Gaps>| f.shown().map(|g| g.median);
    let all = (r.women, r.men);
    row("mean gender pay gap (%)", "all", all, fig(mean(&r.pay)));
    row("median gender pay gap (%)", "all", all, fig(median(&r.pay)));
    row(
        "mean gap in variable pay (%)",
        "all",
        all,
        fig(mean(&r.variable)),
    );
    row(
        "median gap in variable pay (%)",
        "all",
        all,
        fig(median(&r.variable)),
    );
    let receiving = r.receiving_variable.shown();
    row(
        "women receiving variable pay (%)",
        "all",
        all,
        fig(receiving.map(|x| x.0)),
    );
    row(
        "men receiving variable pay (%)",
        "all",
        all,
        fig(receiving.map(|x| x.1)),
    );
    for q in 1..=4u8 {
        let band = r
            .quartiles
            .shown()
            .and_then(|b| b.iter().find(|b| b.quartile == q));
        let group = format!("pay quartile {q}");
        let share = |f: fn(&Band) -> f64| band.map(f);
        row(
            "women in quartile (%)",
            &group,
            all,
            fig(share(|b| b.women_pct)),
        );
        row(
            "men in quartile (%)",
            &group,
            all,
            fig(share(|b| b.men_pct)),
        );
    }
    for c in &r.categories {
        let n = (c.women, c.men);
        let adjusted = c.adjusted.shown().and_then(|a| a.gap);
        row("mean gap in basic pay (%)", &c.name, n, fig(mean(&c.basic)));
        row(
            "mean gap in variable pay (%)",
            &c.name,
            n,
            fig(mean(&c.variable)),
        );
        row(
            "gap at equal grade and tenure (%)",
            &c.name,
            n,
            fig(adjusted),
        );
        let due = if c.assessment_due { "yes" } else { "no" };
        row("joint pay assessment due", &c.name, n, due.into());
    }
    for m in &pr.opportunity.measures {
        let n = (m.women, m.men);
        let c = m.figure.shown();
        let label = m.label.to_lowercase();
        row(
            &format!("{label} rate, women (%)"),
            "all",
            n,
            fig(c.map(|c| c.women.pct)),
        );
        row(
            &format!("{label} rate, men (%)"),
            "all",
            n,
            fig(c.map(|c| c.men.pct)),
        );
        row(
            &format!("{label} impact ratio"),
            "all",
            n,
            fig(c.and_then(|c| c.impact_ratio)),
        );
    }
    out
}
