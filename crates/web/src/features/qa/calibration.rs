//! QA calibration sessions: several analysts score the same interactions blind, then
//! compare agreement per scorecard item and each analyst's leniency.
//!
//! Who sees what:
//! - a QA analyst ([`Action::CalibrationManage`]) creates a session and may close it;
//! - participants (QA analysts and team leads, [`Action::CalibrationScore`]) score
//!   while it is open, seeing the redacted transcript and the scorecard items only:
//!   no engine score, no flagged turns, no other participant's ratings;
//! - the creator sees who has submitted, never what;
//! - once closed (by the creator, or by the last submission) the results are shown to
//!   the creator, the participants, and any QA analyst. The JSON API answers 409 to
//!   those while the session is open and 403 to everyone else, open or closed.
//!
//! Only submitted ratings count in the results; drafts of participants who had not
//! submitted when the session closed are left out.

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_app::qa::calibration::{compute, pack_items};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::calibration::AGREEMENT_THRESHOLD;
use righttrack_store::calibration::{Calibration, CalibrationRating, NewCalibration, SaveOutcome};
use righttrack_store::interactions::InteractionFilter;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// At most this many interactions in one session (each is scored by every participant).
pub const MAX_INTERACTIONS: usize = 50;
/// Longest comment on one item, in characters.
pub const MAX_COMMENT: usize = 1000;

fn date(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

fn may_view_results(c: &Calibration, caller: &Caller) -> bool {
    let me = caller.user.username.as_str();
    c.created_by == me
        || c.participant(me).is_some()
        || allowed(&caller.user.roles, Action::CalibrationManage)
}

async fn load(state: &AppState, id: &str) -> AppResult<Calibration> {
    state
        .db
        .calibration(id)
        .await?
        .ok_or_else(AppError::not_found)
}

// ---------------------------------------------------------------- list

struct ListRow {
    id: String,
    name: String,
    due: String,
    progress: String,
    mine: bool,
    submitted: bool,
}

#[derive(Template)]
#[template(path = "calibration_list.html")]
struct ListPage {
    l: crate::pages::Layout,
    may_manage: bool,
    to_score: Vec<ListRow>,
    created: Vec<ListRow>,
    closed: Vec<ListRow>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let me = caller.user.username.clone();
    let may_manage = allowed(&caller.user.roles, Action::CalibrationManage);
    let sessions = state.db.calibrations_for(&me, may_manage, 200).await?;
    let (mut to_score, mut created, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for c in sessions {
        let done = c
            .participants
            .iter()
            .filter(|p| p.submitted_at.is_some())
            .count();
        let row = ListRow {
            id: c.id.clone(),
            name: c.name.clone(),
            due: date(c.due_at),
            progress: format!("{done} of {} submitted", c.participants.len()),
            mine: c.created_by == me,
            submitted: c.participant(&me).is_some_and(|p| p.submitted_at.is_some()),
        };
        if !c.is_open() {
            closed.push(row);
        } else if c.participant(&me).is_some() {
            to_score.push(row);
        } else if c.created_by == me {
            created.push(row);
        }
    }
    Ok(render(ListPage {
        l: layout(Some(&caller), "Calibration", "/qa/calibration"),
        may_manage,
        to_score,
        created,
        closed,
    }))
}

// ---------------------------------------------------------------- create

struct PersonOption {
    username: String,
    display_name: String,
    role: &'static str,
}

#[derive(Template)]
#[template(path = "calibration_new.html")]
struct NewPage {
    l: crate::pages::Layout,
    people: Vec<PersonOption>,
    teams: Vec<String>,
    due: String,
    max: usize,
}

pub async fn new_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let people = state
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && allowed(&u.roles, Action::CalibrationScore))
        .map(|u| PersonOption {
            role: if u.has(righttrack_core::Role::QaAnalyst) {
                "QA analyst"
            } else {
                "Team lead"
            },
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    let teams = state
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let due = state
        .now()
        .checked_add(jiff::SignedDuration::from_hours(24 * 7))
        .unwrap_or(state.now());
    Ok(render(NewPage {
        l: layout(Some(&caller), "New calibration session", "/qa/calibration"),
        people,
        teams,
        due: date(due),
        max: MAX_INTERACTIONS,
    }))
}

fn bad(field: &str, why: &str) -> AppError {
    AppError::unprocessable(format!("field `{field}`: {why}"))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let now = state.now();
    let name = form.get("name").trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad(
            "name",
            "give the session a name of 1 to 200 characters",
        ));
    }
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let name = righttrack_core::interactions::scrub(&engine, &name);

    // Interactions: the explicit list, then a random sample from a filter.
    let mut interactions: Vec<String> = Vec::new();
    let listed = form.get("interactions");
    for (n, id) in listed
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        if state.db.interaction(id).await?.is_none() {
            return Err(bad(
                "interactions",
                &format!("entry {} is not the id of a stored interaction", n + 1),
            ));
        }
        if !interactions.iter().any(|x| x == id) {
            interactions.push(id.to_owned());
        }
    }
    let sample = form.get("sample");
    let sample = sample.trim();
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
        let days = form.get("days");
        let since = match days.trim() {
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
        let team = form.get("team").trim().to_owned();
        let pool: Vec<String> = state
            .db
            .list_interactions(&InteractionFilter {
                flagged_only: form.get("flagged") == "1",
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
    for u in form.all("participant") {
        let u = u.trim().to_owned();
        if u.is_empty() || participants.contains(&u) {
            continue;
        }
        match state.db.user_by_username(&u).await? {
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

    let due_text = form.get("due");
    let due_day: jiff::civil::Date = due_text
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
        created_by: caller.user.username.clone(),
        due_at,
        interactions,
        participants,
    };
    let id = state
        .db
        .create_calibration(&new, now, &mut rand::rngs::OsRng)
        .await?;
    state
        .audit(
            &caller.actor(),
            "calibration.created",
            &id,
            json!({"interactions": new.interactions.len(), "participants": new.participants}),
        )
        .await?;
    Ok(Redirect::to(&format!("/qa/calibration/{id}")).into_response())
}

// ---------------------------------------------------------------- scoring (open)

struct ItemField {
    field: String,
    comment_field: String,
    item: String,
    description: String,
    max: u32,
    /// "" (not rated yet), "na" or the points.
    value: String,
    comment: String,
    /// Options from max down to 0.
    options: Vec<String>,
}

struct TurnLine {
    speaker: String,
    text: String,
}

struct ScoreInteraction {
    n: usize,
    ext_id: String,
    channel: String,
    turns: Vec<TurnLine>,
    items: Vec<ItemField>,
}

struct Status {
    username: String,
    submitted: bool,
}

#[derive(Template)]
#[template(path = "calibration_open.html")]
struct OpenPage {
    l: crate::pages::Layout,
    id: String,
    name: String,
    due: String,
    created_by: String,
    is_creator: bool,
    may_score: bool,
    submitted: bool,
    notice: String,
    status: Vec<Status>,
    interactions: Vec<ScoreInteraction>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let c = load(&state, &id).await?;
    if !c.is_open() {
        if !may_view_results(&c, &caller) {
            return Err(AppError::forbidden());
        }
        return results_page(&state, &caller, &c).await;
    }
    let me = caller.user.username.as_str();
    let is_creator = c.created_by == me;
    let participant = c.participant(me);
    if participant.is_none() && !is_creator {
        return Err(AppError::forbidden());
    }
    let may_score = participant.is_some_and(|p| p.submitted_at.is_none())
        && allowed(&caller.user.roles, Action::CalibrationScore);
    let mut interactions = Vec::new();
    if may_score {
        let mine: BTreeMap<(String, String), CalibrationRating> = state
            .db
            .calibration_ratings(&c.id, Some(me))
            .await?
            .into_iter()
            .map(|r| ((r.ext_id.clone(), r.item.clone()), r))
            .collect();
        for (n, ext_id) in c.interactions.iter().enumerate() {
            let Some(i) = state.db.interaction(ext_id).await? else {
                continue;
            };
            // The transcript as stored (redacted). Nothing of the engine's findings.
            let turns = i.interaction["turns"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| TurnLine {
                            speaker: s(&t["speaker"]),
                            text: s(&t["text"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let items = pack_items()
                .iter()
                .map(|it| {
                    let saved = mine.get(&(ext_id.clone(), it.id.clone()));
                    ItemField {
                        field: format!("r.{}.{}", n + 1, it.id),
                        comment_field: format!("c.{}.{}", n + 1, it.id),
                        item: it.id.clone(),
                        description: it.description.clone(),
                        max: it.max,
                        value: match saved {
                            None => String::new(),
                            Some(r) => r.points.map_or("na".into(), |p| p.to_string()),
                        },
                        comment: saved.map(|r| r.comment.clone()).unwrap_or_default(),
                        options: (0..=it.max).rev().map(|p| p.to_string()).collect(),
                    }
                })
                .collect();
            interactions.push(ScoreInteraction {
                n: n + 1,
                ext_id: ext_id.clone(),
                channel: i.channel,
                turns,
                items,
            });
        }
    }
    let notice = match q.done.as_deref() {
        Some("saved") => "Draft saved. You can change it until you submit.",
        Some("submitted") => "Submitted. The results appear when the session closes.",
        _ => "",
    }
    .to_owned();
    Ok(render(OpenPage {
        l: layout(
            Some(&caller),
            &format!("Calibration: {}", c.name),
            "/qa/calibration",
        ),
        id: c.id.clone(),
        name: c.name.clone(),
        due: date(c.due_at),
        created_by: c.created_by.clone(),
        is_creator: is_creator && allowed(&caller.user.roles, Action::CalibrationManage),
        may_score,
        submitted: participant.is_some_and(|p| p.submitted_at.is_some()),
        notice,
        status: c
            .participants
            .iter()
            .map(|p| Status {
                username: p.username.clone(),
                submitted: p.submitted_at.is_some(),
            })
            .collect(),
        interactions,
    }))
}

/// Reads the rating fields (`r.<n>.<item>`, `c.<n>.<item>`, n from 1) of a form.
/// Unrated items are left out; a value that is not acceptable is an error naming
/// its field.
fn parse_ratings(
    c: &Calibration,
    form: &FormData,
    engine: &righttrack_scan::Engine,
) -> AppResult<Vec<CalibrationRating>> {
    let mut out = Vec::new();
    let mut commented = BTreeSet::new();
    for (key, value) in &form.0 {
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
        let text = form.get(&key);
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

pub async fn rate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let c = load(&state, &id).await?;
    let me = caller.user.username.clone();
    if c.participant(&me).is_none() {
        return Err(AppError::forbidden());
    }
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let mut ratings = parse_ratings(&c, &form, &engine)?;
    for r in &mut ratings {
        r.username = me.clone();
    }
    let submit = match form.get("action").as_str() {
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
    let outcome = state
        .db
        .save_calibration_ratings(
            &c.id,
            &me,
            &ratings,
            submit && missing.is_none(),
            state.now(),
        )
        .await?;
    match outcome {
        SaveOutcome::NotParticipant => return Err(AppError::forbidden()),
        SaveOutcome::SessionClosed => {
            return Err(AppError::new(
                Code::Conflict,
                "This session is closed; ratings can no longer change.",
            ))
        }
        SaveOutcome::AlreadySubmitted => {
            return Err(AppError::new(
                Code::Conflict,
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
        state
            .audit(&caller.actor(), "calibration.submitted", &c.id, json!({}))
            .await?;
        if closed {
            state
                .audit(
                    &caller.actor(),
                    "calibration.closed",
                    &c.id,
                    json!({"by": "last submission"}),
                )
                .await?;
            return Ok(Redirect::to(&format!("/qa/calibration/{}", c.id)).into_response());
        }
        return Ok(
            Redirect::to(&format!("/qa/calibration/{}?done=submitted", c.id)).into_response(),
        );
    }
    Ok(Redirect::to(&format!("/qa/calibration/{}?done=saved", c.id)).into_response())
}

pub async fn close(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let c = load(&state, &id).await?;
    if c.created_by != caller.user.username {
        return Err(AppError::forbidden());
    }
    if !state.db.close_calibration(&c.id, state.now()).await? {
        return Err(AppError::new(
            Code::Conflict,
            "This session is already closed.",
        ));
    }
    state
        .audit(
            &caller.actor(),
            "calibration.closed",
            &c.id,
            json!({"by": "creator"}),
        )
        .await?;
    Ok(Redirect::to(&format!("/qa/calibration/{}", c.id)).into_response())
}

// ---------------------------------------------------------------- results (closed)

/// Rounded down, so an item just under the threshold never reads "90%" while flagged.
fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| {
        format!("{:.0}%", (v * 100.0 + 1e-9).floor())
    })
}

fn kappa(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.2}"))
}

/// "+12.5% of the maximum: more lenient than the group".
fn leniency(x: Option<f64>, than: &str) -> String {
    match x {
        None => "—".into(),
        Some(v) if v.abs() < 0.0005 => format!("0.0%: in line with {than}"),
        Some(v) if v > 0.0 => {
            format!(
                "+{:.1}% of the maximum: more lenient than {than}",
                v * 100.0
            )
        }
        Some(v) => format!("−{:.1}% of the maximum: stricter than {than}", -v * 100.0),
    }
}

fn points_text(p: Option<Option<i64>>) -> String {
    match p {
        None => "—".into(),
        Some(None) => "n/a".into(),
        Some(Some(p)) => p.to_string(),
    }
}

struct ItemRow {
    item: String,
    kappa: String,
    agreement: String,
    flagged: bool,
}

struct AnalystRow {
    username: String,
    vs_group: String,
    vs_engine: String,
    ratings: usize,
}

struct Cell {
    text: String,
    comment: String,
}

struct MatrixRow {
    item: String,
    max: u32,
    cells: Vec<Cell>,
    engine: String,
    disagree: bool,
}

struct MatrixTable {
    ext_id: String,
    rows: Vec<MatrixRow>,
}

#[derive(Template)]
#[template(path = "calibration_results.html")]
struct ResultsPage {
    l: crate::pages::Layout,
    name: String,
    closed: String,
    threshold: String,
    flagged: usize,
    not_submitted: Vec<String>,
    items: Vec<ItemRow>,
    analysts: Vec<AnalystRow>,
    names: Vec<String>,
    matrix: Vec<MatrixTable>,
}

async fn results_page(state: &AppState, caller: &Caller, c: &Calibration) -> AppResult<Response> {
    let k = compute(state, c).await?;
    let matrix = c
        .interactions
        .iter()
        .map(|ext_id| MatrixTable {
            ext_id: ext_id.clone(),
            rows: pack_items()
                .iter()
                .map(|it| {
                    let cells: Vec<Cell> = k
                        .analysts
                        .iter()
                        .map(|a| {
                            let r = k.ratings.get(&(ext_id.clone(), it.id.clone(), a.clone()));
                            Cell {
                                text: points_text(r.map(|r| r.points)),
                                comment: r.map(|r| r.comment.clone()).unwrap_or_default(),
                            }
                        })
                        .collect();
                    let distinct: BTreeSet<&str> = cells.iter().map(|c| c.text.as_str()).collect();
                    MatrixRow {
                        item: it.id.clone(),
                        max: it.max,
                        disagree: distinct.len() > 1,
                        cells,
                        engine: points_text(
                            k.engine
                                .get(&(ext_id.clone(), it.id.clone()))
                                .map(|p| p.map(i64::from)),
                        ),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(render(ResultsPage {
        l: layout(
            Some(caller),
            &format!("Calibration results: {}", c.name),
            "/qa/calibration",
        ),
        name: c.name.clone(),
        closed: c
            .closed_at
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        threshold: pct(Some(AGREEMENT_THRESHOLD)),
        flagged: k.results.items.iter().filter(|i| i.flagged).count(),
        not_submitted: c
            .participants
            .iter()
            .filter(|p| p.submitted_at.is_none())
            .map(|p| p.username.clone())
            .collect(),
        items: k
            .results
            .items
            .iter()
            .map(|i| ItemRow {
                item: i.item.clone(),
                kappa: kappa(i.kappa),
                agreement: pct(i.agreement),
                flagged: i.flagged,
            })
            .collect(),
        analysts: k
            .results
            .analysts
            .iter()
            .map(|a| AnalystRow {
                username: a.analyst.clone(),
                vs_group: leniency(a.vs_group, "the group"),
                vs_engine: leniency(a.vs_engine, "the engine"),
                ratings: a.ratings,
            })
            .collect(),
        names: k.analysts.clone(),
        matrix,
    }))
}

/// `GET /api/v1/calibration/{id}`: the results of a closed session.
pub async fn api_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let c = load(&state, &id).await?;
    if !may_view_results(&c, &caller) {
        return Err(AppError::forbidden());
    }
    if c.is_open() {
        return Err(AppError::new(
            Code::Conflict,
            "This session is still open; results are revealed when it closes.",
        ));
    }
    let k = compute(&state, &c).await?;
    let ratings: Vec<Value> = c
        .interactions
        .iter()
        .flat_map(|ext_id| {
            let k = &k;
            pack_items().iter().map(move |it| {
                let scores: serde_json::Map<String, Value> = k
                    .analysts
                    .iter()
                    .filter_map(|a| {
                        k.ratings
                            .get(&(ext_id.clone(), it.id.clone(), a.clone()))
                            .map(|r| (a.clone(), json!(r.points)))
                    })
                    .collect();
                json!({
                    "interaction": ext_id,
                    "item": it.id,
                    "max": it.max,
                    "engine": k.engine.get(&(ext_id.clone(), it.id.clone())).copied().flatten(),
                    "scores": scores,
                })
            })
        })
        .collect();
    Ok(Json(json!({
        "id": c.id,
        "name": c.name,
        "created_by": c.created_by,
        "created_at": c.created_at,
        "due_at": c.due_at,
        "closed_at": c.closed_at,
        "threshold": AGREEMENT_THRESHOLD,
        "interactions": c.interactions,
        "participants": c.participants.iter().map(|p| json!({"username": p.username, "submitted": p.submitted_at.is_some()})).collect::<Vec<_>>(),
        "items": k.results.items.iter().map(|i| json!({"item": i.item, "max": i.max, "kappa": i.kappa, "agreement": i.agreement, "flagged": i.flagged})).collect::<Vec<_>>(),
        "analysts": k.results.analysts.iter().map(|a| json!({"username": a.analyst, "vs_group": a.vs_group, "vs_engine": a.vs_engine, "ratings": a.ratings})).collect::<Vec<_>>(),
        "ratings": ratings,
    })))
}
