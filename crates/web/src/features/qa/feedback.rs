//! Customer feedback: minting single-use survey links, the public form customers answer
//! without signing in, and the CSAT/NPS reports QA reads.
//!
//! * `POST /api/v1/interactions/{id}/feedback-link` (scope `ingest`) returns
//!   `{url, path, expires_at}`. The token is 32 random bytes; the database keeps its
//!   SHA-256 only, so the response is the only copy. Minting again replaces an
//!   unanswered link (the old one stops working); an answered interaction gets 409.
//! * `GET /f/{token}` shows the form: the interaction's channel and date, nothing else
//!   (no transcript, no agent name). `POST /f/{token}` checks the answer (422 naming the
//!   field, nothing stored, link still open), scrubs and screens the comment, and stores
//!   the answer while consuming the link in one statement. A used link answers 410
//!   "already answered", an expired one 410 "expired", an unknown or malformed one 404
//!   with one generic page, so probing learns nothing.
//! * CSRF: the guard's double-submit cookie, as on the sign-in form (the form carries
//!   the session's token instead when the browser has a session).
//! * `/f/*` is rate limited per client ([`crate::limit`]); no address is stored or
//!   logged, and request logs name the route template, never the token.

use crate::auth::{self, Caller, Via, LOGIN_CSRF_COOKIE};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::limit::Kind as Bucket;
use crate::pages::{layout, render, with_retry_after, FormData};
use crate::params::{nonempty, period, Period};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use jiff::civil::Date;
use righttrack_app::qa::feedback::{Answered, Tallies};
use righttrack_core::feedback::{self as fb, plausible_token, Answer, LinkState, NpsGroup, Tally};
use righttrack_store::feedback::{AgentTally, FeedbackFilter, FeedbackRecord};
use serde::Deserialize;
use serde_json::{json, Value};

// ---------------------------------------------------------------- minting

/// The address customers reach this server at: the configured public URL, else the
/// Host the (authenticated) caller used, else nothing (the path alone is returned).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_default()
}

pub async fn mint(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let m = righttrack_app::qa::feedback::mint(&state, &caller, &id).await?;
    let path = format!("/f/{}", m.token.expose());
    let url = format!("{}{path}", base_url(&state, &headers));
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "interaction": id,
            "url": url,
            "path": path,
            "expires_at": m.expires.to_string(),
        })),
    )
        .into_response())
}

// ---------------------------------------------------------------- the public form

struct Opt {
    value: u8,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "feedback_public.html")]
struct PublicPage {
    title: &'static str,
    /// form, thanks, answered, expired, invalid or limited.
    kind: &'static str,
    about: String,
    action: String,
    csrf: String,
    csat: Vec<Opt>,
    nps: Vec<Opt>,
    comment: String,
    max_comment: usize,
    errors: Vec<(String, String)>,
    csat_error: Option<String>,
    nps_error: Option<String>,
    comment_error: Option<String>,
    retry_after: u64,
}

const CSAT_LABELS: [&str; 5] = [
    "Very dissatisfied",
    "Dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Satisfied",
    "Very satisfied",
];

impl PublicPage {
    fn new(kind: &'static str, title: &'static str) -> Self {
        PublicPage {
            title,
            kind,
            about: String::new(),
            action: String::new(),
            csrf: String::new(),
            csat: Vec::new(),
            nps: Vec::new(),
            comment: String::new(),
            max_comment: fb::MAX_COMMENT_CHARS,
            errors: Vec::new(),
            csat_error: None,
            nps_error: None,
            comment_error: None,
            retry_after: 0,
        }
    }

    fn respond(self, status: StatusCode) -> Response {
        let mut r = render(self);
        *r.status_mut() = status;
        r.headers_mut().insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
        r
    }
}

fn invalid() -> Response {
    PublicPage::new("invalid", "This link does not work").respond(StatusCode::NOT_FOUND)
}

fn gone(state: LinkState) -> Response {
    match state {
        LinkState::Expired => {
            PublicPage::new("expired", "This survey has closed").respond(StatusCode::GONE)
        }
        _ => PublicPage::new("answered", "You have already answered").respond(StatusCode::GONE),
    }
}

fn limited(secs: u64) -> Response {
    let mut p = PublicPage::new("limited", "Please wait a moment");
    p.retry_after = secs.div_ceil(60).max(1);
    with_retry_after(p.respond(StatusCode::TOO_MANY_REQUESTS), secs)
}

fn channel_word(channel: &str) -> &'static str {
    match channel {
        "voice" => "call",
        "chat" => "chat",
        "email" => "email",
        _ => "conversation",
    }
}

/// The form's CSRF token: the session's when the browser has one (the guard checks
/// that), else the double-submit cookie's, reused when present so two open tabs both
/// work.
fn csrf_for(
    state: &AppState,
    caller: Option<&Caller>,
    headers: &HeaderMap,
) -> (String, Option<HeaderValue>) {
    if let Some(c) = caller.filter(|c| matches!(c.via, Via::Session { .. })) {
        return (c.csrf(), None);
    }
    let token = auth::our_cookie(state, headers, LOGIN_CSRF_COOKIE)
        .filter(|v| plausible_token(v))
        .unwrap_or_else(|| auth::random_token().into_inner());
    // A day: long enough for a customer who leaves the form open for a while.
    let cookie = auth::set_cookie(state, LOGIN_CSRF_COOKIE, &token, 24 * 3600);
    (token, Some(cookie))
}

#[derive(Default)]
struct Entered {
    csat: String,
    nps: String,
    comment: String,
}

fn form_page(
    about: String,
    token: &str,
    csrf: String,
    entered: &Entered,
    errors: Vec<fb::FieldError>,
) -> PublicPage {
    let mut p = PublicPage::new("form", "How did we do?");
    p.about = about;
    p.action = format!("/f/{token}");
    p.csrf = csrf;
    p.csat = (1..=5u8)
        .map(|v| Opt {
            value: v,
            label: CSAT_LABELS[usize::from(v - 1)],
            checked: entered.csat == v.to_string(),
        })
        .collect();
    p.nps = (0..=10u8)
        .map(|v| Opt {
            value: v,
            label: "",
            checked: entered.nps == v.to_string(),
        })
        .collect();
    p.comment = entered.comment.clone();
    for e in &errors {
        match e.field {
            "csat" => p.csat_error = Some(e.message.clone()),
            "nps" => p.nps_error = Some(e.message.clone()),
            _ => p.comment_error = Some(e.message.clone()),
        }
    }
    p.errors = errors
        .into_iter()
        .map(|e| (e.field.to_owned(), e.message))
        .collect();
    p
}

fn about(link: &righttrack_store::feedback::FeedbackLink) -> String {
    format!(
        "About your {} with us on {}.",
        channel_word(&link.channel),
        link.interaction_at.strftime("%-d %B %Y")
    )
}

fn with_cookie(mut r: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

type Peer = crate::client::Peer;

/// Looks a token up, counting misses against the client. `Err` is the page to show.
async fn open_link(
    state: &AppState,
    key: &[u8; 16],
    token: &str,
) -> Result<righttrack_store::feedback::FeedbackLink, Response> {
    let now = state.now();
    if let Some(wait) = state.feedback_limiter.blocked(key, Bucket::Miss, now) {
        return Err(limited(wait));
    }
    let found = righttrack_app::qa::feedback::link(state, token)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    let Some(link) = found else {
        let _ = state.feedback_limiter.take(key, Bucket::Miss, now);
        return Err(invalid());
    };
    match LinkState::of(link.expires_at, link.submitted_at, now) {
        LinkState::Open => Ok(link),
        s => Err(gone(s)),
    }
}

pub async fn form(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    peer: Peer,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let key = state.client_key(&state.feedback_limiter, &peer, &headers);
    let link = match open_link(&state, &key, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let (csrf, cookie) = csrf_for(&state, caller.as_ref().map(|e| &e.0), &headers);
    let page = form_page(about(&link), &token, csrf, &Entered::default(), Vec::new());
    with_cookie(page.respond(StatusCode::OK), cookie)
}

pub async fn submit(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    peer: Peer,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let key = state.client_key(&state.feedback_limiter, &peer, &headers);
    if let Err(wait) = state
        .feedback_limiter
        .take(&key, Bucket::Submission, state.now())
    {
        return limited(wait);
    }
    let link = match open_link(&state, &key, &token).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let entered = Entered {
        csat: form.get("csat"),
        nps: form.get("nps"),
        comment: form.get("comment"),
    };
    let answer = match Answer::parse(&entered.csat, &entered.nps, &entered.comment) {
        Ok(a) => a,
        Err(errors) => {
            let (csrf, cookie) = csrf_for(&state, caller.as_ref().map(|e| &e.0), &headers);
            let page = form_page(about(&link), &token, csrf, &entered, errors);
            return with_cookie(page.respond(StatusCode::UNPROCESSABLE_ENTITY), cookie);
        }
    };
    match store_answer(&state, &token, &link.interaction, answer).await {
        Ok(None) => PublicPage::new("thanks", "Thank you").respond(StatusCode::OK),
        Ok(Some(r)) => r,
        Err(e) => e.into_response(),
    }
}

/// Screens the comment and stores the answer. `Ok(Some(page))` when the link was used
/// up or expired in the meantime.
async fn store_answer(
    state: &AppState,
    token: &str,
    interaction: &str,
    answer: Answer,
) -> AppResult<Option<Response>> {
    Ok(
        match righttrack_app::qa::feedback::answer(state, token, interaction, answer).await? {
            Answered::Stored => None,
            // Answered in another tab a moment ago, or expired while the form was open.
            Answered::Closed(s) => Some(gone(s)),
            Answered::Unknown => Some(invalid()),
        },
    )
}

// ---------------------------------------------------------------- reports

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    team: Option<String>,
    agent: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
}

/// Default report window: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;

struct Report {
    from: Date,
    to: Date,
    filter: FeedbackFilter,
    overall: Tally,
    teams: Vec<(String, Tally)>,
    agents: Vec<AgentTally>,
    answers: Vec<FeedbackRecord>,
}

/// The report `q` asks for, with at most `limit` answers (only those with a comment
/// when `comments_only`).
async fn report(
    state: &AppState,
    q: &ReportQuery,
    comments_only: bool,
    limit: i64,
) -> AppResult<Report> {
    let today = state.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let Period {
        from,
        to,
        start,
        end,
    } = period(&q.from, &q.to, today, DEFAULT_DAYS)?;
    let filter = FeedbackFilter {
        team_ref: nonempty(&q.team),
        agent_ref: nonempty(&q.agent),
        from: start,
        to: end,
    };
    let (
        Tallies {
            overall,
            teams,
            agents,
        },
        answers,
    ) = righttrack_app::qa::feedback::report(state, &filter, comments_only, limit).await?;
    Ok(Report {
        from,
        to,
        filter,
        overall,
        teams,
        agents,
        answers,
    })
}

fn tally_json(t: &Tally) -> Value {
    json!({
        "sent": t.sent,
        "answered": t.answered,
        "response_rate": t.response_rate(),
        "csat_average": t.csat_average().map(|v| (v * 100.0).round() / 100.0),
        "nps": t.nps(),
        "promoters": t.promoters,
        "passives": t.passives(),
        "detractors": t.detractors,
    })
}

fn answer_json(r: &FeedbackRecord) -> Value {
    json!({
        "interaction": r.interaction,
        "agent": r.agent_ref,
        "team": r.team_ref,
        "interaction_at": r.interaction_at.to_string(),
        "submitted_at": r.submitted_at.map(|t| t.to_string()),
        "csat": r.csat,
        "nps": r.nps,
        "nps_group": r.nps.and_then(|n| u8::try_from(n).ok()).map(|n| NpsGroup::of(n).as_str()),
        "comment": r.comment,
        "comment_flagged": r.comment_flagged,
    })
}

/// `GET /api/v1/feedback`: aggregates per team and agent, and the answers.
pub async fn api_report(
    State(state): State<AppState>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Value>> {
    let r = report(&state, &q, false, q.limit.unwrap_or(100)).await?;
    Ok(Json(json!({
        "from": r.from.to_string(),
        "to": r.to.to_string(),
        "team": r.filter.team_ref,
        "agent": r.filter.agent_ref,
        "overall": tally_json(&r.overall),
        "teams": r.teams.iter().map(|(name, t)| {
            let mut v = tally_json(t);
            v["team"] = json!(name);
            v
        }).collect::<Vec<_>>(),
        "agents": r.agents.iter().map(|a| {
            let mut v = tally_json(&a.tally);
            v["agent"] = json!(a.agent_ref);
            v["team"] = json!(a.team_ref);
            v
        }).collect::<Vec<_>>(),
        "answers": r.answers.iter().map(answer_json).collect::<Vec<_>>(),
    })))
}

struct TallyRow {
    name: String,
    /// This row's report alone.
    href: String,
    team: String,
    sent: i64,
    answered: i64,
    rate: String,
    csat: String,
    nps: String,
}

fn tally_row(name: &str, team: &str, t: &Tally, href: String) -> TallyRow {
    TallyRow {
        href,
        name: if name.is_empty() {
            "(no team)".into()
        } else {
            name.to_owned()
        },
        team: team.to_owned(),
        sent: t.sent,
        answered: t.answered,
        rate: t
            .response_rate()
            .map_or("—".into(), |r| format!("{:.0}%", r * 100.0)),
        csat: t.csat_average().map_or("—".into(), |v| format!("{v:.2}")),
        nps: t.nps().map_or("—".into(), |v| format!("{v:+}")),
    }
}

struct CommentRow {
    interaction: String,
    agent: String,
    submitted: String,
    csat: i64,
    nps: i64,
    comment: String,
    flagged: bool,
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct ReportPage {
    l: crate::pages::Layout,
    from: String,
    to: String,
    team: String,
    agent: String,
    overall: TallyRow,
    teams: Vec<TallyRow>,
    agents: Vec<TallyRow>,
    comments: Vec<CommentRow>,
}

/// `GET /qa/feedback`: CSAT, NPS and response rate per team and agent, latest comments.
pub async fn report_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = report(&state, &q, true, 20).await?;
    let link = |field: &str, value: &str| {
        format!(
            "/qa/feedback?from={}&to={}&{field}={}",
            r.from,
            r.to,
            crate::routes::urlencode(value)
        )
    };
    let comments = r
        .answers
        .into_iter()
        .map(|c| CommentRow {
            submitted: c
                .submitted_at
                .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            interaction: c.interaction,
            agent: c.agent_ref,
            csat: c.csat.unwrap_or_default(),
            nps: c.nps.unwrap_or_default(),
            comment: c.comment.unwrap_or_default(),
            flagged: c.comment_flagged,
        })
        .collect();
    Ok(render(ReportPage {
        l: layout(Some(&caller), "Customer feedback", "/qa/feedback"),
        from: r.from.to_string(),
        to: r.to.to_string(),
        team: r.filter.team_ref.clone().unwrap_or_default(),
        agent: r.filter.agent_ref.clone().unwrap_or_default(),
        overall: tally_row("All", "", &r.overall, String::new()),
        teams: r
            .teams
            .iter()
            .map(|(name, t)| tally_row(name, "", t, link("team", name)))
            .collect(),
        agents: r
            .agents
            .iter()
            .map(|a| {
                tally_row(
                    &a.agent_ref,
                    a.team_ref.as_deref().unwrap_or(""),
                    &a.tally,
                    link("agent", &a.agent_ref),
                )
            })
            .collect(),
        comments,
    }))
}
