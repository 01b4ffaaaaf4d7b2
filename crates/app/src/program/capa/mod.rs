//! Audits and corrective actions (CAPA): the sweeper and the overdue notices here;
//! checklists, schedules and trends in [`audits`]; raising, moving and reading a CAPA in
//! [`actions`].
//!
//! The sweep is one function for both callers, the server's ten-minute timer and
//! `righttrack audits materialise`, so scheduled audits and escalations cannot differ
//! between them. An escalation is marked in the store before it is audited, so two
//! sweeps running at once escalate a CAPA once. Notices carry one fixed text
//! ([`NOTICE`]): no title, count or source reaches the home page.

pub mod actions;
pub mod audits;

pub use actions::{move_step, raise, raise_from_case, CapaInput};

use crate::{Caller, Ctx, Result};
use jiff::Timestamp;
use righttrack_core::clock::day;
use serde_json::json;
use std::collections::BTreeMap;

/// The one text of an overdue notice: no title, no count, no source.
pub const NOTICE: &str =
    "A corrective action you own or oversee is overdue. Sign in to RightTrack to see it.";

/// The clear title of a CAPA raised from a hotline case; its real title, root cause,
/// plan and notes are sealed under the case key.
pub const HOTLINE_TITLE: &str = "Corrective action from a hotline case";

/// QA trends compare the last [`TREND_DAYS`] with the [`TREND_DAYS`] before.
pub const TREND_DAYS: i64 = 30;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub audits_created: usize,
    pub escalated: usize,
    pub notices: usize,
}

/// Creates due audits, escalates newly overdue CAPAs (once each, audited) and writes
/// today's content-free notice for the owners of overdue CAPAs, their leads and the
/// CAPAs' creators. Run by `serve` every ten minutes and by `righttrack audits
/// materialise`.
pub async fn sweep(ctx: &Ctx, now: Timestamp) -> Result<Sweep> {
    let mut out = Sweep::default();
    let created = ctx
        .db
        .materialise_audits(now, &mut rand::rngs::OsRng)
        .await?;
    for id in &created {
        ctx.audit("system", "audit.scheduled", id, json!({}))
            .await?;
    }
    out.audits_created = created.len();
    for c in ctx.db.unescalated_overdue_capas(now).await? {
        if ctx.db.mark_capa_escalated(&c.id, now).await? {
            ctx.audit(
                "system",
                "capa.escalated",
                &c.id,
                json!({"owner": c.owner, "due": c.due_at.to_string()}),
            )
            .await?;
            out.escalated += 1;
        }
    }
    let users = ctx.db.list_users().await?;
    let by_name: BTreeMap<&str, &righttrack_store::directory::User> =
        users.iter().map(|u| (u.username.as_str(), u)).collect();
    let mut notify = Vec::new();
    for c in ctx.db.capas(now, 1000).await? {
        if !c.overdue {
            continue;
        }
        for name in [&c.owner, &c.created_by] {
            if let Some(u) = by_name.get(name.as_str()) {
                notify.push(u.id);
                if let Ok(chain) = ctx.db.management_chain(u.id).await {
                    notify.extend(chain.into_iter().take(1));
                }
            }
        }
    }
    notify.sort();
    notify.dedup();
    let today = day(now);
    for u in notify {
        if ctx.db.put_capa_notification(u, &today, NOTICE, now).await? {
            out.notices += 1;
        }
    }
    Ok(out)
}

/// The caller's unseen CAPA notices ("day: text"), marked seen.
pub async fn take_notices(ctx: &Ctx, caller: &Caller) -> Result<Vec<String>> {
    Ok(ctx
        .db
        .take_capa_notifications(caller.user.id, ctx.now())
        .await?
        .into_iter()
        .map(|(d, t)| format!("{d}: {t}"))
        .collect())
}
