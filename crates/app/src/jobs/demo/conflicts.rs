//! Demo data for conflicts of interest: a yearly campaign about two thirds answered, an
//! agent's sister who is a customer (approved with a mitigation), a gift over the
//! threshold waiting for approval, and interactions where that agent handled the
//! sister's account, so a finding shows on the team lead's page. Everything goes
//! through the same functions as the pages.

use super::broken;
use crate::interactions::prepare_line;
use crate::program::conflicts::{self, DecisionInput};
use crate::{Ctx, Result};
use righttrack_core::conflicts::Fields;
use righttrack_core::Role;
use serde_json::json;

/// The customer reference of the demo agent's sister.
pub const SISTER_REF: &str = "CUST-4711";

pub async fn seed(ctx: &Ctx) -> Result<()> {
    conflicts::ensure_key(ctx).await?;
    let db = &ctx.db;
    let now = ctx.now();
    let user = |name: &'static str| async move {
        db.user_by_username(name)
            .await?
            .ok_or_else(|| broken(format!("demo user {name} missing")))
    };
    let (ethics, agent, lead) = (
        user("ethics").await?,
        user("agent").await?,
        user("lead").await?,
    );
    let year = now.to_zoned(jiff::tz::TimeZone::UTC).year();
    let due = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 30))
        .map_err(broken)?;
    let campaign = conflicts::open_campaign(
        ctx,
        &ethics,
        &year.to_string(),
        &due.strftime("%Y-%m-%d").to_string(),
        &[],
        &[],
    )
    .await?;
    // About two in three answer "nothing to declare"; whole teams stay silent so the
    // coverage report has something to show.
    let users = db.list_users().await?;
    for (i, u) in users.iter().enumerate() {
        if u.username == "agent" || u.username == "ethics" || i % 3 == 0 {
            continue;
        }
        let f = Fields {
            kind: "nothing".into(),
            ..Fields::default()
        };
        conflicts::submit(ctx, u, &f, "campaign", &campaign).await?;
    }
    let sister = Fields {
        kind: "relative_customer".into(),
        name: "Marta Agent".into(),
        relationship: "sister".into(),
        customer_refs: SISTER_REF.into(),
        description: "She banks with us and sometimes calls the billing line.".into(),
        ..Fields::default()
    };
    let id = conflicts::submit(ctx, &agent, &sister, "campaign", &campaign).await?;
    let review = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 90))
        .map_err(broken)?;
    conflicts::decide(
        ctx,
        &ethics,
        &id,
        DecisionInput {
            decision: "mitigate",
            rationale: "A close relative is a customer; the agent must not handle her account.",
            mitigation:
                "Never handles account CUST-4711; calls from it are routed to another agent.",
            owner: &lead.username,
            review_date: &review.strftime("%Y-%m-%d").to_string(),
        },
    )
    .await?;
    if let Some(giver) = users
        .iter()
        .find(|u| u.has(Role::Agent) && u.username != "agent" && u.username != "lead")
    {
        let gift = Fields {
            kind: "gift".into(),
            direction: "received".into(),
            name: "Northwind Collections Ltd (vendor)".into(),
            description: "Two concert tickets".into(),
            value: "250".into(),
            currency: "USD".into(),
            ..Fields::default()
        };
        conflicts::submit(ctx, giver, &gift, "ad_hoc", "").await?;
    }
    // The agent handled the sister's account twice after declaring it.
    let engine = ctx.engine().map_err(broken)?;
    let mut batch = Vec::new();
    for (n, hours) in [(1, 30), (2, 6)] {
        let at = now
            .checked_sub(jiff::SignedDuration::from_hours(hours))
            .map_err(broken)?;
        let line = json!({
            "id": format!("demo-coi-{n}"), "channel": "voice", "agent_id": agent.username,
            "customer_ref": SISTER_REF, "started_at": at.to_string(),
            "turns": [
                {"speaker": "agent", "text": "Thank you for calling, this call may be recorded for quality purposes. How can I help?"},
                {"speaker": "customer", "text": "Hi, it's me, I wanted to ask about the late fee on my bill."},
                {"speaker": "agent", "text": "Let me look at your account and remove the fee."}
            ]
        });
        batch.push(prepare_line(ctx, &engine, &line.to_string()).map_err(broken)?);
    }
    db.store_interactions(&batch, now, &mut rand::rngs::OsRng)
        .await?;
    Ok(())
}
