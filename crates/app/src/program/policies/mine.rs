//! Policies, the employee's and the team lead's pages: what I must attest, every
//! published policy, my attestations, reading one policy with what I need to attest it,
//! and the open attestations of the teams I lead.

use super::{open_assignment, sync, team_open, team_overdue, TeamRow};
use crate::{Caller, Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::UserId;
use righttrack_core::policies as rules;
use righttrack_store::policies::{Evidence, MyAssignment, Policy, Version};

/// The team page: the open attestations of the teams the caller leads, and how many
/// people are overdue.
pub async fn team(ctx: &Ctx, caller: &Caller) -> Result<(Vec<TeamRow>, usize)> {
    let now = ctx.now();
    sync(ctx, None, now).await?;
    let rows = team_open(ctx, &caller.user, now).await?;
    let overdue = team_overdue(ctx, &caller.user, now).await?.len();
    Ok((rows, overdue))
}

/// One policy on "My policies".
pub struct MyRow {
    pub slug: String,
    pub title: String,
    pub version: i64,
    pub due: String,
    pub status: &'static str,
    pub attested: String,
}

/// One of my attestations.
pub struct EvidenceRow {
    pub slug: String,
    pub policy: String,
    pub version: i64,
    pub hash: String,
    pub at: String,
    pub method: String,
    pub score: String,
}

impl EvidenceRow {
    fn of(e: Evidence, slug: String) -> Self {
        EvidenceRow {
            slug,
            policy: e.policy,
            version: e.version_number,
            hash: e.version_hash,
            at: minute(e.attested_at),
            method: e.method,
            score: e
                .score
                .map(|s| format!("{s}%"))
                .unwrap_or_else(|| "no quiz".into()),
        }
    }
}

/// A person's attestations, of one policy or all.
async fn evidence_rows(ctx: &Ctx, me: UserId, only: Option<&Policy>) -> Result<Vec<EvidenceRow>> {
    let slugs: Vec<(String, String)> = match only {
        Some(p) => vec![(p.id.clone(), p.slug.clone())],
        None => ctx
            .db
            .policies()
            .await?
            .into_iter()
            .map(|p| (p.id, p.slug))
            .collect(),
    };
    Ok(ctx
        .db
        .my_evidence(me)
        .await?
        .into_iter()
        .filter(|e| only.is_none_or(|p| e.policy_id == p.id))
        .map(|e| {
            let slug = slugs
                .iter()
                .find(|(id, _)| *id == e.policy_id)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            EvidenceRow::of(e, slug)
        })
        .collect())
}

/// "My policies": to attest (overdue first), every published policy, my attestations.
pub struct Mine {
    pub open: Vec<MyRow>,
    pub published: Vec<MyRow>,
    pub evidence: Vec<EvidenceRow>,
}

fn open_status(due: Timestamp, now: Timestamp) -> &'static str {
    if rules::is_overdue(due, now) {
        "overdue"
    } else {
        "to attest"
    }
}

/// The caller's policies (assigning what they newly must attest first).
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<Mine> {
    let now = ctx.now();
    let me = caller.user.id;
    sync(ctx, Some(&caller.user), now).await?;
    let assigned = ctx.db.my_assignments(me).await?;
    let open = assigned
        .iter()
        .filter(|a| a.attested_at.is_none())
        .map(|a| MyRow {
            slug: a.slug.clone(),
            title: a.title.clone(),
            version: a.cycle_number,
            due: day(a.due_at),
            status: open_status(a.due_at, now),
            attested: String::new(),
        })
        .collect();
    let published = ctx
        .db
        .published()
        .await?
        .into_iter()
        .map(|(p, v)| {
            let a = assigned.iter().find(|a| a.policy_id == p.id);
            MyRow {
                slug: p.slug,
                title: p.title,
                version: v.number,
                due: String::new(),
                status: match a {
                    Some(a) if a.attested_at.is_some() => "attested",
                    Some(a) => open_status(a.due_at, now),
                    None => "for reference",
                },
                attested: a.and_then(|a| a.attested_at).map(day).unwrap_or_default(),
            }
        })
        .collect();
    let evidence = evidence_rows(ctx, me, None).await?;
    Ok(Mine {
        open,
        published,
        evidence,
    })
}

/// One of my quiz attempts.
pub struct AttemptRow {
    pub at: String,
    pub version: i64,
    pub score: i64,
    pub passed: bool,
    pub method: String,
}

/// A published policy as the caller reads it.
pub struct Read {
    pub p: Policy,
    pub v: Version,
    /// An open assignment: the due day and whether it is overdue.
    pub to_attest: Option<(String, bool)>,
    /// The version the caller last attested, if any.
    pub last: Option<Version>,
    pub attempts: Vec<AttemptRow>,
    pub evidence: Vec<EvidenceRow>,
}

/// A published policy and its version; "nothing here" when it has none.
pub async fn published(ctx: &Ctx, key: &str) -> Result<(Policy, Version)> {
    let Some(p) = ctx.db.policy(key).await? else {
        return Err(Error::not_found());
    };
    let Some(v) = ctx.db.published_version(&p.id).await? else {
        return Err(Error::not_found());
    };
    Ok((p, v))
}

/// A published policy with what the caller must do about it, their attempts and their
/// attestations of it.
pub async fn read(ctx: &Ctx, caller: &Caller, key: &str) -> Result<Read> {
    let now = ctx.now();
    let me = caller.user.id;
    let (p, v) = published(ctx, key).await?;
    sync(ctx, Some(&caller.user), now).await?;
    let to_attest = match open_assignment(ctx, &p, &caller.user).await? {
        Some((_, d, None)) => Some((day(d), rules::is_overdue(d, now))),
        _ => None,
    };
    let last = ctx.db.last_attested(&p.id, me).await?;
    let attempts = ctx
        .db
        .attempts(&p.id, me)
        .await?
        .into_iter()
        .map(|a| AttemptRow {
            at: minute(a.at),
            version: a.version_number,
            score: a.score,
            passed: a.passed,
            method: a.method,
        })
        .collect();
    let evidence = evidence_rows(ctx, me, Some(&p)).await?;
    Ok(Read {
        p,
        v,
        to_attest,
        last,
        attempts,
        evidence,
    })
}

/// Every published policy with its version.
pub async fn all_published(ctx: &Ctx) -> Result<Vec<(Policy, Version)>> {
    Ok(ctx.db.published().await?)
}

/// The caller's open attestations and attestations made (the API).
pub async fn attestations(
    ctx: &Ctx,
    caller: &Caller,
) -> Result<(Vec<MyAssignment>, Vec<Evidence>)> {
    sync(ctx, Some(&caller.user), ctx.now()).await?;
    let open = ctx
        .db
        .my_assignments(caller.user.id)
        .await?
        .into_iter()
        .filter(|a| a.attested_at.is_none())
        .collect();
    Ok((open, ctx.db.my_evidence(caller.user.id).await?))
}
