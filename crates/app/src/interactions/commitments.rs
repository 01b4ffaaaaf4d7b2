//! The commitments ledger: promises agents made to customers, until kept or broken.
//!
//! The ledger is read by the interactions API and by the QA pages; both parse the
//! `status` filter here so that they accept the same words and refuse with the same
//! message.

use crate::{Caller, Ctx, Error, Result};
use righttrack_store::interactions::{CommitmentStatus, Grouping, KeptRate, LedgerFilter};

/// The `status` query parameter of the ledger, named in the error when wrong.
pub fn parse_status(s: Option<&str>) -> Result<Option<CommitmentStatus>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => CommitmentStatus::parse(s).map(Some).ok_or_else(|| {
            Error::bad_request("query `status`: expected due_soon, open, overdue, kept or broken")
        }),
    }
}

/// The ledger rows matching `filter`, with their status as of now.
pub async fn list(
    ctx: &Ctx,
    filter: &LedgerFilter,
) -> Result<Vec<righttrack_store::interactions::CommitmentRow>> {
    Ok(ctx.db.commitments(filter, ctx.now()).await?)
}

/// Kept rate per agent or team over the last `days` days (1 to 3660), optionally for one
/// team. Returns the start of the period with the rates.
pub async fn kept_rates(
    ctx: &Ctx,
    by: Grouping,
    days: i64,
    team: Option<&str>,
) -> Result<(jiff::Timestamp, Vec<KeptRate>)> {
    if !(1..=3660).contains(&days) {
        return Err(Error::bad_request(
            "query `days`: expected a number of days from 1 to 3660",
        ));
    }
    let now = ctx.now();
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(days * 24))
        .unwrap_or(now);
    let rates = ctx
        .db
        .kept_rates(by, since, team.map(|t| (Grouping::Team, t)), now)
        .await?;
    Ok((since, rates))
}

/// Marks an open commitment kept, on the audit trail with `detail` (the pages add how it
/// was marked). `false`, and nothing written, when no open commitment has that id
/// (unknown, already kept, or broken): each shell words that refusal for its readers.
pub async fn fulfil(
    ctx: &Ctx,
    actor: &Caller,
    id: &str,
    detail: serde_json::Value,
) -> Result<bool> {
    if !ctx
        .db
        .fulfil_commitment(id, &actor.actor(), ctx.now())
        .await?
    {
        return Ok(false);
    }
    ctx.audit(&actor.actor(), "commitment.kept", id, detail)
        .await?;
    Ok(true)
}
