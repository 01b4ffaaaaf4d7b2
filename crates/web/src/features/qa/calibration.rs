//! QA calibration sessions: several analysts score the same interactions blind, then
//! compare agreement per scorecard item and each analyst's leniency.
//!
//! Who sees what:
//! - a QA analyst ([`Action::CalibrationManage`](righttrack_core::authz::Action::CalibrationManage)) creates a session and may close it;
//! - participants (QA analysts and team leads, [`Action::CalibrationScore`](righttrack_core::authz::Action::CalibrationScore)) score
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
use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render, FormData};
use crate::params::DoneQuery;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::qa::calibration::{
    pack_items, Computed, NewSession, OpenSession, Rated, Session, MAX_INTERACTIONS,
};
use righttrack_core::calibration::AGREEMENT_THRESHOLD;
use righttrack_core::clock::day;
use righttrack_store::calibration::Calibration;
use serde_json::{json, Value};
use std::collections::BTreeSet;

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

pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let me = caller.user.username.as_str();
    let found = righttrack_app::qa::calibration::sessions(&state, &caller).await?;
    let rows = |v: Vec<Calibration>| -> Vec<ListRow> {
        v.into_iter()
            .map(|c| {
                let done = c
                    .participants
                    .iter()
                    .filter(|p| p.submitted_at.is_some())
                    .count();
                ListRow {
                    progress: format!("{done} of {} submitted", c.participants.len()),
                    mine: c.created_by == me,
                    submitted: c.participant(me).is_some_and(|p| p.submitted_at.is_some()),
                    due: day(c.due_at),
                    id: c.id,
                    name: c.name,
                }
            })
            .collect()
    };
    Ok(render(ListPage {
        l: layout(Some(&caller), "Calibration", "/qa/calibration"),
        may_manage: found.may_manage,
        to_score: rows(found.to_score),
        created: rows(found.created),
        closed: rows(found.closed),
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

pub async fn new_form(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let f = righttrack_app::qa::calibration::new_form(&state).await?;
    let people = f
        .people
        .into_iter()
        .map(|(username, display_name, qa)| PersonOption {
            role: if qa { "QA analyst" } else { "Team lead" },
            username,
            display_name,
        })
        .collect();
    Ok(render(NewPage {
        l: layout(Some(&caller), "New calibration session", "/qa/calibration"),
        people,
        teams: f.teams,
        due: day(f.due),
        max: MAX_INTERACTIONS,
    }))
}

pub async fn create(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    let id = righttrack_app::qa::calibration::create(
        &state,
        &caller,
        &NewSession {
            name: form.get("name"),
            interactions: form.get("interactions"),
            sample: form.get("sample"),
            days: form.get("days"),
            team: form.get("team"),
            flagged: form.get("flagged") == "1",
            participants: form.all("participant"),
            due: form.get("due"),
        },
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

struct ScoreInteraction {
    n: usize,
    ext_id: String,
    channel: String,
    turns: Vec<super::Turn>,
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

pub async fn show(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let o = match righttrack_app::qa::calibration::session(&state, &caller, &id).await? {
        Session::Closed(c, k) => return Ok(results_page(&caller, &c, &k)),
        Session::Open(o) => o,
    };
    let OpenSession {
        session: c,
        may_close,
        may_score,
        submitted,
        interactions: to_score,
        mine,
    } = *o;
    let interactions = to_score
        .into_iter()
        .map(|(n, ext_id, channel, turns)| {
            // The transcript as stored (redacted). Nothing of the engine's findings.
            let turns = super::turns(&turns, |_| false);
            let items = pack_items()
                .iter()
                .map(|it| {
                    let saved = mine.get(&(ext_id.clone(), it.id.clone()));
                    ItemField {
                        field: format!("r.{n}.{}", it.id),
                        comment_field: format!("c.{n}.{}", it.id),
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
            ScoreInteraction {
                n,
                ext_id,
                channel,
                turns,
                items,
            }
        })
        .collect();
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
        due: day(c.due_at),
        created_by: c.created_by.clone(),
        is_creator: may_close,
        may_score,
        submitted,
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

pub async fn rate(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let done = righttrack_app::qa::calibration::rate(&state, &caller, &id, &form.0).await?;
    Ok(Redirect::to(&match done {
        Rated::Closed => format!("/qa/calibration/{id}"),
        Rated::Submitted => format!("/qa/calibration/{id}?done=submitted"),
        Rated::Saved => format!("/qa/calibration/{id}?done=saved"),
    })
    .into_response())
}

pub async fn close(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = righttrack_app::qa::calibration::close(&state, &caller, &id).await?;
    Ok(Redirect::to(&format!("/qa/calibration/{id}")).into_response())
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

fn results_page(caller: &Caller, c: &Calibration, k: &Computed) -> Response {
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
    render(ResultsPage {
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
    })
}

/// `GET /api/v1/calibration/{id}`: the results of a closed session.
pub async fn api_get(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let (c, k) = righttrack_app::qa::calibration::results(&state, &caller, &id).await?;
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
