//! Coaching over HTTP: the lead's page with the new-session form, one session with its
//! follow-up forms, the agent's own page (acknowledge, comment, rate a lead), the
//! upward feedback results, and their JSON twins. The use cases are
//! `righttrack_app::program::coaching`; the rules are `righttrack_core::coaching`.
//!
//! A refused form is shown again with what was typed and the message naming the field
//! by its label (422).

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Json, Path, Query, SignedIn};
use crate::pages::{layout, render, unprocessable_if, FormData};
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use righttrack_app::program::coaching::{
    self, Ballot, GoalView, LeadResult, LeadView, NewInput, Session,
};
use righttrack_app::Kind;
use righttrack_core::clock::day;
use righttrack_core::coaching::{
    Effect, Outcome, Released, EFFECT_WINDOW_MONTHS, MAX_GOALS, MIN_RATERS, QUESTIONS,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// A refusal shown on a form: the message and the label of its field.
#[derive(Default)]
struct Refusal {
    message: String,
    field: String,
}

/// The refusal of `e` when it is about the input (422 or a conflict); `None` for
/// anything else, which the caller returns as an error.
fn refusal(e: &righttrack_app::Error) -> Option<Refusal> {
    matches!(e.kind, Kind::Unprocessable | Kind::Conflict).then(|| Refusal {
        message: e.message.clone(),
        field: e.field.clone().unwrap_or_default(),
    })
}

/// One goal as a page shows it.
struct GoalLine {
    n: i64,
    text: String,
    due_on: String,
    outcome: String,
    note: String,
    due: bool,
}

fn goal_line(g: &GoalView) -> GoalLine {
    GoalLine {
        n: g.n,
        text: g.text.clone(),
        due_on: g.due_on.to_string(),
        outcome: g.outcome.map_or_else(String::new, |o| o.label().to_owned()),
        note: g.note.clone().unwrap_or_default(),
        due: g.follow_up_due,
    }
}

/// One session as a page shows it.
struct SessionLine {
    id: String,
    agent_name: String,
    lead_name: String,
    held_on: String,
    interaction: String,
    item: String,
    feedback: String,
    goals: Vec<GoalLine>,
    acknowledged: String,
    comment: String,
    commented_on: String,
}

fn session_line(s: &Session) -> SessionLine {
    SessionLine {
        id: s.id.clone(),
        agent_name: s.agent_name.clone(),
        lead_name: s.lead_name.clone(),
        held_on: day(s.held_at),
        interaction: s.interaction.clone().unwrap_or_default(),
        // Item descriptions are sentences; the pages put them inside one.
        item: s
            .item_label
            .as_deref()
            .map_or_else(String::new, |l| l.trim_end_matches('.').to_owned()),
        feedback: s.feedback.clone(),
        goals: s.goals.iter().map(goal_line).collect(),
        acknowledged: s.acknowledged_at.map(day).unwrap_or_default(),
        comment: s.comment.clone().unwrap_or_default(),
        commented_on: s.commented_at.map(day).unwrap_or_default(),
    }
}

// ------------------------------------------------------------------ the lead's page

#[derive(Template)]
#[template(path = "coaching.html")]
struct LeadPage {
    l: crate::pages::Layout,
    agents: Vec<(String, String)>,
    items: Vec<(String, String)>,
    sessions: Vec<SessionLine>,
    /// (session id, agent's name, goal) due for follow-up.
    due: Vec<(String, String, GoalLine)>,
    /// What was typed, kept when the form is refused.
    input: NewInput,
    /// Goal rows of the form: always [`MAX_GOALS`].
    goal_rows: Vec<(usize, String, String)>,
    error: Refusal,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    agent: Option<String>,
    interaction: Option<String>,
    item: Option<String>,
}

async fn lead_page_with(
    state: &AppState,
    caller: &Caller,
    input: NewInput,
    error: Option<Refusal>,
) -> AppResult<Response> {
    let v = coaching::lead_view(state, caller).await?;
    let goal_rows = (0..MAX_GOALS)
        .map(|i| {
            let (t, d) = input.goals.get(i).cloned().unwrap_or_default();
            (i + 1, t, d)
        })
        .collect();
    let invalid = error.is_some();
    let page = LeadPage {
        l: layout(Some(caller), "Coaching", "/coaching"),
        agents: v.agents,
        items: coaching::items(),
        sessions: v.sessions.iter().map(session_line).collect(),
        due: v
            .due
            .iter()
            .map(|(id, name, g)| (id.clone(), name.clone(), goal_line(g)))
            .collect(),
        input,
        goal_rows,
        error: error.unwrap_or_default(),
    };
    Ok(unprocessable_if(invalid, render(page)))
}

/// `GET /coaching?agent=&interaction=&item=`: the page, the form filled from the query
/// (an interaction's page links here).
pub async fn lead_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let input = NewInput {
        agent: q.agent.unwrap_or_default(),
        interaction: q.interaction.unwrap_or_default(),
        item: q.item.unwrap_or_default(),
        ..Default::default()
    };
    lead_page_with(&state, &caller, input, None).await
}

fn input_of(form: &FormData) -> NewInput {
    NewInput {
        agent: form.get("agent"),
        interaction: form.get("interaction"),
        item: form.get("item"),
        feedback: form.get("feedback"),
        goals: (1..=MAX_GOALS)
            .map(|n| (form.get(&format!("goal{n}")), form.get(&format!("due{n}"))))
            .collect(),
    }
}

/// `POST /coaching`: records the session, or shows the form again with what was typed.
pub async fn record_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let input = input_of(&form);
    match coaching::record(&state, &caller, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/coaching/{id}")).into_response()),
        Err(e) => match refusal(&e) {
            Some(r) => lead_page_with(&state, &caller, input, Some(r)).await,
            None => Err(e.into()),
        },
    }
}

// ------------------------------------------------------------------ one session

/// The effect as the page words it.
struct EffectLine {
    before: String,
    after: String,
    change: String,
    so_far: bool,
}

fn rate(r: Option<f64>, n: i64) -> String {
    let counted = if n == 1 {
        "1 interaction".to_owned()
    } else {
        format!("{n} interactions")
    };
    match r {
        Some(v) => format!("{v:.0} per 1,000 interactions ({counted})"),
        None => format!("not shown: {counted}, too few to compare"),
    }
}

fn effect_line(e: &Effect) -> EffectLine {
    EffectLine {
        before: rate(e.before_rate, e.before.interactions),
        after: rate(e.after_rate, e.after.interactions),
        change: e
            .change
            .map_or_else(|| "—".into(), |c| format!("{c:+.0} %")),
        so_far: e.so_far,
    }
}

#[derive(Template)]
#[template(path = "coaching_session.html")]
struct SessionPage {
    l: crate::pages::Layout,
    s: SessionLine,
    effect: Option<EffectLine>,
    months: i64,
    outcomes: Vec<(&'static str, &'static str)>,
    error: Refusal,
    /// The goal whose follow-up was refused, with the note typed.
    failed_goal: i64,
    note: String,
}

async fn session_page_with(
    state: &AppState,
    caller: &Caller,
    id: &str,
    error: Option<(Refusal, i64, String)>,
) -> AppResult<Response> {
    let s = coaching::session(state, caller, id).await?;
    let invalid = error.is_some();
    let (error, failed_goal, note) = error.unwrap_or_default();
    let page = SessionPage {
        l: layout(
            Some(caller),
            &format!("Coaching: {}", s.agent_name),
            "/coaching",
        ),
        effect: s.effect.as_ref().map(effect_line),
        s: session_line(&s),
        months: EFFECT_WINDOW_MONTHS,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        error,
        failed_goal,
        note,
    };
    Ok(unprocessable_if(invalid, render(page)))
}

/// `GET /coaching/{id}`: 404 unless the caller recorded it or leads the agent.
pub async fn session_page(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    session_page_with(&state, &caller, &id, None).await
}

/// `POST /coaching/{id}/follow-up`: `goal`, `outcome`, `note`.
pub async fn follow_up_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let n: i64 = form.get("goal").trim().parse().unwrap_or(0);
    let note = form.get("note");
    match coaching::follow_up(&state, &caller, &id, n, &form.get("outcome"), &note).await {
        Ok(()) => Ok(Redirect::to(&format!("/coaching/{id}#goals")).into_response()),
        Err(e) => match refusal(&e) {
            Some(r) => session_page_with(&state, &caller, &id, Some((r, n, note))).await,
            None => Err(e.into()),
        },
    }
}

// ------------------------------------------------------------------ the agent's page

/// A lead to rate, as the page shows it.
struct LeadToRate {
    username: String,
    display_name: String,
    rated: bool,
}

#[derive(Template)]
#[template(path = "coaching_mine.html")]
struct MinePage {
    l: crate::pages::Layout,
    sessions: Vec<SessionLine>,
    round: String,
    closes_on: String,
    leads: Vec<LeadToRate>,
    questions: [(&'static str, &'static str); 2],
    min_raters: usize,
    error: Refusal,
    /// The session whose comment was refused, with what was typed.
    failed_session: String,
    comment: String,
    notice: String,
}

async fn mine_page_with(
    state: &AppState,
    caller: &Caller,
    error: Option<(Refusal, String, String)>,
    notice: String,
) -> AppResult<Response> {
    let sessions = coaching::mine(state, caller).await?;
    let Ballot {
        round,
        closes_on,
        leads,
    } = coaching::ballot(state, caller).await?;
    let invalid = error.is_some();
    let (error, failed_session, comment) = error.unwrap_or_default();
    let page = MinePage {
        l: layout(Some(caller), "My coaching", "/my-coaching"),
        sessions: sessions.iter().map(session_line).collect(),
        round,
        closes_on: closes_on.to_string(),
        leads: leads
            .into_iter()
            .map(|l| LeadToRate {
                username: l.username,
                display_name: l.display_name,
                rated: l.rated,
            })
            .collect(),
        questions: QUESTIONS,
        min_raters: MIN_RATERS,
        error,
        failed_session,
        comment,
        notice,
    };
    Ok(unprocessable_if(invalid, render(page)))
}

/// `GET /my-coaching`.
pub async fn mine_page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    mine_page_with(&state, &caller, None, String::new()).await
}

/// `POST /my-coaching/{id}/acknowledge`.
pub async fn acknowledge_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    coaching::acknowledge(&state, &caller, &id).await?;
    Ok(Redirect::to(&format!("/my-coaching#s-{id}")).into_response())
}

/// `POST /my-coaching/{id}/comment`.
pub async fn comment_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let text = form.get("comment");
    match coaching::comment(&state, &caller, &id, &text).await {
        Ok(()) => Ok(Redirect::to(&format!("/my-coaching#s-{id}")).into_response()),
        Err(e) => match refusal(&e) {
            Some(r) => mine_page_with(&state, &caller, Some((r, id, text)), String::new()).await,
            None => Err(e.into()),
        },
    }
}

/// `POST /my-coaching/rate`: `lead`, `coaching`, `fairness`.
pub async fn rate_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let r = coaching::rate(
        &state,
        &caller,
        &form.get("lead"),
        &form.get("coaching"),
        &form.get("fairness"),
    )
    .await;
    match r {
        Ok(()) => {
            mine_page_with(
                &state,
                &caller,
                None,
                "Thank you. Your rating is stored without your name.".into(),
            )
            .await
        }
        Err(e) => match refusal(&e) {
            Some(r) => {
                mine_page_with(
                    &state,
                    &caller,
                    Some((r, String::new(), String::new())),
                    String::new(),
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

// ------------------------------------------------------------------ upward feedback

/// One lead's released figures as the page words them.
struct ResultLine {
    display_name: String,
    status: String,
    raters: String,
    coaching: String,
    fairness: String,
}

fn result_line(r: &LeadResult) -> ResultLine {
    let (status, raters, coaching, fairness) = match r.released {
        Released::Open => (
            "round still open".to_owned(),
            "—".to_owned(),
            "—".to_owned(),
            "—".to_owned(),
        ),
        Released::TooFew => (
            format!("fewer than {MIN_RATERS} ratings: not shown"),
            "—".into(),
            "—".into(),
            "—".into(),
        ),
        Released::Shown {
            raters,
            coaching,
            fairness,
        } => (
            "shown".to_owned(),
            raters.to_string(),
            format!(
                "{:.1} of 5 ({:.0} % favourable)",
                coaching.mean, coaching.favourable
            ),
            format!(
                "{:.1} of 5 ({:.0} % favourable)",
                fairness.mean, fairness.favourable
            ),
        ),
    };
    ResultLine {
        display_name: r.display_name.clone(),
        status,
        raters,
        coaching,
        fairness,
    }
}

#[derive(Template)]
#[template(path = "coaching_upward.html")]
struct UpwardPage {
    l: crate::pages::Layout,
    round: String,
    results: Vec<ResultLine>,
    min_raters: usize,
    questions: [(&'static str, &'static str); 2],
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    round: Option<String>,
}

/// `GET /upward-feedback?round=2026-Q4`.
pub async fn upward_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<RoundQuery>,
) -> AppResult<Response> {
    let (round, results) = coaching::released_for(&state, &caller, q.round.as_deref()).await?;
    Ok(render(UpwardPage {
        l: layout(Some(&caller), "Upward feedback", "/upward-feedback"),
        round,
        results: results.iter().map(result_line).collect(),
        min_raters: MIN_RATERS,
        questions: QUESTIONS,
    }))
}

// ------------------------------------------------------------------ the API

/// `GET /api/v1/coaching`.
pub async fn lead_api(SignedIn { state, caller }: SignedIn) -> AppResult<Json<LeadView>> {
    Ok(Json(coaching::lead_view(&state, &caller).await?))
}

#[derive(Deserialize)]
pub struct GoalBody {
    text: String,
    due_on: String,
}

#[derive(Deserialize)]
pub struct RecordBody {
    agent: String,
    #[serde(default)]
    interaction: String,
    #[serde(default)]
    item: String,
    feedback: String,
    #[serde(default)]
    goals: Vec<GoalBody>,
}

/// `POST /api/v1/coaching` → 201 `{id}`.
pub async fn record_api(
    SignedIn { state, caller }: SignedIn,
    Json(b): Json<RecordBody>,
) -> AppResult<Response> {
    let input = NewInput {
        agent: b.agent,
        interaction: b.interaction,
        item: b.item,
        feedback: b.feedback,
        goals: b.goals.into_iter().map(|g| (g.text, g.due_on)).collect(),
    };
    let id = coaching::record(&state, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

/// `GET /api/v1/coaching/{id}`.
pub async fn session_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Session>> {
    Ok(Json(coaching::session(&state, &caller, &id).await?))
}

#[derive(Deserialize)]
pub struct FollowUpBody {
    goal: i64,
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/coaching/{id}/follow-up`.
pub async fn follow_up_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Json(b): Json<FollowUpBody>,
) -> AppResult<Json<Value>> {
    coaching::follow_up(&state, &caller, &id, b.goal, &b.outcome, &b.note).await?;
    Ok(Json(
        json!({"id": id, "goal": b.goal, "outcome": b.outcome}),
    ))
}

/// `GET /api/v1/my/coaching`.
pub async fn mine_api(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let sessions = coaching::mine(&state, &caller).await?;
    let ballot = coaching::ballot(&state, &caller).await?;
    Ok(Json(
        json!({"sessions": sessions, "upward_feedback": ballot}),
    ))
}

/// `POST /api/v1/my/coaching/{id}/acknowledge`.
pub async fn acknowledge_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    coaching::acknowledge(&state, &caller, &id).await?;
    Ok(Json(json!({"id": id, "acknowledged": true})))
}

#[derive(Deserialize)]
pub struct CommentBody {
    comment: String,
}

/// `POST /api/v1/my/coaching/{id}/comment`.
pub async fn comment_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Json(b): Json<CommentBody>,
) -> AppResult<Json<Value>> {
    coaching::comment(&state, &caller, &id, &b.comment).await?;
    Ok(Json(json!({"id": id, "commented": true})))
}

#[derive(Deserialize)]
pub struct RateBody {
    lead: String,
    coaching: Value,
    fairness: Value,
}

/// An answer as sent: a number or its text.
fn answer(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `POST /api/v1/upward-feedback` → 201.
pub async fn rate_api(
    SignedIn { state, caller }: SignedIn,
    Json(b): Json<RateBody>,
) -> AppResult<Response> {
    coaching::rate(
        &state,
        &caller,
        &b.lead,
        &answer(&b.coaching),
        &answer(&b.fairness),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"stored": true}))).into_response())
}

/// `GET /api/v1/upward-feedback?round=`.
pub async fn upward_api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<RoundQuery>,
) -> AppResult<Json<Value>> {
    let (round, results) = coaching::released_for(&state, &caller, q.round.as_deref()).await?;
    Ok(Json(
        json!({"round": round, "min_raters": MIN_RATERS, "leads": results}),
    ))
}
