//! What the server does every ten minutes, in order: commitments past due are marked
//! broken (reads decide "broken" from the due instant; this persists it for reports), the
//! privacy vault and the speak-up hotline destroy what outlived retention, the day's staff
//! notifications are written, due audits and overdue corrective actions are handled, and
//! policy and training reminders go out, ended rounds of upward feedback are closed; last,
//! the day's new notices become queued mail for the people who get it (`mail`).
//!
//! Each step runs on its own: a failure is logged (counts only, never a case reference or
//! content) and the next step still runs.

use crate::Ctx;
use jiff::Timestamp;

/// Runs every step of the sweep at `now`; failures are logged, not returned.
pub async fn run(ctx: &Ctx, now: Timestamp) {
    let r = ctx
        .db
        .break_overdue_commitments(now, righttrack_store::interactions::BROKEN_AFTER)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "commitment sweep failed");
    }
    match ctx.db.purge_expired_vault(now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "privacy vault: retention ended"),
        Err(e) => tracing::warn!(error = %e, "privacy vault purge failed"),
    }
    // Counts only: case references stay out of the logs (the audit trail has them).
    match crate::hotline::retention::sweep_retention(ctx).await {
        Ok(r) => {
            if !r.destroyed.is_empty() {
                tracing::info!(
                    destroyed = r.destroyed.len(),
                    held = r.held,
                    expiring_soon = r.expiring.len(),
                    "speak-up: retention ended"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e.message, "speak-up retention sweep failed"),
    }
    // Once a day per person at most; content-free (see `digest`).
    if let Err(e) = super::digest::run(ctx, now).await {
        tracing::warn!(error = %e.message, "staff notifications failed");
    }
    // Due audits, overdue corrective actions (content-free notices).
    match crate::program::capa::sweep(ctx, now).await {
        Ok(r) if r.audits_created + r.escalated > 0 => tracing::info!(
            audits_created = r.audits_created,
            escalated = r.escalated,
            "audits and corrective actions"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e.message, "audit and CAPA sweep failed"),
    }
    // Policy attestation: new audience members assigned, weekly reminders and
    // escalations to leads (counts only in the log).
    match crate::program::policies::remind(ctx, now).await {
        Ok(r) if r.reminders + r.escalations > 0 => tracing::info!(
            reminders = r.reminders,
            escalations = r.escalations,
            "policy attestation reminders"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e.message, "policy reminders failed"),
    }
    // Training: new assignments (on hire), reminders, escalations.
    if let Err(e) = crate::program::training::remind(ctx, now).await {
        tracing::warn!(error = %e.message, "training reminders failed");
    }
    // Upward feedback: ended rounds are closed, their rows rewritten in key order.
    match crate::program::coaching::close_ended_rounds(ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rounds = n, "upward feedback: rounds closed"),
        Err(e) => tracing::warn!(error = %e.message, "closing upward feedback rounds failed"),
    }
    // Last: today's new notices become queued mail (nothing when mail is not set up);
    // the server's mail loop sends it.
    match super::mail::enqueue(ctx, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "mail queued"),
        Err(e) => tracing::warn!(error = %e.message, "queuing mail failed"),
    }
}
