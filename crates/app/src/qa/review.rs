//! Reviewing an interaction's scorecard: a QA analyst overrides one item.
//!
//! The original finding stays; the override joins the item's history and the
//! interaction's effective score is recomputed by the engine's rule
//! (`core::interactions::rescore`), so the history is the one source of the score.

use crate::qa::disputes::items_of;
use crate::{Caller, Ctx, Error, Result};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::Role;
use righttrack_store::disputes::{Dispute, DisputeFilter};
use righttrack_store::interactions::{
    CommitmentRow, CommitmentStatus, Grouping, InteractionFilter, InteractionSummary, KeptRate,
    LedgerFilter, ScoreOverride, StoredInteraction,
};
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

/// The review queue: the interactions matching `f` that `caller` may read (the
/// filter's `agent_refs` is set here, from the caller's reporting line).
pub async fn queue(
    ctx: &Ctx,
    caller: &Caller,
    mut f: InteractionFilter,
) -> Result<Vec<InteractionSummary>> {
    f.agent_refs = readable_agents(ctx, caller).await?;
    Ok(ctx.db.list_interactions(&f).await?)
}

/// Everything an interaction's page shows besides the interaction itself.
pub struct InteractionView {
    pub interaction: StoredInteraction,
    /// Its disputes, any order.
    pub disputes: Vec<Dispute>,
    /// The score overrides, oldest first (the last of an item is in force).
    pub overrides: Vec<ScoreOverride>,
    /// The viewer is the agent and may open disputes.
    pub own: bool,
    /// The dispute window is still open.
    pub window_open: bool,
    pub may_override: bool,
    /// Why the agent can no longer dispute (the window closed), if so.
    pub dispute_closed: String,
    pub vault: Option<crate::interactions::vault::VaultView>,
    pub feedback: Option<crate::qa::feedback::FeedbackView>,
}

/// Interaction `id` for a reviewer, its view audited with `detail`: "not found" when
/// `caller` may not read it, refused while it is in a calibration session the caller
/// scores blind.
pub async fn read(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    detail: serde_json::Value,
) -> Result<StoredInteraction> {
    let Some(i) = ctx.db.interaction(id).await? else {
        return Err(Error::not_found());
    };
    if !may_read(ctx, caller, &i.agent_ref, &i.ext_id).await? {
        return Err(Error::not_found());
    }
    crate::qa::calibration::refuse_if_blind(ctx, caller, &i.ext_id).await?;
    viewed(ctx, caller, &i.ext_id, detail).await?;
    Ok(i)
}

/// Records that `caller` viewed interaction `ext_id`, with `detail` (how).
pub async fn viewed(
    ctx: &Ctx,
    caller: &Caller,
    ext_id: &str,
    detail: serde_json::Value,
) -> Result<()> {
    ctx.audit(&caller.actor(), "interaction.viewed", ext_id, detail)
        .await?;
    Ok(())
}

/// Interaction `id`'s page for a reviewer (see [`read`]).
pub async fn interaction(ctx: &Ctx, caller: &Caller, id: &str) -> Result<InteractionView> {
    let i = read(ctx, caller, id, json!({"via": "web"})).await?;
    view(ctx, caller, i).await
}

/// One of the caller's own interactions. Anyone else's is "not found", not "forbidden":
/// an agent learns nothing about which ids exist. The view is audited.
pub async fn my_interaction(ctx: &Ctx, caller: &Caller, id: &str) -> Result<InteractionView> {
    match ctx.db.interaction(id).await? {
        Some(i) if i.agent_ref == caller.user.username => {
            viewed(ctx, caller, &i.ext_id, json!({"via": "web"})).await?;
            view(ctx, caller, i).await
        }
        _ => Err(Error::not_found()),
    }
}

/// What the page shows besides the interaction (its view already audited).
async fn view(ctx: &Ctx, caller: &Caller, i: StoredInteraction) -> Result<InteractionView> {
    let now = ctx.now();
    let disputes = ctx
        .db
        .disputes(
            &DisputeFilter {
                interaction: Some(i.ext_id.clone()),
                limit: 200,
                ..Default::default()
            },
            now,
        )
        .await?;
    let own =
        i.agent_ref == caller.user.username && allowed(&caller.user.roles, Action::DisputeOpen);
    let window_open = righttrack_core::disputes::may_open(i.ingested_at, now);
    let overrides = ctx.db.score_overrides(&i.ext_id).await?;
    Ok(InteractionView {
        disputes,
        overrides,
        own,
        window_open,
        may_override: allowed(&caller.user.roles, Action::ScoreOverride),
        dispute_closed: if own && !window_open {
            crate::qa::disputes::window_closed(i.ingested_at)
        } else {
            String::new()
        },
        vault: crate::interactions::vault::view(ctx, caller, &i.ext_id).await?,
        feedback: crate::qa::feedback::view_for(ctx, &i.ext_id).await?,
        interaction: i,
    })
}

/// The period kept rates are computed over, in days.
pub const KEPT_RATE_DAYS: i64 = 90;

/// An agent's own work: recent interactions, open promises, kept rate and disputes.
pub struct MyWork {
    pub items: Vec<InteractionSummary>,
    /// Overdue promises first, then the open ones.
    pub open: Vec<CommitmentRow>,
    pub kept: Option<KeptRate>,
    pub disputes: Vec<crate::qa::disputes::Row>,
}

/// The caller's own work. Interactions are matched to people by `agent_id` = username.
pub async fn my_work(ctx: &Ctx, caller: &Caller) -> Result<MyWork> {
    let me = caller.user.username.clone();
    let f = InteractionFilter {
        flagged_only: false,
        agent_refs: None,
        agent_ref: Some(me.clone()),
        team_ref: None,
        rule: None,
        min_severity: None,
        from: None,
        to: None,
        before: None,
        limit: 50,
    };
    let items = ctx.db.list_interactions(&f).await?;
    let now = ctx.now();
    let mut open = Vec::new();
    for status in [CommitmentStatus::Overdue, CommitmentStatus::Open] {
        let f = LedgerFilter {
            status: Some(status),
            agent_ref: Some(me.clone()),
            team_ref: None,
            limit: 100,
        };
        open.extend(ctx.db.commitments(&f, now).await?);
    }
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(KEPT_RATE_DAYS * 24))
        .unwrap_or(now);
    let kept = ctx
        .db
        .kept_rates(Grouping::Agent, since, Some((Grouping::Agent, &me)), now)
        .await?
        .into_iter()
        .next();
    let disputes = ctx
        .db
        .disputes(
            &DisputeFilter {
                agent_ref: Some(me),
                limit: 100,
                ..Default::default()
            },
            now,
        )
        .await?
        .into_iter()
        .map(crate::qa::disputes::Row::from)
        .collect();
    Ok(MyWork {
        items,
        open,
        kept,
        disputes,
    })
}
