//! Reviewing an interaction's scorecard: a QA analyst overrides one item.
//!
//! The original finding stays; the override joins the item's history and the
//! interaction's effective score is recomputed by the engine's rule
//! (`core::interactions::rescore`), so the history is the one source of the score.

use crate::qa::disputes::items_of;
use crate::{Caller, Ctx, Error, Result};
use righttrack_core::Role;
use serde_json::json;

/// Minimum length of an override justification: a reason, not a shrug.
pub const MIN_JUSTIFICATION: usize = 15;

/// An override as the analyst entered it.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub item: String,
    /// `met` or `failed`.
    pub outcome: String,
    pub justification: String,
}

/// Overrides one applicable item of interaction `id` as met or failed, with a
/// justification (scrubbed before it is stored), and audits the score change.
pub async fn override_item(ctx: &Ctx, actor: &Caller, id: &str, input: &Override) -> Result<()> {
    let Some(i) = ctx.db.interaction(id).await? else {
        return Err(Error::not_found());
    };
    let items = items_of(&i)?;
    let Some(target) = items.iter().find(|it| it.item == input.item && !it.na) else {
        return Err(Error::bad_request(
            "field `item`: not an applicable item of this scorecard",
        ));
    };
    let failed = match input.outcome.as_str() {
        "met" => false,
        "failed" => true,
        _ => {
            return Err(Error::bad_request(
                "field `outcome`: expected met or failed",
            ))
        }
    };
    let justification = input.justification.trim();
    if justification.chars().count() < MIN_JUSTIFICATION {
        return Err(Error::bad_request(format!("field `justification`: explain the override in at least {MIN_JUSTIFICATION} characters")));
    }
    let justification = righttrack_core::interactions::scrub(
        &*ctx.engine().map_err(|e| Error::internal(&e))?,
        justification,
    );
    let mut in_force: std::collections::BTreeMap<String, bool> = ctx
        .db
        .score_overrides(id)
        .await?
        .into_iter()
        .map(|o| (o.item, o.failed))
        .collect();
    in_force.insert(target.item.clone(), failed);
    let (score, _) = righttrack_core::interactions::rescore(&items, &in_force);
    let o = righttrack_store::interactions::ScoreOverride {
        item: target.item.clone(),
        failed,
        justification,
        by_user: actor.user.username.clone(),
        at: ctx.now(),
    };
    ctx.db
        .add_score_override(id, &o, score, &mut rand::rngs::OsRng)
        .await?;
    ctx.audit(
        &actor.actor(),
        "score.overridden",
        id,
        json!({"item": o.item, "failed": failed, "score_from": i.score, "score_to": score}),
    )
    .await?;
    Ok(())
}

/// The roles that read every team's interactions. Anyone else with interaction access
/// (a team lead) reads only their reporting line's: the agents of the teams they lead,
/// directly or through sub-teams, as for conflict findings.
const EVERY_TEAM: [Role; 2] = [Role::QaAnalyst, Role::EthicsOfficer];

/// The agents whose interactions `caller` may read: `None` for all.
pub async fn readable_agents(ctx: &Ctx, caller: &Caller) -> Result<Option<Vec<String>>> {
    if caller.user.roles.iter().any(|r| EVERY_TEAM.contains(r)) {
        return Ok(None);
    }
    Ok(Some(
        crate::program::conflicts::reporting_line(ctx, caller.user.id).await?,
    ))
}

/// May `caller` read interaction `ext_id`, handled by `agent_ref`? Everyone's for QA and
/// ethics officers; for a team lead, their reporting line's and those of calibration
/// sessions they take part in (the session gave them the transcript to score). Callers
/// answer "not found" when not, so that ids of other lines do not show they exist.
pub async fn may_read(ctx: &Ctx, caller: &Caller, agent_ref: &str, ext_id: &str) -> Result<bool> {
    Ok(may_read_agent(ctx, caller, agent_ref).await?
        || ctx
            .db
            .calibration_includes(&caller.user.username, ext_id)
            .await?)
}

/// May `caller` read the interactions handled by `agent_ref`?
pub async fn may_read_agent(ctx: &Ctx, caller: &Caller, agent_ref: &str) -> Result<bool> {
    Ok(match readable_agents(ctx, caller).await? {
        None => true,
        Some(line) => line.iter().any(|a| a == agent_ref),
    })
}
