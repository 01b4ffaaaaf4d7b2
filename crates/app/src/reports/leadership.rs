//! Leaders held to what they ask of others: one view per leader (the lead of a team, and
//! so of the teams under it), shown to the leader, to the leaders of the teams above
//! theirs, and to the ethics office and the audit committee.
//!
//! It shows the leader's own attestations, data-access training and conflict-of-interest
//! disclosure; their teams' climate indices as the survey released them; their
//! discipline decisions beside comparable cases; their overrides of QA scores and how
//! many were overturned; and the promises their teams made to customers and kept. Every
//! figure is one the leader's own pages or the program's reports already show someone;
//! nothing identifies a survey respondent (only released cells are read) or a reporter
//! (the hotline is not read at all).

use crate::program::surveys::released;
use crate::{Caller, Ctx, Error, Result};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::ids::{TeamId, UserId};
use righttrack_core::surveys::results::{cell, CellResult};
use righttrack_core::surveys::WaveStatus;
use righttrack_store::directory::{Team, User};
use righttrack_store::discipline::RecordFilter;
use righttrack_store::interactions::Grouping;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;

/// How far back decisions, overrides and promises are counted.
pub const WINDOW_DAYS: i64 = 365;

/// A leader the caller may look at.
#[derive(Debug, Clone, Serialize)]
pub struct Leader {
    pub username: String,
    pub display_name: String,
    /// The teams they lead, by name.
    pub teams: Vec<String>,
}

/// The leader's own part of the program.
#[derive(Debug, Clone, Serialize)]
pub struct Own {
    /// Policy attestations: done, waiting and past their due date.
    pub attested: usize,
    pub waiting: usize,
    pub overdue: usize,
    /// "current until …", "expired …" or "not completed".
    pub data_access_training: String,
    /// At least one conflict-of-interest disclosure on file (a "nothing to declare"
    /// counts).
    pub disclosed: bool,
}

/// One team's climate indices from the latest closed wave, as released.
#[derive(Debug, Clone, Serialize)]
pub struct Climate {
    pub team: String,
    pub wave: String,
    /// (index, share favourable in per cent); `None` while the cell is not released.
    pub indices: Option<Vec<(String, Option<f64>)>>,
    /// The wave of the same survey closed before it, when there is one.
    pub previous_wave: Option<String>,
    /// Indices that fell by [`FELL_BY`] points or more since the previous wave, both
    /// released: "index: 80 % → 55 %".
    pub fell: Vec<String>,
}

/// A fall in a climate index, in percentage points, that the view points out.
pub const FELL_BY: f64 = 10.0;

type Indices = Vec<(String, Option<f64>)>;

/// One team's released indices in one closed wave; `None` while suppressed.
async fn team_indices(
    ctx: &Ctx,
    w: &righttrack_store::surveys::Wave,
    teams: &[&Team],
) -> Result<Vec<Option<Indices>>> {
    let survey = ctx.db.survey(&w.survey_id).await?;
    let rel = released(ctx, w).await?;
    Ok(teams
        .iter()
        .map(|t| match (&survey, &rel) {
            (Some(s), Some(r)) => match cell(
                &s.questions,
                &r.responses,
                &r.plan,
                &r.comments,
                &format!("team:{}", t.id),
            ) {
                CellResult::Shown { indices, .. } => Some(
                    indices
                        .into_iter()
                        .map(|i| (i.key, i.favourable.map(|f| f * 100.0)))
                        .collect(),
                ),
                CellResult::Suppressed { .. } => None,
            },
            _ => None,
        })
        .collect())
}

/// The leader's discipline decisions in the window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Decisions {
    pub made: usize,
    /// Harsher or milder than the median of comparable cases.
    pub deviating: usize,
    /// Deviating ones that carry no rationale for the person affected.
    pub deviating_without_rationale: usize,
}

/// A team's promises to customers in the window.
#[derive(Debug, Clone, Serialize)]
pub struct Promises {
    pub team: String,
    pub kept: i64,
    pub broken: i64,
    pub open: i64,
    pub kept_pct: Option<f64>,
}

/// The whole view of one leader.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub leader: Leader,
    pub window_days: i64,
    pub own: Own,
    pub climate: Vec<Climate>,
    pub decisions: Decisions,
    pub overrides: i64,
    pub overrides_overturned: i64,
    pub promises: Vec<Promises>,
    /// For the leader's own eyes only: agents of their teams whose load stands out over
    /// the current and the previous month, as prompts to act (never a score).
    pub strain: Vec<TeamStrain>,
}

/// The strain prompts of one team.
#[derive(Debug, Clone, Serialize)]
pub struct TeamStrain {
    pub team: String,
    pub agents: Vec<righttrack_core::fairness::Strain>,
}

/// The teams `lead` leads, and every team below them.
fn led_and_below(teams: &[Team], lead: UserId) -> Vec<&Team> {
    let mut set: BTreeSet<TeamId> = teams
        .iter()
        .filter(|t| t.lead_user_id == Some(lead))
        .map(|t| t.id)
        .collect();
    // Parents may be listed after their children: repeat until nothing is added.
    loop {
        let before = set.len();
        for t in teams {
            if t.parent_team_id.is_some_and(|p| set.contains(&p)) {
                set.insert(t.id);
            }
        }
        if set.len() == before {
            break;
        }
    }
    teams.iter().filter(|t| set.contains(&t.id)).collect()
}

/// Sees every leader: the ethics office and the audit committee.
fn oversees_all(caller: &Caller) -> bool {
    allowed(&caller.user.roles, Action::LeadershipOversee)
}

/// The leaders the caller may look at, with their accounts: themselves when they lead a
/// team, the leads of the teams below the teams they lead, and everyone for the ethics
/// office and the audit committee. By display name.
fn visible<'u>(teams: &[Team], users: &'u [User], caller: &Caller) -> Vec<(Leader, &'u User)> {
    let visible: Vec<&Team> = if oversees_all(caller) {
        teams.iter().collect()
    } else {
        led_and_below(teams, caller.user.id)
    };
    let mut out: Vec<(Leader, &User)> = users
        .iter()
        .filter(|u| !u.disabled)
        .filter_map(|u| {
            let theirs: Vec<String> = visible
                .iter()
                .filter(|t| t.lead_user_id == Some(u.id))
                .map(|t| t.name.clone())
                .collect();
            (!theirs.is_empty()).then(|| {
                let leader = Leader {
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    teams: theirs,
                };
                (leader, u)
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
    out
}

/// The leaders the caller may look at: themselves when they lead a team, the leads of
/// the teams below the teams they lead, and everyone for the ethics office and the
/// audit committee. By display name.
pub async fn leaders(ctx: &Ctx, caller: &Caller) -> Result<Vec<Leader>> {
    let (teams, users) = (ctx.db.list_teams().await?, ctx.db.list_users().await?);
    Ok(visible(&teams, &users, caller)
        .into_iter()
        .map(|(l, _)| l)
        .collect())
}

/// One leader's view; not found unless the caller may see it (see [`leaders`]).
/// Audited when someone other than the leader opens it.
pub async fn view(ctx: &Ctx, caller: &Caller, username: &str) -> Result<View> {
    let (teams, users) = (ctx.db.list_teams().await?, ctx.db.list_users().await?);
    let (leader, user) = visible(&teams, &users, caller)
        .into_iter()
        .find(|(l, _)| l.username == username)
        .ok_or_else(Error::not_found)?;
    let user = user.clone();
    let now = ctx.now();
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(WINDOW_DAYS * 24))
        .unwrap_or(now);
    let own_teams: Vec<&Team> = teams
        .iter()
        .filter(|t| t.lead_user_id == Some(user.id))
        .collect();

    let assignments = ctx.db.my_assignments(user.id).await?;
    let attested = assignments
        .iter()
        .filter(|a| a.attested_at.is_some())
        .count();
    let overdue = assignments
        .iter()
        .filter(|a| a.attested_at.is_none() && a.due_at <= now)
        .count();
    let own = Own {
        attested,
        waiting: assignments.len() - attested - overdue,
        overdue,
        data_access_training: crate::program::training::gate::describe(ctx, user.id).await?,
        disclosed: ctx.db.has_disclosed(user.id).await?,
    };

    let mut climate = Vec::new();
    let mut closed: Vec<_> = ctx
        .db
        .waves(None)
        .await?
        .into_iter()
        .filter(|w| w.status == WaveStatus::Closed)
        .collect();
    closed.sort_by_key(|w| std::cmp::Reverse(w.closed_at));
    if let Some(w) = closed.first() {
        let now_ix = team_indices(ctx, w, &own_teams).await?;
        let previous = closed.iter().skip(1).find(|p| p.survey_id == w.survey_id);
        let before_ix = match previous {
            Some(p) => team_indices(ctx, p, &own_teams).await?,
            None => vec![None; own_teams.len()],
        };
        for ((t, indices), before) in own_teams.iter().zip(now_ix).zip(before_ix) {
            let mut fell = Vec::new();
            if let (Some(now), Some(before)) = (&indices, &before) {
                for (key, v) in now {
                    let was = before.iter().find(|(k, _)| k == key).and_then(|(_, v)| *v);
                    if let (Some(v), Some(was)) = (v, was) {
                        if was - v >= FELL_BY {
                            fell.push(format!("{key}: {was:.0} % → {v:.0} %"));
                        }
                    }
                }
            }
            climate.push(Climate {
                team: t.name.clone(),
                wave: w.name.clone(),
                indices,
                previous_wave: previous.map(|p| p.name.clone()),
                fell,
            });
        }
    }

    let records = ctx
        .db
        .discipline_records(&RecordFilter {
            decided_by: Some(user.username.clone()),
            approval: None,
            subject: None,
            limit: 10_000,
        })
        .await?;
    let recent: Vec<_> = records.iter().filter(|r| r.decided_at >= since).collect();
    let deviating: Vec<_> = recent.iter().filter(|r| r.deviation).collect();
    let decisions = Decisions {
        made: recent.len(),
        deviating: deviating.len(),
        deviating_without_rationale: deviating
            .iter()
            .filter(|r| r.rationale.as_deref().is_none_or(|s| s.trim().is_empty()))
            .count(),
    };

    let o = ctx.db.overrides_by(&user.username, since).await?;
    let mut promises = Vec::new();
    for t in &own_teams {
        let rates = ctx
            .db
            .kept_rates(Grouping::Team, since, Some((Grouping::Team, &t.name)), now)
            .await?;
        let (kept, broken, open) = rates.iter().fold((0, 0, 0), |(k, b, o), r| {
            (k + r.kept, b + r.broken, o + r.open + r.overdue)
        });
        promises.push(Promises {
            team: t.name.clone(),
            kept,
            broken,
            open,
            kept_pct: (kept + broken > 0).then(|| kept as f64 / (kept + broken) as f64 * 100.0),
        });
    }

    // Strain is for the lead to act on; the chain above sees the leader, not the agents.
    let mut strain = Vec::new();
    if caller.user.id == user.id {
        let p = crate::reports::fairness::period(ctx, None, 2)?;
        for t in &own_teams {
            let totals = ctx.db.agent_totals_in_team(&p.from, &p.to, &t.name).await?;
            let team: Vec<_> = righttrack_core::fairness::workloads(&totals)
                .into_iter()
                .filter(|w| w.team == t.name)
                .collect();
            let agents = righttrack_core::fairness::strain(&team);
            if !agents.is_empty() {
                strain.push(TeamStrain {
                    team: t.name.clone(),
                    agents,
                });
            }
        }
    }

    if caller.user.id != user.id {
        ctx.audit(
            &caller.actor(),
            "leadership.viewed",
            &user.username,
            json!({}),
        )
        .await?;
    }
    Ok(View {
        leader,
        window_days: WINDOW_DAYS,
        own,
        climate,
        decisions,
        overrides: o.made,
        overrides_overturned: o.overturned,
        promises,
        strain,
    })
}

/// Every leader at once, for the evidence binder: how many lead a team, and how many of
/// them meet what they ask of others. Counts only; no leader is named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AllLeaders {
    pub leaders: i64,
    /// Leaders with no overdue attestation.
    pub attestations_current: i64,
    /// Leaders whose data-privacy training is current.
    pub training_current: i64,
    /// Leaders with a conflict-of-interest disclosure on file.
    pub disclosed: i64,
    /// Overrides of QA scores by leaders since `since`, and how many were overturned.
    pub overrides: i64,
    pub overrides_overturned: i64,
    /// Discipline decisions by leaders since `since`, and how many deviated from
    /// comparable cases.
    pub decisions: i64,
    pub decisions_deviating: i64,
}

/// [`AllLeaders`] over every enabled person who leads a team, with decisions counted
/// from `since`.
pub async fn all_leaders(ctx: &Ctx, since: jiff::Timestamp) -> Result<AllLeaders> {
    let (teams, users) = (ctx.db.list_teams().await?, ctx.db.list_users().await?);
    let now = ctx.now();
    let mut out = AllLeaders::default();
    for u in users
        .iter()
        .filter(|u| !u.disabled && teams.iter().any(|t| t.lead_user_id == Some(u.id)))
    {
        out.leaders += 1;
        let overdue = ctx
            .db
            .my_assignments(u.id)
            .await?
            .iter()
            .any(|a| a.attested_at.is_none() && a.due_at <= now);
        out.attestations_current += i64::from(!overdue);
        out.training_current += i64::from(
            crate::program::training::gate::standing(ctx, u.id)
                .await?
                .current,
        );
        out.disclosed += i64::from(ctx.db.has_disclosed(u.id).await?);
        let o = ctx.db.overrides_by(&u.username, since).await?;
        out.overrides += o.made;
        out.overrides_overturned += o.overturned;
        let records = ctx
            .db
            .discipline_records(&RecordFilter {
                decided_by: Some(u.username.clone()),
                approval: None,
                subject: None,
                limit: 10_000,
            })
            .await?;
        let recent = records.iter().filter(|r| r.decided_at >= since);
        out.decisions += recent.clone().count() as i64;
        out.decisions_deviating += recent.filter(|r| r.deviation).count() as i64;
    }
    Ok(out)
}
