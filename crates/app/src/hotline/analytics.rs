//! Hotline analytics: NAVEX's benchmark figures over a period, for one viewer.
//!
//! Counted are only the cases the viewer holds a key wrap for, plus destroyed cases'
//! statistics (the store's `hotline_facts`), so a viewer excluded from a case by a
//! conflict of interest does not learn of it from a count. The arithmetic, including
//! the rule that groups under five cases show no number, is
//! [`righttrack_core::hotline_stats`]; the period arrives parsed (the shells parse
//! `from`/`to` their own way and say what was wrong in their own words).

use crate::{Caller, Ctx, Result};
use jiff::Timestamp;
use righttrack_core::hotline_stats::{self, Report};

/// The figures of one period, as one viewer may see them.
#[derive(Debug)]
pub struct Analytics {
    /// Whole days in the period.
    pub days: i64,
    /// Users not disabled (the denominator of rates per 100 people).
    pub headcount: u64,
    pub report: Report,
}

/// The figures for the cases `viewer` can read between `start` (included) and `end`
/// (excluded).
pub async fn analytics(
    ctx: &Ctx,
    viewer: &Caller,
    start: Timestamp,
    end: Timestamp,
) -> Result<Analytics> {
    let facts = ctx.db.hotline_facts(viewer.user.id, start, end).await?;
    let period = end.duration_since(start);
    Ok(Analytics {
        days: period.as_hours() / 24,
        headcount: facts.headcount,
        report: hotline_stats::report(&facts.cases, facts.headcount, period),
    })
}
