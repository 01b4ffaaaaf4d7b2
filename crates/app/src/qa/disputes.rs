//! Scorecard disputes: an agent contests one item of their own interaction, a QA analyst
//! other than the original evaluator resolves it (`core::disputes` holds the rules).
//!
//! An accepted dispute reverses the item through an ordinary score override (justified
//! "Dispute accepted: …"), so the override history stays the one source of the effective
//! score, and may add the redacted turn its evidence was matched in as a "should not
//! fire" example of the rule (`righttrack rules export-examples`). Opening, assignment
//! and resolution are audited; reasons and notes are scrubbed before storage and never
//! audited. The actor is a username here (not a [`crate::Caller`]) because the demo
//! seeder opens and resolves disputes as people who are not signed in.

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::disputes::{self as rules, Analyst, Outcome};
use righttrack_core::Role;
use righttrack_store::disputes::{
    Dispute, DisputeFilter, DisputeStatus, NewDispute, Resolution, RuleExample,
};
use righttrack_store::interactions::{ScoreOverride, StoredInteraction};
use serde_json::json;
use std::collections::BTreeMap;

/// The scorecard items the engine gave interaction `i`.
pub fn items_of(i: &StoredInteraction) -> Result<Vec<righttrack_scan::ItemResult>> {
    serde_json::from_value(i.findings["scorecard"]["items"].clone())
        .map_err(|e| Error::internal(&e))
}

/// The analyst whose override of `item` is in force, if any.
async fn evaluator(ctx: &Ctx, ext_id: &str, item: &str) -> Result<Option<String>> {
    Ok(ctx
        .db
        .score_overrides(ext_id)
        .await?
        .into_iter()
        .rfind(|o| o.item == item)
        .map(|o| o.by_user))
}

/// Usernames of the active QA analysts.
pub async fn active_analysts(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.has(Role::QaAnalyst) && !u.disabled)
        .map(|u| u.username)
        .collect())
}

/// Opens a dispute of `item` on `agent`'s interaction `ext_id` at `now`, routes it and
/// audits both steps. Returns the dispute id.
pub async fn open(
    ctx: &Ctx,
    agent: &str,
    ext_id: &str,
    item: &str,
    reason: &str,
    now: Timestamp,
) -> Result<String> {
    let Some(i) = ctx.db.interaction(ext_id).await? else {
        return Err(Error::not_found());
    };
    if i.agent_ref != agent {
        // Someone else's interaction does not exist, as on the page.
        return Err(Error::not_found());
    }
    if !items_of(&i)?.iter().any(|it| it.item == item && !it.na) {
        return Err(Error::unprocessable(
            "field `item`: not an applicable item of this scorecard",
        ));
    }
    let reason =
        rules::check_text(reason).map_err(|e| crate::program::unprocessable("reason", e))?;
    if !rules::may_open(i.ingested_at, now) {
        return Err(Error::unprocessable(window_closed(i.ingested_at)));
    }
    let reason = righttrack_core::interactions::scrub(
        &*ctx.engine().map_err(|e| Error::internal(&e))?,
        reason,
    );
    let evaluator = evaluator(ctx, ext_id, item).await?;
    let counts: BTreeMap<String, i64> = ctx.db.open_dispute_counts().await?.into_iter().collect();
    let names = active_analysts(ctx).await?;
    let analysts: Vec<Analyst> = names
        .iter()
        .map(|n| Analyst {
            username: n,
            open_disputes: counts.get(n).copied().unwrap_or(0).try_into().unwrap_or(0),
        })
        .collect();
    let assignee = rules::route(&analysts, agent, evaluator.as_deref()).map(str::to_owned);
    let id = ctx
        .db
        .open_dispute(
            &NewDispute {
                interaction: ext_id.to_owned(),
                item: item.to_owned(),
                agent_ref: agent.to_owned(),
                reason,
                evaluator: evaluator.clone(),
                assignee: assignee.clone(),
                opened_at: now,
                due_at: rules::due(now),
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        agent,
        "dispute.opened",
        &id,
        json!({"interaction": ext_id, "item": item}),
    )
    .await?;
    ctx.audit(
        "system",
        "dispute.assigned",
        &id,
        json!({"assignee": assignee, "evaluator": evaluator}),
    )
    .await?;
    Ok(id)
}

pub fn window_closed(scored: Timestamp) -> String {
    let until = scored.checked_add(rules::WINDOW).unwrap_or(scored);
    format!(
        "Items can be disputed for {} days after scoring; this interaction was scored on {} UTC, so disputes closed on {} UTC.",
        rules::WINDOW.as_hours() / 24,
        righttrack_core::clock::minute(scored),
        righttrack_core::clock::minute(until)
    )
}

/// What an analyst decided.
pub struct Decision<'a> {
    pub outcome: &'a str,
    pub note: &'a str,
    /// Rules to add the item's evidence to as "should not fire" examples.
    pub examples: Vec<String>,
}

/// Resolves dispute `id` as `resolver` at `now`. An accepted dispute reverses the item
/// with a score override and may add rule examples. Audited.
pub async fn resolve(
    ctx: &Ctx,
    resolver: &str,
    id: &str,
    d: Decision<'_>,
    now: Timestamp,
) -> Result<()> {
    let Some(dispute) = ctx.db.dispute(id, now).await? else {
        return Err(Error::not_found());
    };
    if dispute.status == "resolved" {
        return Err(Error::new(
            Kind::Conflict,
            "This dispute is already resolved.",
        ));
    }
    let assignee_active = match &dispute.assignee {
        Some(a) => active_analysts(ctx).await?.contains(a),
        None => false,
    };
    rules::may_resolve(
        resolver,
        &dispute.agent_ref,
        dispute.evaluator.as_deref(),
        dispute.assignee.as_deref(),
        assignee_active,
    )
    .map_err(|r| Error::new(Kind::Forbidden, format!("You cannot resolve this: {r}.")))?;
    let outcome = Outcome::parse(d.outcome)
        .ok_or_else(|| Error::unprocessable("field `outcome`: expected upheld or accepted"))?;
    let note = rules::check_text(d.note).map_err(|e| crate::program::unprocessable("note", e))?;
    if outcome == Outcome::Upheld && !d.examples.is_empty() {
        return Err(Error::unprocessable(
            "field `example`: only an accepted dispute adds rule examples",
        ));
    }
    let Some(i) = ctx.db.interaction(&dispute.interaction).await? else {
        return Err(Error::not_found());
    };
    let items = items_of(&i)?;
    let Some(target) = items.iter().find(|it| it.item == dispute.item) else {
        return Err(Error::internal(&"disputed item missing from its scorecard"));
    };
    let mut examples = Vec::new();
    for rule in &d.examples {
        // The redacted turn the rule fired in: the matched phrase alone would fire on
        // any pack, the sentence around it is what a rules author can work with.
        let mut texts: Vec<String> = Vec::new();
        for e in target.evidence.iter().filter(|e| &e.rule == rule) {
            let turn = i.interaction["turns"][e.turn]["text"]
                .as_str()
                .unwrap_or(&e.evidence);
            let t = turn.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() && !texts.contains(&t) {
                texts.push(t);
            }
        }
        if texts.is_empty() || !takes_examples(rule) {
            return Err(Error::unprocessable(
                "field `example`: that rule has no evidence in this item",
            ));
        }
        examples.extend(texts.into_iter().map(|text| RuleExample {
            rule: rule.clone(),
            text,
            channel: i.channel.clone(),
            dispute: Some(id.to_owned()),
            added_by: resolver.to_owned(),
            at: now,
        }));
    }
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let note = righttrack_core::interactions::scrub(&engine, note);
    let mut accepted = None;
    if outcome == Outcome::Accepted {
        let mut in_force: BTreeMap<String, bool> = ctx
            .db
            .score_overrides(&i.ext_id)
            .await?
            .into_iter()
            .map(|o| (o.item, o.failed))
            .collect();
        let failed = !in_force.get(&target.item).copied().unwrap_or(target.failed);
        in_force.insert(target.item.clone(), failed);
        let (score, _) = righttrack_core::interactions::rescore(&items, &in_force);
        accepted = Some((
            ScoreOverride {
                item: target.item.clone(),
                failed,
                justification: format!("Dispute accepted: {note}"),
                by_user: resolver.to_owned(),
                at: now,
            },
            score,
        ));
    }
    let done = ctx
        .db
        .resolve_dispute(
            id,
            &Resolution {
                outcome: outcome.as_str().to_owned(),
                note,
                by_user: resolver.to_owned(),
                at: now,
            },
            accepted.as_ref().map(|(o, s)| (o, *s)),
            &examples,
            &mut rand::rngs::OsRng,
        )
        .await?;
    if !done {
        return Err(Error::new(
            Kind::Conflict,
            "This dispute is already resolved.",
        ));
    }
    if let Some((o, score)) = &accepted {
        ctx
            .audit(
                resolver,
                "score.overridden",
                &i.ext_id,
                json!({"item": o.item, "failed": o.failed, "score_from": i.score, "score_to": score, "dispute": id}),
            )
            .await?;
    }
    ctx.audit(
        resolver,
        "dispute.resolved",
        id,
        json!({
            "outcome": outcome.as_str(),
            "interaction": i.ext_id,
            "item": dispute.item,
            "rule_examples": examples.len(),
        }),
    )
    .await?;
    Ok(())
}

/// One dispute as a table row.
pub struct Row {
    pub id: String,
    pub interaction: String,
    pub item: String,
    pub agent: String,
    pub assignee: String,
    pub opened: String,
    pub due: String,
    pub status: &'static str,
    pub outcome: String,
    pub reason: String,
    pub resolution: String,
}

impl Row {
    pub fn from(d: Dispute) -> Self {
        Row {
            opened: righttrack_core::clock::minute(d.opened_at),
            due: righttrack_core::clock::minute(d.due_at),
            assignee: d.assignee.unwrap_or_else(|| "unassigned".into()),
            outcome: d.outcome.unwrap_or_default(),
            resolution: d.resolution.unwrap_or_default(),
            id: d.id,
            interaction: d.interaction,
            item: d.item,
            agent: d.agent_ref,
            status: d.status,
            reason: d.reason,
        }
    }
}

/// The analyst's queue: assigned to the caller, all open (overdue first), recently resolved.
pub struct Queue {
    pub mine: Vec<Row>,
    pub open: Vec<Row>,
    pub resolved: Vec<Row>,
}

/// Disputes in `status`, assigned to `assignee` when given, at most `limit`.
async fn rows(
    ctx: &Ctx,
    status: DisputeStatus,
    assignee: Option<String>,
    limit: i64,
) -> Result<Vec<Row>> {
    let f = DisputeFilter {
        status: Some(status),
        assignee,
        limit,
        ..Default::default()
    };
    Ok(ctx
        .db
        .disputes(&f, ctx.now())
        .await?
        .into_iter()
        .map(Row::from)
        .collect())
}

/// The dispute queue page of `caller`.
pub async fn queue(ctx: &Ctx, caller: &Caller) -> Result<Queue> {
    let me = caller.user.username.clone();
    Ok(Queue {
        mine: rows(ctx, DisputeStatus::Open, Some(me), 200).await?,
        open: rows(ctx, DisputeStatus::Open, None, 500).await?,
        resolved: rows(ctx, DisputeStatus::Resolved, None, 50).await?,
    })
}

/// Disputes for the API: `status` is `open`, `resolved`, `overdue` or empty for all.
pub async fn list(ctx: &Ctx, status: Option<&str>, limit: Option<i64>) -> Result<Vec<Dispute>> {
    let status = match status {
        None | Some("") => None,
        Some(s) => Some(DisputeStatus::parse(s).ok_or_else(|| {
            Error::bad_request("query `status`: expected open, resolved or overdue")
        })?),
    };
    let f = DisputeFilter {
        status,
        limit: limit.unwrap_or(100),
        ..Default::default()
    };
    Ok(ctx.db.disputes(&f, ctx.now()).await?)
}

/// One dispute with its interaction and item, and whether the viewer may resolve it.
pub struct Detail {
    pub dispute: Dispute,
    pub interaction: StoredInteraction,
    /// The disputed item as the engine scored it.
    pub item: Option<righttrack_scan::ItemResult>,
    pub may_resolve: bool,
    /// Why the viewer cannot resolve this open dispute, if so.
    pub why_not: String,
    /// Disclosed colleague relationships between the viewer and the agent.
    pub relations: Vec<crate::program::conflicts::RelationNotice>,
}

/// Dispute `id` as `caller` sees it (the view of its transcript is audited).
pub async fn detail(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Detail> {
    let Some(d) = ctx.db.dispute(id, ctx.now()).await? else {
        return Err(Error::not_found());
    };
    let Some(i) = ctx.db.interaction(&d.interaction).await? else {
        return Err(Error::not_found());
    };
    crate::qa::review::viewed(ctx, caller, &i.ext_id, json!({"via": "dispute"})).await?;
    let item = items_of(&i)?.into_iter().find(|x| x.item == d.item);
    let assignee_active = match &d.assignee {
        Some(a) => active_analysts(ctx).await?.contains(a),
        None => false,
    };
    let check = rules::may_resolve(
        &caller.user.username,
        &d.agent_ref,
        d.evaluator.as_deref(),
        d.assignee.as_deref(),
        assignee_active,
    );
    let relations = match ctx.db.user_by_username(&d.agent_ref).await? {
        Some(agent) => {
            crate::program::conflicts::colleague_relations_between(ctx, caller.user.id, agent.id)
                .await?
        }
        None => Vec::new(),
    };
    let open = d.status != "resolved";
    let may_resolve =
        open && righttrack_core::authz::allowed(
            &caller.user.roles,
            righttrack_core::Action::DisputeResolve,
        ) && check.is_ok();
    Ok(Detail {
        why_not: match check {
            Err(r) if open => format!("You cannot resolve this dispute: {r}."),
            _ => String::new(),
        },
        dispute: d,
        interaction: i,
        item,
        may_resolve,
        relations,
    })
}

/// Whether `rule` is a rule of the pack, which a "should not fire" example can be added
/// to. Evidence may also name what is not a rule (an agent turn that started too early
/// fails the talking-over item by its timings): no example teaches that anything.
pub fn takes_examples(rule: &str) -> bool {
    static RULES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            righttrack_scan::RulePack::default_pack()
                .map(|p| p.rules.into_iter().map(|r| r.id).collect())
                .unwrap_or_default()
        })
        .iter()
        .any(|r| r == rule)
}

#[cfg(test)]
mod tests {
    #[test]
    fn examples_go_to_pack_rules_never_to_timing_evidence() {
        assert!(super::takes_examples("honesty.guarantee"));
        assert!(!super::takes_examples(righttrack_scan::score::TALK_OVER));
        assert!(!super::takes_examples("no.such.rule"));
    }
}
