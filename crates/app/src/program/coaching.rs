//! Coaching that goes both ways: a lead's sessions with the agents of their reporting
//! line, the agent's acknowledgement and comment, the follow-up of each goal when its
//! date comes and the effect on the coached item's later scores; and upward feedback,
//! agents rating their leads anonymously (`core::coaching` holds the rules).
//!
//! **Who sees a session.** The coached agent, the lead who recorded it and the leads
//! above the agent (their reporting line); anyone else is answered "not found", so ids
//! of other teams' sessions do not show they exist. Opening by a lead other than the
//! one who recorded it is audited.
//!
//! **Sealed.** The feedback, the goals, the agent's comment and follow-up notes are
//! sealed under [`PURPOSE`] before they are stored and never audited or logged; the
//! audit trail holds who, whom, which interaction and item, and counts.
//!
//! **Upward feedback** ([`rate`], [`released_for`]): the ballot and the rating are
//! stored in one transaction without a link (see `store::coaching`); nothing of a
//! round is shown before the round has ended and been closed, and then only leads
//! rated by at least [`rules::MIN_RATERS`] people. Rating is not audited: an entry "ana rated
//! lena" beside the count would undo the anonymity the ballot keeps.

use crate::qa::calibration::pack_items;
use crate::{Caller, Ctx, Error, Result};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::coaching::{
    self as rules, Effect, FieldError, Outcome, Released, Round, Side, EFFECT_WINDOW_MONTHS,
};
use righttrack_store::coaching::{NewSession, Rated, SessionFilter, SessionRow};
use righttrack_store::directory::User;
use serde::Serialize;
use serde_json::json;

/// What coaching texts are sealed for.
pub const PURPOSE: &str = "coaching.text";

/// The most interactions read on each side of a session for its effect.
pub const EFFECT_SAMPLE: i64 = 500;

fn field(e: FieldError) -> Error {
    let label = e.field.clone();
    Error::unprocessable(e.to_string()).on(label)
}

fn seal(ctx: &Ctx, text: &str) -> Result<Vec<u8>> {
    ctx.seal(PURPOSE, text.as_bytes())
        .map_err(|e| Error::internal(&e))
}

fn open(ctx: &Ctx, sealed: &[u8]) -> Result<String> {
    let b = ctx.open(PURPOSE, sealed).map_err(|e| Error::internal(&e))?;
    String::from_utf8(b).map_err(|e| Error::internal(&e))
}

fn today(ctx: &Ctx) -> Date {
    ctx.now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// What a lead types to record a session.
#[derive(Debug, Clone, Default)]
pub struct NewInput {
    pub agent: String,
    /// An interaction's id as shown to the lead; may be empty.
    pub interaction: String,
    /// A scorecard item's id; may be empty.
    pub item: String,
    pub feedback: String,
    /// (goal, date as typed), one per row of the form.
    pub goals: Vec<(String, String)>,
}

/// The agents `lead` may coach: their reporting line, as (username, display name).
pub async fn coachable(ctx: &Ctx, lead: &Caller) -> Result<Vec<(String, String)>> {
    let line = crate::program::conflicts::reporting_line(ctx, lead.user.id).await?;
    let mut out: Vec<(String, String)> = ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && line.contains(&u.username))
        .map(|u| (u.username, u.display_name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The scorecard items a session may be about: (id, description).
pub fn items() -> Vec<(String, String)> {
    pack_items()
        .iter()
        .map(|i| (i.id.clone(), i.description.clone()))
        .collect()
}

/// Records a session of `caller` (a lead) with an agent of their reporting line.
/// Audited without any of its texts. Returns the session's id.
pub async fn record(ctx: &Ctx, caller: &Caller, input: &NewInput) -> Result<String> {
    let agent = input.agent.trim();
    if agent.is_empty() {
        return Err(Error::unprocessable("Agent: required").on("Agent"));
    }
    let line = crate::program::conflicts::reporting_line(ctx, caller.user.id).await?;
    if !line.iter().any(|a| a == agent) {
        return Err(Error::unprocessable("Agent: not an agent of your teams").on("Agent"));
    }
    let item = input.item.trim();
    if !item.is_empty() && !pack_items().iter().any(|i| i.id == item) {
        return Err(
            Error::unprocessable("Scorecard item: not an item of the scorecard")
                .on("Scorecard item"),
        );
    }
    let interaction = input.interaction.trim();
    if !interaction.is_empty() {
        // Another agent's interaction, or none: the same words, so a lead learns
        // nothing about ids outside their line.
        match ctx.db.interaction(interaction).await? {
            Some(i) if i.agent_ref == agent => {}
            _ => {
                return Err(
                    Error::unprocessable("Interaction: not an interaction of this agent")
                        .on("Interaction"),
                )
            }
        }
    }
    let feedback = rules::feedback(&input.feedback).map_err(field)?;
    let goals = rules::goals(&input.goals, today(ctx)).map_err(field)?;
    let mut sealed_goals = Vec::with_capacity(goals.len());
    for g in &goals {
        sealed_goals.push((seal(ctx, &g.text)?, g.due_on));
    }
    let new = NewSession {
        agent: agent.to_owned(),
        lead: caller.user.username.clone(),
        interaction: (!interaction.is_empty()).then(|| interaction.to_owned()),
        item: (!item.is_empty()).then(|| item.to_owned()),
        feedback: seal(ctx, &feedback)?,
        goals: sealed_goals,
        held_at: ctx.now(),
    };
    let id = ctx
        .db
        .create_coaching_session(&new, &mut rand::rngs::OsRng)
        .await?;
    ctx.audit(
        &caller.actor(),
        "coaching.recorded",
        &id,
        json!({"agent": agent, "interaction": new.interaction, "item": new.item, "goals": goals.len()}),
    )
    .await?;
    Ok(id)
}

/// One goal as people see it.
#[derive(Debug, Clone, Serialize)]
pub struct GoalView {
    pub n: i64,
    pub text: String,
    pub due_on: Date,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    pub followed_up_at: Option<Timestamp>,
    /// Its date has come and it has no outcome yet.
    pub follow_up_due: bool,
}

/// One session, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: String,
    pub agent: String,
    pub agent_name: String,
    pub lead: String,
    pub lead_name: String,
    pub interaction: Option<String>,
    pub item: Option<String>,
    /// The item's description, when there is an item.
    pub item_label: Option<String>,
    pub feedback: String,
    pub held_at: Timestamp,
    pub goals: Vec<GoalView>,
    pub acknowledged_at: Option<Timestamp>,
    pub comment: Option<String>,
    pub commented_at: Option<Timestamp>,
    /// The coached item's failures before and after (with an item only).
    pub effect: Option<Effect>,
}

fn name_of(users: &[User], username: &str) -> String {
    users
        .iter()
        .find(|u| u.username == username)
        .map_or_else(|| username.to_owned(), |u| u.display_name.clone())
}

async fn opened(ctx: &Ctx, users: &[User], s: SessionRow, effect: bool) -> Result<Session> {
    let t = today(ctx);
    let mut goals = Vec::with_capacity(s.goals.len());
    for g in &s.goals {
        goals.push(GoalView {
            n: g.n,
            text: open(ctx, &g.goal)?,
            due_on: g.due_on,
            outcome: g.outcome,
            note: g.note.as_deref().map(|n| open(ctx, n)).transpose()?,
            followed_up_at: g.followed_up_at,
            follow_up_due: rules::follow_up_due(g.due_on, g.outcome, t),
        });
    }
    let effect = match (&s.item, effect) {
        (Some(item), true) => Some(item_effect(ctx, &s.agent, item, s.held_at).await?),
        _ => None,
    };
    Ok(Session {
        agent_name: name_of(users, &s.agent),
        lead_name: name_of(users, &s.lead),
        item_label: s.item.as_ref().map(|i| {
            pack_items()
                .iter()
                .find(|p| &p.id == i)
                .map_or_else(|| i.clone(), |p| p.description.clone())
        }),
        feedback: open(ctx, &s.feedback)?,
        comment: s.comment.as_deref().map(|c| open(ctx, c)).transpose()?,
        id: s.id,
        agent: s.agent,
        lead: s.lead,
        interaction: s.interaction,
        item: s.item,
        held_at: s.held_at,
        goals,
        acknowledged_at: s.acknowledged_at,
        commented_at: s.commented_at,
        effect,
    })
}

/// The effect of a session held at `at` on `agent`'s `item`, by the method of training
/// effectiveness: the [`EFFECT_WINDOW_MONTHS`] months before against those after (up to
/// now), each side's latest [`EFFECT_SAMPLE`] interactions.
async fn item_effect(ctx: &Ctx, agent: &str, item: &str, at: Timestamp) -> Result<Effect> {
    let now = ctx.now();
    let z = at.to_zoned(jiff::tz::TimeZone::UTC);
    let shift = |months: i64| {
        z.checked_add(months.months())
            .map(|z| z.timestamp())
            .map_err(|e| Error::internal(&e))
    };
    let (from, to) = (shift(-EFFECT_WINDOW_MONTHS)?, shift(EFFECT_WINDOW_MONTHS)?);
    let before = ctx
        .db
        .item_outcomes(agent, item, from, at, EFFECT_SAMPLE)
        .await?;
    let after = ctx
        .db
        .item_outcomes(agent, item, at, to.min(now), EFFECT_SAMPLE)
        .await?;
    Ok(rules::effect(Side::of(&before), Side::of(&after), to > now))
}

/// May `caller` see session `s`: its agent, the lead who recorded it, a lead above
/// the agent.
async fn may_see(ctx: &Ctx, caller: &Caller, s: &SessionRow) -> Result<bool> {
    let me = &caller.user.username;
    if &s.agent == me {
        return Ok(allowed(&caller.user.roles, Action::CoachingView));
    }
    if !allowed(&caller.user.roles, Action::CoachingRecord) {
        return Ok(false);
    }
    if &s.lead == me {
        return Ok(true);
    }
    let line = crate::program::conflicts::reporting_line(ctx, caller.user.id).await?;
    Ok(line.contains(&s.agent))
}

/// Loads session `id` if `caller` may see it; "not found" otherwise.
async fn load(ctx: &Ctx, caller: &Caller, id: &str) -> Result<SessionRow> {
    match ctx.db.coaching_session(id).await? {
        Some(s) if may_see(ctx, caller, &s).await? => Ok(s),
        _ => Err(Error::not_found()),
    }
}

/// One session for `caller` (see the module documentation for who may). Opening by a
/// lead who did not record it is audited.
pub async fn session(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Session> {
    let s = load(ctx, caller, id).await?;
    if s.agent != caller.user.username && s.lead != caller.user.username {
        ctx.audit(
            &caller.actor(),
            "coaching.viewed",
            &s.id,
            json!({"agent": s.agent}),
        )
        .await?;
    }
    let users = ctx.db.list_users().await?;
    opened(ctx, &users, s, true).await
}

/// A lead's coaching page: the agents they may coach, their line's sessions (newest
/// first) and the goals whose follow-up is due.
#[derive(Debug, Clone, Serialize)]
pub struct LeadView {
    pub agents: Vec<(String, String)>,
    pub sessions: Vec<Session>,
    /// (session id, agent's name, goal) of goals due for their follow-up.
    pub due: Vec<(String, String, GoalView)>,
}

/// The sessions of `caller`'s reporting line and those they recorded.
pub async fn lead_view(ctx: &Ctx, caller: &Caller) -> Result<LeadView> {
    let agents = coachable(ctx, caller).await?;
    let line: Vec<String> = agents.iter().map(|a| a.0.clone()).collect();
    let rows = ctx
        .db
        .coaching_sessions(&SessionFilter {
            agent: None,
            agents: Some(line),
            limit: 200,
        })
        .await?;
    let users = ctx.db.list_users().await?;
    let mut sessions = Vec::with_capacity(rows.len());
    for s in rows {
        sessions.push(opened(ctx, &users, s, false).await?);
    }
    let due = sessions
        .iter()
        .flat_map(|s| {
            s.goals
                .iter()
                .filter(|g| g.follow_up_due)
                .map(|g| (s.id.clone(), s.agent_name.clone(), g.clone()))
        })
        .collect();
    Ok(LeadView {
        agents,
        sessions,
        due,
    })
}

/// The caller's own sessions, newest first.
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<Vec<Session>> {
    let rows = ctx
        .db
        .coaching_sessions(&SessionFilter {
            agent: Some(caller.user.username.clone()),
            agents: None,
            limit: 200,
        })
        .await?;
    let users = ctx.db.list_users().await?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        out.push(opened(ctx, &users, s, false).await?);
    }
    Ok(out)
}

/// The coached agent acknowledges their session (once; again is a no-op). Anyone else:
/// "not found". Audited.
pub async fn acknowledge(ctx: &Ctx, caller: &Caller, id: &str) -> Result<()> {
    let s = own(ctx, caller, id).await?;
    if ctx
        .db
        .acknowledge_coaching(&s.id, &caller.user.username, ctx.now())
        .await?
    {
        ctx.audit(&caller.actor(), "coaching.acknowledged", &s.id, json!({}))
            .await?;
    }
    Ok(())
}

/// The coached agent's own comment on their session (once; it acknowledges the session
/// too). Anyone else: "not found". Audited without the comment.
pub async fn comment(ctx: &Ctx, caller: &Caller, id: &str, text: &str) -> Result<()> {
    let s = own(ctx, caller, id).await?;
    let text = rules::comment("Your comment", text).map_err(field)?;
    if !ctx
        .db
        .comment_coaching(&s.id, &caller.user.username, &seal(ctx, &text)?, ctx.now())
        .await?
    {
        return Err(
            Error::conflict("You have already commented on this session.").on("Your comment"),
        );
    }
    ctx.audit(&caller.actor(), "coaching.commented", &s.id, json!({}))
        .await?;
    Ok(())
}

/// Session `id` if it is the caller's own, else "not found".
async fn own(ctx: &Ctx, caller: &Caller, id: &str) -> Result<SessionRow> {
    match ctx.db.coaching_session(id).await? {
        Some(s) if s.agent == caller.user.username => Ok(s),
        _ => Err(Error::not_found()),
    }
}

/// A lead records how goal `n` of session `id` went, once its date has come. Only a
/// lead who may see the session; audited with the outcome, without the note.
pub async fn follow_up(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    n: i64,
    outcome: &str,
    note: &str,
) -> Result<()> {
    let s = load(ctx, caller, id).await?;
    if s.agent == caller.user.username {
        return Err(Error::forbidden());
    }
    let goal = s
        .goals
        .iter()
        .find(|g| g.n == n)
        .ok_or_else(Error::not_found)?;
    let outcome = Outcome::parse(outcome).ok_or_else(|| {
        Error::unprocessable("Outcome: choose met, partly met or not met").on("Outcome")
    })?;
    if goal.due_on > today(ctx) {
        return Err(Error::unprocessable(format!(
            "Outcome: the goal's date ({}) has not come yet",
            goal.due_on
        ))
        .on("Outcome"));
    }
    let note = match note.trim() {
        "" => None,
        t => Some(seal(ctx, &rules::comment("Note", t).map_err(field)?)?),
    };
    if !ctx
        .db
        .follow_up_goal(&s.id, n, outcome, note.as_deref(), ctx.now())
        .await?
    {
        return Err(Error::conflict("This goal has already been followed up."));
    }
    ctx.audit(
        &caller.actor(),
        "coaching.followed_up",
        &s.id,
        json!({"goal": n, "outcome": outcome.as_str()}),
    )
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ upward feedback

/// A lead the caller may rate in the current round.
#[derive(Debug, Clone, Serialize)]
pub struct Ratable {
    pub username: String,
    pub display_name: String,
    /// Already rated in this round.
    pub rated: bool,
}

/// The current round and the leads of the caller's reporting line.
#[derive(Debug, Clone, Serialize)]
pub struct Ballot {
    pub round: String,
    /// The round's last day.
    pub closes_on: Date,
    pub leads: Vec<Ratable>,
}

/// What `caller` may rate now.
pub async fn ballot(ctx: &Ctx, caller: &Caller) -> Result<Ballot> {
    let round = Round::of(ctx.now());
    let rated = ctx
        .db
        .rated_leads(&round.to_string(), &caller.user.id.to_string())
        .await?;
    let mut leads = Vec::new();
    for id in ctx.db.management_chain(caller.user.id).await? {
        if let Some(u) = ctx.db.user_by_id(id).await? {
            if !u.disabled {
                leads.push(Ratable {
                    rated: rated.contains(&u.username),
                    username: u.username,
                    display_name: u.display_name,
                });
            }
        }
    }
    Ok(Ballot {
        round: round.to_string(),
        closes_on: round
            .next()
            .starts_on()
            .yesterday()
            .map_err(|e| Error::internal(&e))?,
        leads,
    })
}

/// Rates `lead` (a lead of the caller's reporting line) in the current round: once per
/// lead and round. Not audited (see the module documentation).
pub async fn rate(
    ctx: &Ctx,
    caller: &Caller,
    lead: &str,
    coaching: &str,
    fairness: &str,
) -> Result<()> {
    let b = ballot(ctx, caller).await?;
    if !b.leads.iter().any(|l| l.username == lead) {
        return Err(Error::not_found());
    }
    let r = rules::rating(coaching, fairness).map_err(field)?;
    match ctx
        .db
        .rate_lead(
            &b.round,
            lead,
            &caller.user.id.to_string(),
            r,
            &mut rand::rngs::OsRng,
        )
        .await?
    {
        Rated::Stored => Ok(()),
        Rated::AlreadyRated => Err(Error::conflict(
            "You have already rated this lead in this round.",
        )),
        Rated::Closed => Err(Error::conflict("This round is closed.")),
    }
}

/// Closes every round that has ended and is not closed yet (the sweep does this; a
/// results page does it too, so that it never waits for the sweep). How many closed.
pub async fn close_ended_rounds(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let mut closed = 0;
    for r in ctx.db.open_upward_rounds().await? {
        let ended = Round::parse(&r).is_some_and(|round| round.ended(now));
        if ended && ctx.db.close_upward_round(&r, now).await? {
            closed += 1;
        }
    }
    Ok(closed)
}

/// One lead's released figures for one round.
#[derive(Debug, Clone, Serialize)]
pub struct LeadResult {
    pub username: String,
    pub display_name: String,
    pub released: Released,
}

/// The upward feedback a caller may see for `round` (the last ended round by default):
/// their own as a lead; every lead's for the ethics office. Each is [`Released::Open`]
/// until the round has ended and been closed, and [`Released::TooFew`] under
/// [`rules::MIN_RATERS`] raters.
pub async fn released_for(
    ctx: &Ctx,
    caller: &Caller,
    round: Option<&str>,
) -> Result<(String, Vec<LeadResult>)> {
    let now = ctx.now();
    let round = match round.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => {
            Round::parse(r).ok_or_else(|| Error::unprocessable("Round: as 2026-Q4").on("Round"))?
        }
        None => Round::of(now).previous(),
    };
    let name = round.to_string();
    let mut closed = ctx.db.upward_round_closed(&name).await?;
    if !closed && round.ended(now) {
        ctx.db.close_upward_round(&name, now).await?;
        closed = true;
    }
    let oversee = caller
        .user
        .roles
        .contains(&righttrack_core::Role::EthicsOfficer);
    let teams = ctx.db.list_teams().await?;
    let mut out = Vec::new();
    for u in ctx.db.list_users().await? {
        let leads_a_team = teams.iter().any(|t| t.lead_user_id == Some(u.id));
        if !leads_a_team || !(oversee || u.id == caller.user.id) {
            continue;
        }
        let released = if closed {
            let ratings = ctx.db.lead_ratings(&name, &u.username).await?;
            rules::release(round, &ratings, now)
        } else {
            Released::Open
        };
        out.push(LeadResult {
            username: u.username,
            display_name: u.display_name,
            released,
        });
    }
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok((name, out))
}
