//! Disclosures and campaigns: declaring, deciding, reading and reporting coverage.
//!
//! What people type is sealed before it is stored and opened only here; a relation's
//! customer references are kept only as keyed hashes (see [`super::hash_ref`]). Reading
//! a disclosure goes through [`load_visible`], which answers "not found" to anyone but
//! the discloser and ethics officers (so a stranger cannot tell a hidden disclosure from
//! a missing one) and audits every reading by someone else. Audit details carry ids and
//! kinds, never content.

use super::{ensure_key, hash_ref};
use crate::{Ctx, Error, Result};
use righttrack_core::audience::{Audience, Member};
use righttrack_core::authz::allowed;
use righttrack_core::conflicts::{self as rules, Decision, Details, Fields, Kind, Occasion};
use righttrack_core::ids::TeamId;
use righttrack_core::{Action, Role};
use righttrack_store::conflicts::{
    Campaign, DecisionRecord, DisclosureRow, NewDisclosure, NewMitigation,
};
use righttrack_store::directory::User;
use serde_json::json;
use std::collections::BTreeMap;

/// May `caller` read this disclosure? The discloser, and ethics officers (its assigned
/// reviewer is one). Being named reviewer is not enough on its own: a reviewer who no
/// longer holds the role, or who calls through an API token (which never carries a role
/// that needs a second factor), does not read it.
fn may_view(viewer: &User, d: &DisclosureRow) -> bool {
    d.user_id == viewer.id.to_string() || allowed(&viewer.roles, Action::ConflictReview)
}

/// Loads a disclosure the caller may read, auditing a reading by anyone else than
/// the discloser. 404 for everyone else, as for a disclosure that does not exist.
pub async fn load_visible(ctx: &Ctx, viewer: &User, id: &str) -> Result<DisclosureRow> {
    let Some(d) = ctx.db.disclosure(id).await? else {
        return Err(Error::not_found());
    };
    if !may_view(viewer, &d) {
        return Err(Error::not_found());
    }
    if d.user_id != viewer.id.to_string() {
        ctx.audit(
            &viewer.id.to_string(),
            "conflicts.disclosure_viewed",
            &d.id,
            json!({"kind": d.kind}),
        )
        .await?;
    }
    Ok(d)
}

pub fn open_details(ctx: &Ctx, d: &DisclosureRow) -> Result<Details> {
    match &d.details_sealed {
        None => Ok(Details::default()),
        Some(s) => {
            let bytes = ctx
                .open(rules::SEAL_PURPOSE, s)
                .map_err(|e| Error::internal(&e))?;
            serde_json::from_slice(&bytes).map_err(|e| Error::internal(&e))
        }
    }
}

pub fn open_text(ctx: &Ctx, sealed: Option<&[u8]>) -> Result<String> {
    match sealed {
        None => Ok(String::new()),
        Some(s) => {
            let b = ctx
                .open(rules::SEAL_PURPOSE, s)
                .map_err(|e| Error::internal(&e))?;
            String::from_utf8(b).map_err(|e| Error::internal(&e))
        }
    }
}

fn seal_text(ctx: &Ctx, s: &str) -> Result<Vec<u8>> {
    ctx.seal(rules::SEAL_PURPOSE, s.as_bytes())
        .map_err(|e| Error::internal(&e))
}

fn field_error(e: rules::FieldError) -> Error {
    Error::unprocessable(e.to_string())
}

// ------------------------------------------------------------------ submitting

/// Checks, seals, hashes, routes and stores one disclosure by `user`. Audited.
pub async fn submit(
    ctx: &Ctx,
    user: &User,
    fields: &Fields,
    occasion: &str,
    campaign: &str,
) -> Result<String> {
    let s = rules::check(fields).map_err(field_error)?;
    let occasion = Occasion::parse(occasion).ok_or_else(|| {
        Error::unprocessable("field `occasion`: expected campaign, hire or ad_hoc")
    })?;
    let campaign = match (occasion, campaign.trim()) {
        (Occasion::Campaign, "") => {
            return Err(Error::unprocessable(
                "field `campaign`: required when answering a campaign",
            ))
        }
        (Occasion::Campaign, c) => {
            let found = ctx
                .db
                .conflict_campaigns()
                .await?
                .into_iter()
                .find(|x| x.id == c);
            let Some(found) = found else {
                return Err(Error::unprocessable("field `campaign`: no such campaign"));
            };
            if !in_audience(ctx, &found, user).await? {
                return Err(Error::unprocessable(
                    "field `campaign`: this campaign does not ask you",
                ));
            }
            Some(found.id)
        }
        _ => None,
    };
    let colleague = match &s.colleague {
        None => None,
        Some(name) => match ctx.db.user_by_username(name).await? {
            Some(c) if c.id != user.id => Some(c),
            Some(_) => {
                return Err(Error::unprocessable(
                    "field `colleague`: name someone other than yourself",
                ))
            }
            None => {
                return Err(Error::unprocessable(
                    "field `colleague`: no user has that username",
                ))
            }
        },
    };
    ensure_key(ctx).await?;
    let settings = ctx
        .db
        .conflict_settings()
        .await?
        .ok_or_else(|| Error::internal(&"conflict settings missing"))?;
    let needs_approval = match (s.gift_value, &s.gift_currency) {
        (Some(v), Some(c)) => {
            rules::gift_needs_approval(v, c, settings.gift_threshold, &settings.gift_currency)
        }
        _ => false,
    };
    // Nothing to declare and gifts within the threshold are recorded; the rest is
    // reviewed.
    let reviewed = match s.kind {
        Kind::Nothing => false,
        Kind::Gift => needs_approval,
        _ => true,
    };
    let reviewer = if reviewed {
        let counts: BTreeMap<String, i64> =
            ctx.db.open_review_counts().await?.into_iter().collect();
        let officers: Vec<String> = ctx
            .db
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.has(Role::EthicsOfficer) && !u.disabled)
            .map(|u| u.username)
            .collect();
        let rs: Vec<rules::Reviewer> = officers
            .iter()
            .map(|o| rules::Reviewer {
                username: o,
                open_reviews: counts.get(o).copied().unwrap_or(0).try_into().unwrap_or(0),
            })
            .collect();
        rules::route(
            &rs,
            &user.username,
            colleague.as_ref().map(|c| c.username.as_str()),
        )
        .map(str::to_owned)
    } else {
        None
    };
    let details_sealed = if s.kind == Kind::Nothing {
        None
    } else {
        let j = serde_json::to_vec(&s.details).map_err(|e| Error::internal(&e))?;
        Some(
            ctx.seal(rules::SEAL_PURPOSE, &j)
                .map_err(|e| Error::internal(&e))?,
        )
    };
    let mut ref_hashes = Vec::with_capacity(s.customer_refs.len());
    for r in &s.customer_refs {
        ref_hashes.push(hash_ref(ctx, r).map_err(|e| Error::internal(&e))?);
    }
    let now = ctx.now();
    let id = ctx
        .db
        .create_disclosure(
            &NewDisclosure {
                user: user.id,
                username: user.username.clone(),
                campaign,
                occasion: occasion.as_str(),
                kind: s.kind.as_str(),
                status: if reviewed { "submitted" } else { "recorded" },
                details_sealed,
                colleague: colleague.map(|c| c.id),
                gift_direction: s.gift_direction,
                gift_value: s.gift_value,
                gift_currency: s.gift_currency.clone(),
                needs_approval,
                reviewer: reviewer.clone(),
                ref_hashes,
                at: now,
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx
        .audit(
            &user.id.to_string(),
            "conflicts.disclosed",
            &id,
            json!({"kind": s.kind.as_str(), "occasion": occasion.as_str(), "reviewer": reviewer, "needs_approval": needs_approval}),
        )
        .await?;
    Ok(id)
}

/// Is `user` in the campaign's audience?
async fn in_audience(ctx: &Ctx, c: &Campaign, user: &User) -> Result<bool> {
    let audience = Audience::from_json(&c.audience).map_err(|e| Error::internal(&e))?;
    let teams = ctx.db.list_teams().await?;
    let site = user
        .team_id
        .and_then(|t| teams.iter().find(|x| x.id == t).map(|x| x.site_id));
    Ok(audience.includes(Member {
        roles: &user.roles,
        team: user.team_id,
        site,
    }))
}

/// Campaigns that ask `user` and that they have not answered yet.
pub async fn pending_campaigns(ctx: &Ctx, user: &User) -> Result<Vec<Campaign>> {
    let mut out = Vec::new();
    for c in ctx.db.conflict_campaigns().await? {
        if in_audience(ctx, &c, user).await?
            && !ctx
                .db
                .campaign_respondents(&c.id)
                .await?
                .contains(&user.id.to_string())
        {
            out.push(c);
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ deciding

/// What an ethics officer decided, as typed.
pub struct DecisionInput<'a> {
    pub decision: &'a str,
    pub rationale: &'a str,
    pub mitigation: &'a str,
    pub owner: &'a str,
    /// YYYY-MM-DD
    pub review_date: &'a str,
}

/// Records a decision on disclosure `id` by `by` (an ethics officer: the route
/// checks the role). Audited.
pub async fn decide(ctx: &Ctx, by: &User, id: &str, input: DecisionInput<'_>) -> Result<()> {
    let d = load_visible(ctx, by, id).await?;
    if d.user_id == by.id.to_string() || d.colleague.as_deref() == Some(by.username.as_str()) {
        return Err(Error::new(
            crate::Kind::Forbidden,
            "You cannot review a disclosure that is yours or names you.",
        ));
    }
    if d.status != "submitted" {
        return Err(Error::new(
            crate::Kind::Conflict,
            "This disclosure is already decided.",
        ));
    }
    let decision = Decision::parse(input.decision).ok_or_else(|| {
        Error::unprocessable("field `decision`: expected approve, mitigate or reject")
    })?;
    let rationale = rules::text("rationale", input.rationale, true).map_err(field_error)?;
    let now = ctx.now();
    let mitigation = if decision == Decision::Mitigate {
        let text = rules::text("mitigation", input.mitigation, true).map_err(field_error)?;
        let owner = input.owner.trim();
        if owner.is_empty() {
            return Err(Error::unprocessable("field `owner`: is required"));
        }
        if ctx.db.user_by_username(owner).await?.is_none() {
            return Err(Error::unprocessable(
                "field `owner`: no user has that username",
            ));
        }
        let date: jiff::civil::Date = input.review_date.trim().parse().map_err(|_| {
            Error::unprocessable("field `review_date`: expected a date as YYYY-MM-DD")
        })?;
        let review_at = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|_| Error::unprocessable("field `review_date`: out of range"))?;
        if review_at <= now {
            return Err(Error::unprocessable(
                "field `review_date`: must be in the future",
            ));
        }
        Some(NewMitigation {
            text_sealed: seal_text(ctx, &text)?,
            owner: owner.to_owned(),
            review_at,
        })
    } else {
        None
    };
    let done = ctx
        .db
        .decide_disclosure(
            id,
            &DecisionRecord {
                status: decision.status(),
                by: &by.username,
                at: now,
                rationale_sealed: &seal_text(ctx, &rationale)?,
            },
            mitigation.as_ref(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    if !done {
        return Err(Error::new(
            crate::Kind::Conflict,
            "This disclosure is already decided.",
        ));
    }
    ctx.audit(
        &by.id.to_string(),
        "conflicts.disclosure_decided",
        id,
        json!({"decision": decision.status(), "mitigation": mitigation.is_some()}),
    )
    .await?;
    Ok(())
}

/// Opens a yearly campaign. Audited.
pub async fn open_campaign(
    ctx: &Ctx,
    by: &User,
    year: &str,
    due: &str,
    roles: &[String],
    teams: &[String],
) -> Result<String> {
    let year: i64 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Error::unprocessable("field `year`: expected a year such as 2026"))?;
    let due: jiff::civil::Date = due
        .trim()
        .parse()
        .map_err(|_| Error::unprocessable("field `due`: expected a date as YYYY-MM-DD"))?;
    let due_at = due
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| Error::unprocessable("field `due`: out of range"))?;
    let now = ctx.now();
    if due_at <= now {
        return Err(Error::unprocessable("field `due`: must be in the future"));
    }
    let mut audience = Audience::everyone();
    for r in roles.iter().filter(|r| !r.is_empty()) {
        audience
            .roles
            .push(Role::parse(r).map_err(|_| Error::unprocessable("field `role`: unknown role"))?);
    }
    for t in teams.iter().filter(|t| !t.is_empty()) {
        audience.teams.push(
            TeamId::parse(t).ok_or_else(|| Error::unprocessable("field `team`: unknown team"))?,
        );
    }
    let id = ctx
        .db
        .open_conflict_campaign(
            year,
            due_at,
            &audience.to_json(),
            &by.username,
            now,
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &by.id.to_string(),
        "conflicts.campaign_opened",
        &id,
        json!({"year": year, "due": due.to_string(), "audience": audience}),
    )
    .await?;
    Ok(id)
}

/// Coverage of the newest (or the named) campaign, per team and per site, with small
/// groups suppressed.
pub async fn coverage(
    ctx: &Ctx,
    campaign: Option<&str>,
) -> Result<Option<(Campaign, Vec<rules::CoverageRow>, Vec<rules::CoverageRow>)>> {
    let campaigns = ctx.db.conflict_campaigns().await?;
    let c = match campaign.filter(|c| !c.is_empty()) {
        Some(id) => campaigns.into_iter().find(|c| c.id == id),
        None => campaigns.into_iter().next(),
    };
    let Some(c) = c else { return Ok(None) };
    let (members, answered) = super::campaign_people(ctx, &c).await?;
    let teams = super::teams_by_id(ctx).await?;
    let mut by_team: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_site: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in &members {
        let done = usize::from(answered.contains(&m.id.to_string()));
        let (team, site) = match m.team_id.and_then(|t| teams.get(&t)) {
            Some(t) => (t.name.clone(), t.site_name.clone()),
            None => ("(no team)".to_owned(), "(no site)".to_owned()),
        };
        let e = by_team.entry(team).or_default();
        e.0 += 1;
        e.1 += done;
        let e = by_site.entry(site).or_default();
        e.0 += 1;
        e.1 += done;
    }
    let rows = |m: BTreeMap<String, (usize, usize)>| {
        rules::suppress(
            m.into_iter()
                .map(|(name, (members, submitted))| rules::Group {
                    name,
                    members,
                    submitted,
                })
                .collect(),
        )
    };
    Ok(Some((c, rows(by_team), rows(by_site))))
}
