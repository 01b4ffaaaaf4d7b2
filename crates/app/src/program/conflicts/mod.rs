//! Conflicts of interest: the use cases other capabilities and the command line rely on.
//!
//! The keyed hash of customer references lives here because ingestion (interactions),
//! the routing lookup and disclosures must hash with one key: [`ensure_key`] loads it
//! (creating and sealing it on first use) into the context once per process, and
//! [`hash_ref`] only reads it, so hashing in a hot loop never touches the store.
//!
//! QA disputes, discipline and training ask [`colleague_relations_between`] and
//! [`reporting_line`] instead of reading disclosures themselves: what they may show of a
//! relation (who, with whom, status, date; never its description) is decided once, here.
//! [`notify`] is part of the daily digest: one content-free line for everyone with
//! conflict-of-interest work waiting.

mod disclosures;
pub mod views;

pub use disclosures::{
    coverage, decide, load_visible, open_campaign, open_details, open_text, pending_campaigns,
    submit, DecisionInput,
};

use crate::{Caller, Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::authz::allowed;
use righttrack_core::clock::day;
use righttrack_core::conflicts as rules;
use righttrack_core::ids::{TeamId, UserId};
use righttrack_core::Action;
use righttrack_core::Secret;
use righttrack_store::conflicts::{Campaign, ColleagueRelation};
use righttrack_store::directory::{Team, User};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The text of the content-free notification (see the daily digest).
pub const NOTICE: &str =
    "There is conflict-of-interest work waiting for you. Sign in to RightTrack to see it.";

// ------------------------------------------------------------------ the reference key

/// Loads (creating on first use) the deployment's customer-reference key into the
/// context. Ingestion needs it; every entry point calls this before `prepare_line`.
pub async fn ensure_key(ctx: &Ctx) -> Result<()> {
    if ctx.conflict_key.get().is_some() {
        return Ok(());
    }
    let settings = match ctx.db.conflict_settings().await? {
        Some(s) => s,
        None => {
            let mut key = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            let sealed = ctx
                .seal(rules::REF_KEY_PURPOSE, &key)
                .map_err(|e| Error::internal(&e))?;
            ctx.db
                .init_conflict_settings(
                    &sealed,
                    rules::DEFAULT_GIFT_THRESHOLD,
                    rules::DEFAULT_GIFT_CURRENCY,
                    ctx.now(),
                )
                .await?;
            // Another instance may have won the race: read back what is stored.
            ctx.db
                .conflict_settings()
                .await?
                .ok_or_else(|| Error::internal(&"conflict settings missing"))?
        }
    };
    let key = ctx
        .open(rules::REF_KEY_PURPOSE, &settings.ref_key_sealed)
        .map_err(|e| Error::internal(&e))?;
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| Error::internal(&"conflict reference key has the wrong length"))?;
    let _ = ctx.conflict_key.set(Secret::new(key));
    Ok(())
}

/// The keyed hash of a customer reference, with the loaded key.
pub fn hash_ref(ctx: &Ctx, customer_ref: &str) -> std::result::Result<[u8; 32], String> {
    let key = ctx
        .conflict_key
        .get()
        .ok_or_else(|| "the conflict-of-interest key is not loaded".to_owned())?;
    Ok(rules::ref_hash(key.expose(), customer_ref))
}

// ------------------------------------------------------------------ settings, findings, routing

/// Sets the value above which a gift needs approval. Audited.
pub async fn set_gift_threshold(
    ctx: &Ctx,
    caller: &Caller,
    threshold: &str,
    currency: &str,
) -> Result<()> {
    ensure_key(ctx).await?;
    let v = rules::parse_money(threshold)
        .map_err(|r| Error::unprocessable(format!("field `threshold`: {r}")))?;
    let c = rules::parse_currency(currency)
        .map_err(|r| Error::unprocessable(format!("field `currency`: {r}")))?;
    ctx.db.set_gift_threshold(v, &c, ctx.now()).await?;
    ctx.audit(
        &caller.actor(),
        "conflicts.gift_threshold_set",
        "",
        json!({"threshold": rules::money(v), "currency": c}),
    )
    .await?;
    Ok(())
}

/// The findings `caller` may see: all for ethics officers, their reporting line's for
/// team leads.
pub async fn visible_hits(
    ctx: &Ctx,
    caller: &Caller,
) -> Result<Vec<righttrack_store::conflicts::Hit>> {
    if allowed(&caller.user.roles, Action::ConflictReview) {
        Ok(ctx.db.conflict_hits(None, 500).await?)
    } else {
        let line = reporting_line(ctx, caller.user.id).await?;
        Ok(ctx.db.conflict_hits(Some(&line), 500).await?)
    }
}

/// The agents a telephony platform should not route this customer to. The reference
/// is hashed and forgotten: it is neither stored nor logged.
pub async fn agents_to_avoid(ctx: &Ctx, customer_ref: &str) -> Result<Vec<String>> {
    if customer_ref.trim().is_empty() {
        return Err(Error::unprocessable("field `customer_ref`: is required"));
    }
    if customer_ref.chars().count() > 200 {
        return Err(Error::unprocessable(
            "field `customer_ref`: is longer than 200 characters",
        ));
    }
    ensure_key(ctx).await?;
    let h = hash_ref(ctx, customer_ref).map_err(|e| Error::internal(&e))?;
    Ok(ctx.db.agents_to_avoid(&h).await?)
}

// ------------------------------------------------------------------ reporting lines

/// Every team, by its id.
async fn teams_by_id(ctx: &Ctx) -> Result<BTreeMap<TeamId, Team>> {
    Ok(ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// The usernames whose management chain includes `lead` (their reporting line).
pub async fn reporting_line(ctx: &Ctx, lead: UserId) -> Result<Vec<String>> {
    let teams = teams_by_id(ctx).await?;
    let mut out = Vec::new();
    for u in ctx.db.list_users().await? {
        let mut at = u.team_id;
        let mut guard = 0;
        while let Some(t) = at.and_then(|t| teams.get(&t)) {
            guard += 1;
            if t.lead_user_id == Some(lead) && u.id != lead {
                out.push(u.username.clone());
                break;
            }
            at = t.parent_team_id;
            if guard > 64 {
                break;
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ for other capabilities

/// A disclosed colleague relationship between two people, as it may be shown to one of
/// them when they decide something about the other (a QA dispute, discipline): who
/// disclosed it, with whom, its review status and date, and whether the two are in the
/// same reporting line. Never the relationship's description.
#[derive(Debug, Clone)]
pub struct RelationNotice {
    pub discloser: String,
    pub colleague: String,
    pub status: String,
    pub submitted: String,
    pub same_line: bool,
}

/// Disclosed colleague relationships between `a` and `b`. The discipline page calls
/// this like the QA dispute page does, so both show the same notice.
pub async fn colleague_relations_between(
    ctx: &Ctx,
    a: UserId,
    b: UserId,
) -> Result<Vec<RelationNotice>> {
    let rels: Vec<ColleagueRelation> = ctx.db.colleague_relations_between(a, b).await?;
    if rels.is_empty() {
        return Ok(Vec::new());
    }
    let same_team = match (
        ctx.db.user_by_id(a).await?.and_then(|u| u.team_id),
        ctx.db.user_by_id(b).await?.and_then(|u| u.team_id),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    };
    let same_line = same_team
        || ctx.db.management_chain(a).await?.contains(&b)
        || ctx.db.management_chain(b).await?.contains(&a);
    Ok(rels
        .into_iter()
        .map(|r| RelationNotice {
            discloser: r.discloser,
            colleague: r.colleague,
            status: r.status,
            submitted: day(r.submitted_at),
            same_line,
        })
        .collect())
}

/// Who campaign `c` asks, and the ids (as text) of those who have answered it.
async fn campaign_people(ctx: &Ctx, c: &Campaign) -> Result<(Vec<User>, BTreeSet<String>)> {
    let audience = Audience::from_json(&c.audience).map_err(|e| Error::internal(&e))?;
    let members = ctx.db.audience_members(&audience).await?;
    let answered = ctx
        .db
        .campaign_respondents(&c.id)
        .await?
        .into_iter()
        .collect();
    Ok((members, answered))
}

// ------------------------------------------------------------------ notifications

/// Writes today's content-free notification for everyone with conflict-of-interest
/// work waiting: reviewers with undecided disclosures, people a campaign still waits
/// for, leads (and ethics officers) with findings from the last day. Returns how many
/// were new. The line is the same for all of them and names nothing.
pub async fn notify(ctx: &Ctx, now: Timestamp) -> Result<usize> {
    let today = day(now);
    let users = ctx.db.list_users().await?;
    let mut who: BTreeSet<UserId> = BTreeSet::new();
    let by_name: BTreeMap<&str, &User> = users.iter().map(|u| (u.username.as_str(), u)).collect();
    for d in ctx.db.disclosures(Some("submitted"), None, 10_000).await? {
        if let Some(u) = d.reviewer.as_deref().and_then(|r| by_name.get(r)) {
            who.insert(u.id);
        }
    }
    for c in ctx.db.conflict_campaigns().await? {
        if c.due_at
            .checked_add(jiff::SignedDuration::from_hours(24 * 30))
            .is_ok_and(|t| t < now)
        {
            continue;
        }
        let (members, answered) = campaign_people(ctx, &c).await?;
        for m in members {
            if !answered.contains(&m.id.to_string()) {
                who.insert(m.id);
            }
        }
    }
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap_or(now);
    let recent: Vec<String> = ctx
        .db
        .conflict_hits(None, 10_000)
        .await?
        .into_iter()
        .filter(|h| h.at >= since)
        .map(|h| h.agent)
        .collect();
    for agent in recent {
        if let Some(u) = by_name.get(agent.as_str()) {
            for lead in ctx.db.management_chain(u.id).await? {
                who.insert(lead);
            }
        }
    }
    let mut new = 0;
    for u in who {
        if ctx.db.merge_notification(u, &today, NOTICE, now).await? {
            new += 1;
        }
    }
    Ok(new)
}
