//! Policies and attestation, the employee's side: "My policies", reading a policy with
//! what changed since one last attested it (clause by clause), the comprehension quiz,
//! attesting, the JSON API, the home-page lines, reminders and escalations, and the
//! first-start seed of the sample code of ethics. The officer's side (drafting, four-eyes
//! approval, publishing, reports) is `policies_admin`; the rules are `core::policies`.
//!
//! Who must attest is decided when a material version is published (everyone its
//! audience includes then) and kept up to date ([`sync`](righttrack_app::program::policies::sync)): people who join the audience
//! later are assigned with the policy's full days from when they were added. Every quiz
//! attempt is recorded, passed or not; only a passed attempt (or a version without a
//! quiz) lets a person attest. The evidence is the person, the exact version read and its
//! SHA-256, the time, the method (`web` or `api`) and the score.

use crate::auth::{Caller, Via};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_core::markdown;
use righttrack_core::policies::{self as rules, Change, Words};
use righttrack_store::policies::{Policy, Version};
use serde_json::{json, Value};

use righttrack_app::program::policies::mine::{self, AttemptRow, EvidenceRow, MyRow};
use righttrack_app::program::policies::{attest, Attested, TeamRow};
use righttrack_core::clock::day;

#[derive(Template)]
#[template(path = "policies_team.html")]
struct TeamPage {
    l: Layout,
    rows: Vec<TeamRow>,
    overdue_people: usize,
}

/// `GET /my/team/policies`: the lead's view of their teams' open attestations.
pub async fn team(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let (rows, overdue_people) = mine::team(&state, &caller).await?;
    Ok(render(TeamPage {
        l: layout(Some(&caller), "My team's policies", "/my/team/policies"),
        rows,
        overdue_people,
    }))
}

// ---------------------------------------------------------------------- my policies

#[derive(Template)]
#[template(path = "policies_mine.html")]
struct MinePage {
    l: Layout,
    open: Vec<MyRow>,
    published: Vec<MyRow>,
    evidence: Vec<EvidenceRow>,
}

/// `GET /my/policies`: what I must attest (overdue first), every published policy, and
/// my attestations.
pub async fn mine(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let mine::Mine {
        open,
        published,
        evidence,
    } = mine::mine(&state, &caller).await?;
    Ok(render(MinePage {
        l: layout(Some(&caller), "My policies", "/my/policies"),
        open,
        published,
        evidence,
    }))
}

// ------------------------------------------------------------------ read and attest

/// One clause of "what changed", as HTML built from escaped text only.
pub struct ClauseView {
    pub change: &'static str,
    pub title: String,
    pub html: String,
}

/// Renders the clause comparison of `old` → `new` for a reader.
pub fn clause_views(old: Option<&str>, new: &str) -> Vec<ClauseView> {
    rules::diff(old, new)
        .into_iter()
        .filter(|c| c.change != Change::Unchanged)
        .map(|c| {
            let html = match (c.change, &c.old, &c.new) {
                (Change::Changed, Some(o), Some(n)) => {
                    let mut h = String::from("<p class=\"words\">");
                    for w in rules::word_diff(o, n) {
                        match w {
                            Words::Same(s) => h.push_str(&markdown::escape(&s)),
                            Words::Deleted(s) => {
                                h.push_str(&format!("<del>{}</del>", markdown::escape(&s)))
                            }
                            Words::Inserted(s) => {
                                h.push_str(&format!("<ins>{}</ins>", markdown::escape(&s)))
                            }
                        }
                        h.push(' ');
                    }
                    h.push_str("</p>");
                    h
                }
                (Change::Removed, Some(o), _) => {
                    format!("<del class=\"block\">{}</del>", markdown::render(o))
                }
                (_, _, Some(n)) => markdown::render(n),
                _ => String::new(),
            };
            ClauseView {
                change: c.change.as_str(),
                title: c.title,
                html,
            }
        })
        .collect()
}

pub struct QuestionView {
    pub n: usize,
    pub prompt: String,
    pub choices: Vec<(usize, String, bool)>,
    /// After a failed attempt: was it answered wrong?
    pub wrong: bool,
}

#[derive(Template)]
#[template(path = "policy_read.html")]
struct ReadPage {
    l: Layout,
    p: Policy,
    v: Version,
    published: String,
    html: String,
    /// An open assignment: show what changed, the quiz and the attest form.
    to_attest: bool,
    due: String,
    overdue: bool,
    /// The version last attested, if any.
    since: Option<i64>,
    changes: Vec<ClauseView>,
    questions: Vec<QuestionView>,
    pass_mark: u32,
    error: Option<String>,
    notice: Option<String>,
    attempts: Vec<AttemptRow>,
    evidence: Vec<EvidenceRow>,
}

struct Outcome {
    error: Option<String>,
    notice: Option<String>,
    wrong: Vec<bool>,
    chosen: Vec<Option<usize>>,
}

async fn read_page(
    state: &AppState,
    caller: &Caller,
    key: &str,
    o: Outcome,
) -> AppResult<Response> {
    let r = mine::read(state, caller, key).await?;
    let to_attest = r.to_attest.is_some();
    let changes = match &r.last {
        Some(l) if to_attest => clause_views(Some(&l.body), &r.v.body),
        _ => Vec::new(),
    };
    let questions =
        r.v.quiz
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionView {
                n: i + 1,
                prompt: q.prompt.clone(),
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (j, c.clone(), o.chosen.get(i).copied().flatten() == Some(j)))
                    .collect(),
                wrong: o.wrong.get(i).copied().unwrap_or(false),
            })
            .collect();
    let status = if o.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let (due, overdue) = r.to_attest.unwrap_or_default();
    let (p, v) = (r.p, r.v);
    let page = ReadPage {
        l: layout(Some(caller), &p.title, "/my/policies"),
        published: v.published_at.map(day).unwrap_or_default(),
        html: markdown::render(&v.body),
        to_attest,
        due,
        overdue,
        since: r.last.as_ref().map(|l| l.number),
        changes,
        questions,
        pass_mark: p.pass_mark,
        error: o.error,
        notice: o.notice,
        attempts: r.attempts,
        evidence: r.evidence,
        p,
        v,
    };
    Ok((status, render(page)).into_response())
}

/// `GET /policies/{id}`: read the published version; with an open attestation, what
/// changed since I last attested, the quiz and the attest form.
pub async fn read(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    Query(q): Query<std::collections::BTreeMap<String, String>>,
) -> AppResult<Response> {
    read_page(
        &state,
        &caller,
        &key,
        Outcome {
            error: None,
            notice: q
                .contains_key("attested")
                .then(|| "Attested. Your attestation is recorded below.".to_owned()),
            wrong: Vec::new(),
            chosen: Vec::new(),
        },
    )
    .await
}

/// `POST /policies/{id}/attest`: the quiz answers (`q1`, `q2`, …), the version read and
/// the confirmation box.
pub async fn attest_form(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let mut answers = Vec::new();
    for i in 1..=rules::MAX_QUESTIONS {
        let v = form.get(&format!("q{i}"));
        answers.push(if v.is_empty() {
            None
        } else {
            Some(v.trim().parse::<usize>().map_err(|_| {
                AppError::unprocessable(format!("field `q{i}`: expected an answer number"))
            })?)
        });
    }
    while answers.last() == Some(&None) {
        answers.pop();
    }
    if form.get("confirm") != "yes" {
        return read_page(
            &state,
            &caller,
            &key,
            Outcome {
                error: Some(
                    "Tick the box to confirm you have read and understood the policy.".into(),
                ),
                notice: None,
                wrong: Vec::new(),
                chosen: answers,
            },
        )
        .await;
    }
    let (p, result) = attest(&state, &caller, &key, &form.get("version"), &answers, "web").await?;
    match result {
        Attested::Done { .. } => {
            Ok(Redirect::to(&format!("/policies/{}?attested=1#evidence", p.slug)).into_response())
        }
        Attested::Failed(s) => {
            read_page(
                &state,
                &caller,
                &key,
                Outcome {
                    error: Some(format!(
                        "You scored {}% ({} of {} right); the pass mark is {}%. The questions marked below were answered wrong: read the policy again and retry. Your attempt was recorded.",
                        s.percent, s.correct, s.total, p.pass_mark
                    )),
                    notice: None,
                    wrong: s.per_question.iter().map(|ok| !ok).collect(),
                    chosen: Vec::new(),
                },
            )
            .await
        }
    }
}

// ----------------------------------------------------------------------------- API

fn version_json(p: &Policy, v: &Version) -> Value {
    json!({
        "id": p.id,
        "key": p.slug,
        "title": p.title,
        "version": v.number,
        "version_id": v.id,
        "kind": v.kind,
        "summary": v.summary,
        "published_at": v.published_at,
        "hash": v.hash,
        "pass_mark": p.pass_mark,
        "questions": v.quiz.len(),
    })
}

/// `GET /api/v1/policies`: the published policies with version and hash.
pub async fn api_list(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let list: Vec<Value> = mine::all_published(&state)
        .await?
        .iter()
        .map(|(p, v)| version_json(p, v))
        .collect();
    Ok(Json(json!({ "policies": list })))
}

/// `GET /api/v1/policies/{id}`: one published policy with its text (Markdown) and its
/// quiz questions (without the answers).
pub async fn api_get(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    let (p, v) = mine::published(&state, &key).await?;
    let mut out = version_json(&p, &v);
    out["body"] = json!(v.body);
    out["quiz"] = json!(v
        .quiz
        .iter()
        .map(|q| json!({"prompt": q.prompt, "choices": q.choices}))
        .collect::<Vec<_>>());
    Ok(Json(out))
}

/// `GET /api/v1/my/attestations`: the caller's open attestations and evidence.
pub async fn api_mine(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let now = state.now();
    let (open, done) = mine::attestations(&state, &caller).await?;
    let open: Vec<Value> = open
        .into_iter()
        .map(|a| {
            json!({
                "policy": a.policy_id, "key": a.slug, "title": a.title,
                "cycle_version": a.cycle_number, "due_at": a.due_at,
                "overdue": rules::is_overdue(a.due_at, now),
            })
        })
        .collect();
    Ok(Json(json!({"open": open, "attested": done})))
}

/// `POST /api/v1/policies/{id}/attestations` with `{"version_hash", "answers": [..]}`
/// (answers are 0-based choice indexes, one per question).
pub async fn api_attest(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| AppError::bad_request(format!("body: not JSON ({e})")))?;
    let hash = v
        .get("version_hash")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            AppError::unprocessable("field `version_hash`: required, the hash of the version read")
        })?
        .to_owned();
    let answers: Vec<Option<usize>> = match v.get("answers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                Value::Null => Ok(None),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| {
                        AppError::unprocessable(format!(
                            "field `answers[{i}]`: expected a choice index (0, 1, …)"
                        ))
                    }),
                _ => Err(AppError::unprocessable(format!(
                    "field `answers[{i}]`: expected a choice index (0, 1, …)"
                ))),
            })
            .collect::<AppResult<_>>()?,
        Some(_) => {
            return Err(AppError::unprocessable(
                "field `answers`: expected an array of choice indexes",
            ))
        }
    };
    let method = match caller.via {
        Via::Token { .. } => "api",
        Via::Session { .. } => "web",
    };
    let (_, result) = attest(&state, &caller, &key, &hash, &answers, method).await?;
    Ok(match result {
        Attested::Done { id, score } => (
            axum::http::StatusCode::CREATED,
            Json(json!({"attested": true, "attestation": id, "score": score})),
        )
            .into_response(),
        Attested::Failed(s) => (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "code": "unprocessable",
                "message": format!("score {}% is below the pass mark; the attempt was recorded, nothing was attested", s.percent),
                "attested": false,
                "score": s.percent,
                "wrong": s.per_question.iter().enumerate().filter(|(_, ok)| !**ok).map(|(i, _)| i).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
    })
}
