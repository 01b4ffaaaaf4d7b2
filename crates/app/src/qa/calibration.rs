//! Calibration sessions: analysts score the same interactions blind, then compare with
//! each other and with the engine.
//!
//! What other pages need from a session lives here: whether an interaction's automated
//! score must stay hidden from a caller still scoring it blind ([`refuse_if_blind`]), and
//! a closed session's results ([`compute`]), which the session page, its API and the
//! fairness report all show. The agreement arithmetic itself is `core::calibration`.

use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::calibration::{self, Item, Rating};
use righttrack_store::calibration::{Calibration, CalibrationRating, NewCalibration, SaveOutcome};
use righttrack_store::interactions::InteractionFilter;
use serde_json::json;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

/// A scorecard item of the default pack: id, description, maximum points.
pub struct PackItem {
    pub id: String,
    pub description: String,
    pub max: u32,
}

/// The default pack's scorecard items, parsed once (the pack is embedded in the binary).
pub fn pack_items() -> &'static [PackItem] {
    static ITEMS: std::sync::OnceLock<Vec<PackItem>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(|| {
        righttrack_scan::RulePack::default_pack()
            .map(|p| {
                p.score
                    .into_iter()
                    .map(|s| PackItem {
                        id: s.id,
                        description: s.description,
                        max: s.points,
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Refuses the engine's findings for an interaction the caller is still scoring blind.
pub async fn refuse_if_blind(ctx: &Ctx, caller: &Caller, ext_id: &str) -> Result<()> {
    if ctx
        .db
        .calibration_blinds(&caller.user.username, ext_id)
        .await?
    {
        return Err(Error::new(
            Kind::Forbidden,
            "You are scoring this interaction in an open calibration session; its automated score is hidden until you submit.",
        ));
    }
    Ok(())
}

/// Everything a closed session's results show.
pub struct Computed {
    pub results: calibration::Results,
    /// Analysts who submitted, in participant order.
    pub analysts: Vec<String>,
    /// (interaction, item) → engine points (None = N/A).
    pub engine: BTreeMap<(String, String), Option<u32>>,
    /// (interaction, item, analyst) → rating.
    pub ratings: BTreeMap<(String, String, String), CalibrationRating>,
}

pub async fn compute(ctx: &Ctx, c: &Calibration) -> Result<Computed> {
    let analysts: Vec<String> = c
        .participants
        .iter()
        .filter(|p| p.submitted_at.is_some())
        .map(|p| p.username.clone())
        .collect();
    let stored: Vec<CalibrationRating> = ctx
        .db
        .calibration_ratings(&c.id, None)
        .await?
        .into_iter()
        .filter(|r| analysts.contains(&r.username))
        .collect();
    let mut engine = BTreeMap::new();
    for ext_id in &c.interactions {
        let Some(i) = ctx.db.interaction(ext_id).await? else {
            continue;
        };
        let items: Vec<righttrack_scan::ItemResult> =
            serde_json::from_value(i.findings["scorecard"]["items"].clone())
                .map_err(|e| Error::internal(&e))?;
        for it in items {
            engine.insert(
                (ext_id.clone(), it.item.clone()),
                (!it.na).then_some(it.points),
            );
        }
    }
    let items: Vec<Item> = pack_items()
        .iter()
        .map(|it| Item {
            id: it.id.clone(),
            max: it.max,
        })
        .collect();
    let flat: Vec<Rating> = stored
        .iter()
        .map(|r| Rating {
            analyst: r.username.clone(),
            interaction: r.ext_id.clone(),
            item: r.item.clone(),
            points: r.points.and_then(|p| u32::try_from(p).ok()),
        })
        .collect();
    let results = calibration::results(&items, &c.interactions, &analysts, &flat, &engine);
    Ok(Computed {
        results,
        analysts,
        engine,
        ratings: stored
            .into_iter()
            .map(|r| ((r.ext_id.clone(), r.item.clone(), r.username.clone()), r))
            .collect(),
    })
}

/// At most this many interactions in one session (each is scored by every participant).
pub const MAX_INTERACTIONS: usize = 50;

fn bad(field: &str, why: &str) -> Error {
    Error::unprocessable(format!("field `{field}`: {why}"))
}

/// A new session as its creator entered it (text as typed; checked by [`create`]).
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub name: String,
    /// Interaction ids, separated by spaces, commas or new lines.
    pub interactions: String,
    /// How many interactions to add at random (empty: none), from the last `days` days
    /// (empty: any time), of `team` (empty: any), flagged ones only when `flagged`.
    pub sample: String,
    pub days: String,
    pub team: String,
    pub flagged: bool,
    /// Usernames of the people who score.
    pub participants: Vec<String>,
    /// The due day, `YYYY-MM-DD` (the session is due at its end, UTC).
    pub due: String,
}

/// Creates a calibration session with `actor` as its creator; audited. Returns its id.
pub async fn create(ctx: &Ctx, actor: &Caller, input: &NewSession) -> Result<String> {
    let now = ctx.now();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad(
            "name",
            "give the session a name of 1 to 200 characters",
        ));
    }
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let name = righttrack_core::interactions::scrub(&engine, &name);

    // Interactions: the explicit list, then a random sample from a filter.
    let mut interactions: Vec<String> = Vec::new();
    let listed = &input.interactions;
    for (n, id) in listed
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        if ctx.db.interaction(id).await?.is_none() {
            return Err(bad(
                "interactions",
                &format!("entry {} is not the id of a stored interaction", n + 1),
            ));
        }
        if !interactions.iter().any(|x| x == id) {
            interactions.push(id.to_owned());
        }
    }
    let sample = input.sample.trim();
    if !sample.is_empty() {
        let n: usize = sample
            .parse()
            .ok()
            .filter(|n| (1..=MAX_INTERACTIONS).contains(n))
            .ok_or_else(|| {
                bad(
                    "sample",
                    &format!("a number of interactions from 1 to {MAX_INTERACTIONS}"),
                )
            })?;
        let since = match input.days.trim() {
            "" => None,
            d => {
                let d: i64 = d
                    .parse()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
                    .ok_or_else(|| bad("days", "a number of days from 1 to 365"))?;
                now.checked_sub(jiff::SignedDuration::from_hours(24 * d))
                    .ok()
            }
        };
        let team = input.team.trim().to_owned();
        let pool: Vec<String> = ctx
            .db
            .list_interactions(&InteractionFilter {
                flagged_only: input.flagged,
                team_ref: (!team.is_empty()).then_some(team),
                limit: 500,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|i| since.is_none_or(|s| i.started_at >= s))
            .map(|i| i.ext_id)
            .filter(|id| !interactions.contains(id))
            .collect();
        if pool.is_empty() {
            return Err(bad("sample", "no interaction matches this filter"));
        }
        use rand::seq::SliceRandom;
        let picked: Vec<String> = pool
            .choose_multiple(&mut rand::rngs::OsRng, n)
            .cloned()
            .collect();
        interactions.extend(picked);
    }
    if interactions.is_empty() {
        return Err(bad(
            "interactions",
            "list at least one interaction id, or ask for a random sample",
        ));
    }
    if interactions.len() > MAX_INTERACTIONS {
        return Err(bad(
            "interactions",
            &format!("at most {MAX_INTERACTIONS} interactions in one session"),
        ));
    }

    let mut participants: Vec<String> = Vec::new();
    for u in &input.participants {
        let u = u.trim().to_owned();
        if u.is_empty() || participants.contains(&u) {
            continue;
        }
        match ctx.db.user_by_username(&u).await? {
            Some(user) if !user.disabled && allowed(&user.roles, Action::CalibrationScore) => {
                participants.push(u)
            }
            _ => {
                return Err(bad(
                    "participants",
                    "every participant must be an active QA analyst or team lead",
                ))
            }
        }
    }
    if participants.len() < 2 {
        return Err(bad(
            "participants",
            "choose at least two people to score (agreement needs two)",
        ));
    }

    let due_day: jiff::civil::Date = input
        .due
        .trim()
        .parse()
        .map_err(|_| bad("due", "a date as YYYY-MM-DD"))?;
    let due_at = due_day
        .at(23, 59, 59, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| bad("due", "a date as YYYY-MM-DD"))?;
    if due_at < now {
        return Err(bad("due", "the due date is in the past"));
    }

    let new = NewCalibration {
        name,
        created_by: actor.user.username.clone(),
        due_at,
        interactions,
        participants,
    };
    let id = ctx
        .db
        .create_calibration(&new, now, &mut rand::rngs::OsRng)
        .await?;
    ctx.audit(
        &actor.actor(),
        "calibration.created",
        &id,
        json!({"interactions": new.interactions.len(), "participants": new.participants}),
    )
    .await?;
    Ok(id)
}

/// Closes a session its creator `actor` closes, revealing its results; audited.
/// Returns the session's id.
pub async fn close(ctx: &Ctx, actor: &Caller, id: &str) -> Result<String> {
    let c = load(ctx, id).await?;
    if c.created_by != actor.user.username {
        return Err(Error::forbidden());
    }
    if !ctx.db.close_calibration(&c.id, ctx.now()).await? {
        return Err(Error::new(
            Kind::Conflict,
            "This session is already closed.",
        ));
    }
    ctx.audit(
        &actor.actor(),
        "calibration.closed",
        &c.id,
        json!({"by": "creator"}),
    )
    .await?;
    Ok(c.id)
}

/// The session `id`, or "not found".
pub async fn load(ctx: &Ctx, id: &str) -> Result<Calibration> {
    ctx.db.calibration(id).await?.ok_or_else(Error::not_found)
}

/// Longest comment on one item, in characters.
pub const MAX_COMMENT: usize = 1000;

/// The first value of form field `key` (empty when absent), as the web form reads it.
fn field(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Reads the rating fields (`r.<n>.<item>`, `c.<n>.<item>`, n from 1) of a form.
/// Unrated items are left out; a value that is not acceptable is an error naming
/// its field. Comments are scrubbed.
fn parse_ratings(
    c: &Calibration,
    form: &[(String, String)],
    engine: &righttrack_scan::Engine,
) -> Result<Vec<CalibrationRating>> {
    let mut out = Vec::new();
    let mut commented = BTreeSet::new();
    for (key, value) in form {
        let (kind, rest) = match key.split_once('.') {
            Some((k @ ("r" | "c"), rest)) => (k, rest),
            _ => continue,
        };
        let Some((n, item)) = rest.split_once('.') else {
            return Err(bad(key, "not a rating field"));
        };
        let ext_id = n
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| c.interactions.get(n))
            .ok_or_else(|| bad(key, "no such interaction in this session"))?;
        let Some(def) = pack_items().iter().find(|x| x.id == item) else {
            return Err(bad(key, "unknown scorecard item"));
        };
        if kind == "c" {
            if !value.trim().is_empty() {
                if value.chars().count() > MAX_COMMENT {
                    return Err(bad(
                        key,
                        &format!("a comment of at most {MAX_COMMENT} characters"),
                    ));
                }
                commented.insert((key.clone(), ext_id.clone(), def.id.clone()));
            }
            continue;
        }
        let points = match value.trim() {
            "" => continue,
            "na" => None,
            v => Some(
                v.parse::<u32>()
                    .ok()
                    .filter(|p| *p <= def.max)
                    .ok_or_else(|| {
                        bad(
                            key,
                            &format!("points are a whole number from 0 to {}, or N/A", def.max),
                        )
                    })?,
            ),
        };
        if out
            .iter()
            .any(|r: &CalibrationRating| r.ext_id == *ext_id && r.item == def.id)
        {
            return Err(bad(key, "given twice"));
        }
        out.push(CalibrationRating {
            username: String::new(),
            ext_id: ext_id.clone(),
            item: def.id.clone(),
            points: points.map(i64::from),
            comment: String::new(),
        });
    }
    for (key, ext_id, item) in commented {
        let text = field(form, &key);
        let Some(r) = out
            .iter_mut()
            .find(|r| r.ext_id == ext_id && r.item == item)
        else {
            return Err(bad(
                &key.replacen('c', "r", 1),
                "choose points or N/A for an item you comment on",
            ));
        };
        r.comment = righttrack_core::interactions::scrub(engine, text.trim());
    }
    Ok(out)
}

/// What became of a participant's ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    /// Kept as a draft.
    Saved,
    /// Submitted; others have still to submit.
    Submitted,
    /// Submitted as the last one: the session closed and shows its results.
    Closed,
}

/// Saves (`action` = `save`) or submits (`action` = `submit`) participant `actor`'s
/// ratings in session `id`, from the fields of the ratings form. A submission must rate
/// every item; the draft is kept either way. Submitting and the closing the last
/// submission causes are audited.
pub async fn rate(ctx: &Ctx, actor: &Caller, id: &str, form: &[(String, String)]) -> Result<Rated> {
    let c = load(ctx, id).await?;
    let me = actor.user.username.clone();
    if c.participant(&me).is_none() {
        return Err(Error::forbidden());
    }
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let mut ratings = parse_ratings(&c, form, &engine)?;
    for r in &mut ratings {
        r.username = me.clone();
    }
    let submit = match field(form, "action").as_str() {
        "submit" => true,
        "save" | "" => false,
        _ => return Err(bad("action", "expected save or submit")),
    };
    // A submission must rate everything; the draft is kept either way.
    let missing = submit
        .then(|| {
            c.interactions.iter().enumerate().find_map(|(n, ext_id)| {
                pack_items()
                    .iter()
                    .find(|it| {
                        !ratings
                            .iter()
                            .any(|r| r.ext_id == *ext_id && r.item == it.id)
                    })
                    .map(|it| format!("r.{}.{}", n + 1, it.id))
            })
        })
        .flatten();
    let outcome = ctx
        .db
        .save_calibration_ratings(&c.id, &me, &ratings, submit && missing.is_none(), ctx.now())
        .await?;
    match outcome {
        SaveOutcome::NotParticipant => return Err(Error::forbidden()),
        SaveOutcome::SessionClosed => {
            return Err(Error::new(
                Kind::Conflict,
                "This session is closed; ratings can no longer change.",
            ))
        }
        SaveOutcome::AlreadySubmitted => {
            return Err(Error::new(
                Kind::Conflict,
                "You have already submitted your ratings for this session.",
            ))
        }
        SaveOutcome::Saved | SaveOutcome::Submitted { .. } => {}
    }
    if let Some(field) = missing {
        return Err(bad(
            &field,
            "rate every item (points or N/A) before submitting; your draft is saved",
        ));
    }
    if let SaveOutcome::Submitted { closed } = outcome {
        ctx.audit(&actor.actor(), "calibration.submitted", &c.id, json!({}))
            .await?;
        if closed {
            ctx.audit(
                &actor.actor(),
                "calibration.closed",
                &c.id,
                json!({"by": "last submission"}),
            )
            .await?;
            return Ok(Rated::Closed);
        }
        return Ok(Rated::Submitted);
    }
    Ok(Rated::Saved)
}

/// May `caller` see the results of session `c` once closed? Its creator, its
/// participants and any QA analyst.
fn may_view_results(c: &Calibration, caller: &Caller) -> bool {
    let me = caller.user.username.as_str();
    c.created_by == me
        || c.participant(me).is_some()
        || allowed(&caller.user.roles, Action::CalibrationManage)
}

/// The sessions a caller sees, sorted for the list page.
pub struct Sessions {
    /// The caller may create sessions.
    pub may_manage: bool,
    /// Open sessions the caller takes part in.
    pub to_score: Vec<Calibration>,
    /// Open sessions the caller created without taking part.
    pub created: Vec<Calibration>,
    pub closed: Vec<Calibration>,
}

/// The calibration sessions `caller` sees.
pub async fn sessions(ctx: &Ctx, caller: &Caller) -> Result<Sessions> {
    let me = caller.user.username.as_str();
    let may_manage = allowed(&caller.user.roles, Action::CalibrationManage);
    let mut out = Sessions {
        may_manage,
        to_score: Vec::new(),
        created: Vec::new(),
        closed: Vec::new(),
    };
    for c in ctx.db.calibrations_for(me, may_manage, 200).await? {
        if !c.is_open() {
            out.closed.push(c);
        } else if c.participant(me).is_some() {
            out.to_score.push(c);
        } else if c.created_by == me {
            out.created.push(c);
        }
    }
    Ok(out)
}

/// What the form to start a session offers.
pub struct NewForm {
    /// Active people who may score: (username, display name, is a QA analyst).
    pub people: Vec<(String, String, bool)>,
    pub teams: Vec<String>,
    /// The default due date: a week from now.
    pub due: jiff::Timestamp,
}

/// The choices of the form to start a session.
pub async fn new_form(ctx: &Ctx) -> Result<NewForm> {
    let people = ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && allowed(&u.roles, Action::CalibrationScore))
        .map(|u| {
            let qa = u.has(righttrack_core::Role::QaAnalyst);
            (u.username, u.display_name, qa)
        })
        .collect();
    let now = ctx.now();
    Ok(NewForm {
        people,
        teams: crate::platform::directory::team_names(ctx).await?,
        due: now
            .checked_add(jiff::SignedDuration::from_hours(24 * 7))
            .unwrap_or(now),
    })
}

/// An open session as one of its people sees it.
pub struct OpenSession {
    pub session: Calibration,
    /// The caller created it and may close it.
    pub may_close: bool,
    /// The caller takes part and has not submitted yet.
    pub may_score: bool,
    /// The caller takes part and has submitted.
    pub submitted: bool,
    /// When scoring: the interactions to score (number from 1, id, channel, redacted
    /// transcript as stored; nothing of the engine's findings).
    pub interactions: Vec<(usize, String, String, serde_json::Value)>,
    /// When scoring: the caller's saved ratings by (interaction, item).
    pub mine: BTreeMap<(String, String), CalibrationRating>,
}

/// A session's page: blind scoring while open, results once closed.
pub enum Session {
    Open(Box<OpenSession>),
    Closed(Box<Calibration>, Box<Computed>),
}

/// Session `id` as `caller` sees it; outsiders are refused.
pub async fn session(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Session> {
    let c = load(ctx, id).await?;
    if !c.is_open() {
        if !may_view_results(&c, caller) {
            return Err(Error::forbidden());
        }
        let k = compute(ctx, &c).await?;
        return Ok(Session::Closed(Box::new(c), Box::new(k)));
    }
    let me = caller.user.username.as_str();
    let is_creator = c.created_by == me;
    let participant = c.participant(me);
    if participant.is_none() && !is_creator {
        return Err(Error::forbidden());
    }
    let may_score = participant.is_some_and(|p| p.submitted_at.is_none())
        && allowed(&caller.user.roles, Action::CalibrationScore);
    let submitted = participant.is_some_and(|p| p.submitted_at.is_some());
    let mut interactions = Vec::new();
    let mut mine = BTreeMap::new();
    if may_score {
        mine = ctx
            .db
            .calibration_ratings(&c.id, Some(me))
            .await?
            .into_iter()
            .map(|r| ((r.ext_id.clone(), r.item.clone()), r))
            .collect();
        for (n, ext_id) in c.interactions.iter().enumerate() {
            let Some(i) = ctx.db.interaction(ext_id).await? else {
                continue;
            };
            interactions.push((
                n + 1,
                ext_id.clone(),
                i.channel,
                i.interaction["turns"].clone(),
            ));
        }
    }
    Ok(Session::Open(Box::new(OpenSession {
        session: c,
        may_close: is_creator && allowed(&caller.user.roles, Action::CalibrationManage),
        may_score,
        submitted,
        interactions,
        mine,
    })))
}

/// The results of closed session `id` for the API: refused to outsiders, a conflict
/// while it is open.
pub async fn results(ctx: &Ctx, caller: &Caller, id: &str) -> Result<(Calibration, Computed)> {
    let c = load(ctx, id).await?;
    if !may_view_results(&c, caller) {
        return Err(Error::forbidden());
    }
    if c.is_open() {
        return Err(Error::new(
            Kind::Conflict,
            "This session is still open; results are revealed when it closes.",
        ));
    }
    let k = compute(ctx, &c).await?;
    Ok((c, k))
}
