//! Retention of hotline cases: the sweep that destroys cases whose retention period ran
//! out.
//!
//! The server's timer and `righttrack` both run [`sweep_retention`]; which cases are due
//! (rules per jurisdiction and outcome, legal holds) is decided in the store's one query,
//! so the sweep here only writes the audit trail, one entry per destroyed case, carrying
//! its reference and nothing of its content.

use crate::{Ctx, Result};
use righttrack_store::speakup_config::SweepReport;
use serde_json::json;

/// Destroys the cases whose retention ended (not those under legal hold) and audits each
/// as `speakup.case_destroyed` with its reference only. Each case is deleted in its own
/// transaction before its audit entry is written: a crash in between loses the entry,
/// never leaves an entry for a case that still exists.
pub async fn sweep_retention(ctx: &Ctx) -> Result<SweepReport> {
    let report = ctx
        .db
        .sweep_speakup_retention(ctx.now(), &mut rand::rngs::OsRng)
        .await?;
    for case in &report.destroyed {
        ctx.audit("system", "speakup.case_destroyed", case, json!({}))
            .await?;
    }
    Ok(report)
}
