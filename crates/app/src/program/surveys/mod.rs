//! Climate survey use cases shared by the survey pages and the dashboard: loading a wave,
//! closing it (by hand or once its closing date passed), and what a closed wave releases.
//!
//! The release plan is computed on the first look after the close and stored; every
//! later look starts from the stored cells, so a raised threshold only ever withholds
//! more (see `core::surveys::release`). The dashboard reads a wave only through
//! [`released_indices`], the organisation-wide indices as the plan releases them.

pub mod pages;

use crate::{Caller, Ctx, Error, Result};
use jiff::civil::Date;
use righttrack_core::surveys::release::{
    plan, role_band, tenure_band, view, Plan, View, ALL, NONE,
};
use righttrack_core::surveys::results::{self, CellResult, Domain, Response as SurveyResponse};
use righttrack_core::surveys::{Dims, Thresholds, WaveStatus};
use righttrack_store::directory::{Team, User};
use righttrack_store::surveys::{Survey, Wave};
use serde_json::json;
use std::collections::BTreeSet;

/// A person's reporting dimensions now: their team's and its site's ids ("none"
/// without a team), their role band and tenure band.
pub fn dims_of(u: &User, team: Option<&Team>, now: jiff::Timestamp) -> Dims {
    Dims {
        team: team.map_or(NONE.into(), |t| t.id.to_string()),
        site: team.map_or(NONE.into(), |t| t.site_id.to_string()),
        role: role_band(&u.roles).to_owned(),
        tenure: tenure_band(u.created_at, now).to_owned(),
    }
}

/// The names a comment must not carry: everyone's display name and username.
pub fn people_names(users: &[User]) -> Vec<String> {
    users
        .iter()
        .flat_map(|u| [u.display_name.clone(), u.username.clone()])
        .collect()
}

/// Today's date in UTC (waves open and close on dates).
pub fn today(ctx: &Ctx) -> Date {
    ctx.now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

pub async fn load(ctx: &Ctx, wave: &str) -> Result<(Survey, Wave)> {
    let Some(w) = ctx.db.wave(wave).await? else {
        return Err(Error::not_found());
    };
    let Some(s) = ctx.db.survey(&w.survey_id).await? else {
        return Err(Error::not_found());
    };
    Ok((s, w))
}

pub fn views_of(w: &Wave) -> Vec<&'static View> {
    w.views.iter().filter_map(|k| view(k)).collect()
}

/// Closes a wave whose closing date has passed (on the next look at it).
pub async fn autoclose(ctx: &Ctx, w: Wave) -> Result<Wave> {
    if w.status == WaveStatus::Open && today(ctx) > w.closes_on {
        close(ctx, &w, "system", "the closing date passed").await?;
        return ctx.db.wave(&w.id).await?.ok_or_else(Error::not_found);
    }
    Ok(w)
}

pub async fn close(ctx: &Ctx, w: &Wave, actor: &str, why: &str) -> Result<bool> {
    if !ctx.db.close_wave(&w.id, ctx.now()).await? {
        return Ok(false);
    }
    let p = ctx.db.survey_participation(&w.id).await?;
    ctx.audit(
        actor,
        "survey.wave_closed",
        &w.id,
        json!({
            "why": why,
            "invited": p.iter().map(|x| x.invited).sum::<u64>(),
            "responded": p.iter().map(|x| x.responded).sum::<u64>(),
        }),
    )
    .await?;
    Ok(true)
}

/// What a closed wave releases, and its responses. The first look after the close
/// computes and stores the plan; every later one starts from the stored cells, so a
/// raised threshold only ever withholds more (see `core::surveys::release`).
pub struct Released {
    pub plan: Plan,
    pub comments: Plan,
    pub responses: Vec<SurveyResponse>,
    pub views: Vec<&'static View>,
}

pub async fn released(ctx: &Ctx, w: &Wave) -> Result<Option<Released>> {
    if w.status != WaveStatus::Closed {
        return Ok(None);
    }
    let responses = ctx.db.survey_responses(&w.id).await?;
    let dims: Vec<Dims> = responses.iter().map(|r| r.dims.clone()).collect();
    let views = views_of(w);
    let t = w.thresholds;
    let p = plan(&dims, &views, t.min_group, w.released.as_ref());
    let within: BTreeSet<String> = match &w.released_comments {
        Some(c) => c.intersection(&p.released).cloned().collect(),
        None => p.released.clone(),
    };
    let c = plan(&dims, &views, t.min_comments, Some(&within));
    if w.released.as_ref() != Some(&p.released) || w.released_comments.as_ref() != Some(&c.released)
    {
        ctx.db
            .set_wave_release(&w.id, &p.released, &c.released)
            .await?;
    }
    Ok(Some(Released {
        plan: p,
        comments: c,
        responses,
        views,
    }))
}

/// Every value rows are listed for. "No team" only when someone invited has none (the
/// invitations say so, never the responses).
pub async fn domain(ctx: &Ctx, w: &Wave) -> Result<Domain> {
    let nameless = ctx
        .db
        .survey_participation(&w.id)
        .await?
        .iter()
        .any(|p| p.team.is_none());
    let teams = ctx.db.list_teams().await?;
    let sites = ctx.db.list_sites().await?;
    let mut d = Domain {
        teams: ids_by_name(teams.into_iter().map(|t| (t.name, t.id.to_string()))),
        sites: ids_by_name(sites.into_iter().map(|s| (s.name, s.id.to_string()))),
    };
    if nameless {
        d.teams.push(NONE.into());
        d.sites.push(NONE.into());
    }
    Ok(d)
}

/// The ids of (name, id) pairs, in the order of their names (ties by id).
fn ids_by_name(named: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let mut named: Vec<_> = named.collect();
    named.sort();
    named.into_iter().map(|(_, id)| id).collect()
}

/// The organisation-wide climate indices of a closed wave as its release plan releases
/// them, for the dashboard: (index key, share favourable) for each index its questions
/// measure, the share `None` when the everyone-cell is not released; `None` when the
/// wave is not closed. Nothing else of the wave is read out.
pub async fn released_indices(ctx: &Ctx, w: &Wave) -> Result<Option<Vec<(String, Option<f64>)>>> {
    let Some(s) = ctx.db.survey(&w.survey_id).await? else {
        return Ok(None);
    };
    let Some(r) = released(ctx, w).await? else {
        return Ok(None);
    };
    Ok(Some(
        match results::cell(&s.questions, &r.responses, &r.plan, &r.comments, ALL) {
            CellResult::Shown { indices, .. } => {
                indices.into_iter().map(|i| (i.key, i.favourable)).collect()
            }
            CellResult::Suppressed { .. } => {
                let mut keys: Vec<String> =
                    s.questions.iter().filter_map(|q| q.index.clone()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().map(|k| (k, None)).collect()
            }
        },
    ))
}

/// Launches a draft wave: invites everyone its audience includes now. Refused once
/// launched, after its closing date, or when the audience includes nobody.
pub async fn launch(ctx: &Ctx, actor: &Caller, wave: &str) -> Result<Wave> {
    let (_, w) = load(ctx, wave).await?;
    if w.status != WaveStatus::Draft {
        return Err(Error::conflict("The wave was already launched."));
    }
    if w.closes_on < today(ctx) {
        return Err(Error::unprocessable(
            "field `closes`: the closing date has passed; change it first",
        ));
    }
    let invited: Vec<_> = ctx
        .db
        .audience_members(&w.audience)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    if invited.is_empty() {
        return Err(Error::unprocessable("field `audience`: it includes nobody"));
    }
    if !ctx.db.launch_wave(&w.id, &invited, ctx.now()).await? {
        return Err(Error::conflict("The wave was already launched."));
    }
    ctx.audit(
        &actor.actor(),
        "survey.wave_launched",
        &w.id,
        json!({"invited": invited.len(), "min_group": w.thresholds.min_group, "min_comments": w.thresholds.min_comments}),
    )
    .await?;
    Ok(w)
}

/// An officer closes an open wave now.
pub async fn close_now(ctx: &Ctx, actor: &Caller, wave: &str) -> Result<Wave> {
    let (_, w) = load(ctx, wave).await?;
    if !close(ctx, &w, &actor.actor(), "closed by an officer").await? {
        return Err(Error::conflict("Only an open wave can be closed."));
    }
    Ok(w)
}

/// Stores a wave's new thresholds (already checked by `core::surveys::check_thresholds`)
/// and, for a closed wave, shrinks its stored release to them at once.
pub async fn set_thresholds(ctx: &Ctx, actor: &Caller, w: &Wave, new: Thresholds) -> Result<()> {
    ctx.db.set_wave_thresholds(&w.id, new).await?;
    ctx.audit(
        &actor.actor(),
        "survey.thresholds_changed",
        &w.id,
        json!({"from": w.thresholds, "to": new, "status": w.status.as_str()}),
    )
    .await?;
    if let Some(w) = ctx.db.wave(&w.id).await? {
        released(ctx, &w).await?;
    }
    Ok(())
}
