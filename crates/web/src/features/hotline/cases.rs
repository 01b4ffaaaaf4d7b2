//! Speak-up case management at the HTTP edge: what ethics officers, audit-committee
//! members, investigators and identity custodians see and do with hotline cases.
//!
//! The rules live in `app`: who holds a case's key and how conflicts of interest keep
//! people away ([`righttrack_app::hotline::cases`]), what the list and a case show
//! ([`righttrack_app::hotline::views`]) and what the case team does
//! ([`righttrack_app::hotline::actions`]). Every staff query joins on the viewer's wraps,
//! so an excluded person cannot reach a case through the list, search, counts, export or
//! API: it is absent, not greyed out. Sessions, not tokens, read content.
//!
//! Handlers here read the form or query, call one use case and render the page or
//! return to the case; an input the use case refuses is shown on the case page.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{csv_download, layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};

use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_app::hotline::actions::{self, After};
use righttrack_app::hotline::views::{self, CaseList, CaseView, Filter};
use righttrack_core::clock::day;
use righttrack_store::speakup_cases::STATUSES;
use serde::Deserialize;
use serde_json::{json, Value};

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    l: Layout,
    v: CaseList,
    q: ListQueryView,
    statuses: Vec<&'static str>,
}

/// The filters as the list's form shows them (`open` when no status was chosen).
#[derive(Default)]
struct ListQueryView {
    status: String,
    clock: String,
    category: String,
    assigned: String,
    q: String,
}

impl From<Filter> for ListQueryView {
    fn from(q: Filter) -> Self {
        ListQueryView {
            status: q.status.unwrap_or_else(|| "open".into()),
            clock: q.clock.unwrap_or_default(),
            category: q.category.unwrap_or_default(),
            assigned: q.assigned.unwrap_or_default(),
            q: q.q.unwrap_or_default(),
        }
    }
}

pub async fn list(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<Filter>,
) -> AppResult<Response> {
    let v = views::list(&state, &caller, &q).await?;
    Ok(render(ListPage {
        l: layout(Some(&caller), "Cases", "/cases"),
        v,
        q: q.into(),
        statuses: STATUSES.to_vec(),
    }))
}

/// `GET /cases/export.csv`: the filtered list as CSV (metadata only, never content).
pub async fn export_csv(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<Filter>,
) -> AppResult<Response> {
    let out = views::export_csv(&state, &caller, &q).await?;
    Ok(csv_download("cases.csv", out))
}

/// `GET /api/v1/speakup/cases`: the caller's cases as JSON (metadata only).
pub async fn api_list(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<Filter>,
) -> AppResult<Json<Value>> {
    let rows = views::rows(&state, &caller, &q).await?;
    Ok(Json(json!({"count": rows.len(), "cases": rows})))
}

// ---------------------------------------------------------------- one case

#[derive(Template)]
#[template(path = "case.html")]
struct DetailPage {
    l: Layout,
    v: CaseView,
    attachments: Vec<FileView>,
    error: String,
}

/// One attachment on the case page: what it is, never what it says.
struct FileView {
    id: String,
    name: String,
    mime: &'static str,
    size: String,
    who: &'static str,
    at: String,
    /// A PDF keeps its document properties (author and the like).
    pdf: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    pub error: Option<String>,
}

pub async fn detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Query(dq): Query<DetailQuery>,
) -> AppResult<Response> {
    let v = views::case(&state, &caller, &id).await?;
    let attachments = v
        .attachments
        .iter()
        .map(|a| FileView {
            size: super::speakup_attachments::size_label(a.size, false),
            who: if a.author == "staff" {
                "Case team"
            } else {
                "Reporter"
            },
            at: day(a.created_at),
            pdf: !a.metadata_stripped,
            id: a.id.clone(),
            name: a.name.clone(),
            mime: a.mime,
        })
        .collect();
    Ok(render(DetailPage {
        l: layout(Some(&caller), &format!("Case {}", v.r.case), "/cases"),
        v,
        attachments,
        error: dq.error.unwrap_or_default(),
    }))
}

/// `GET /cases/{id}/attachments/{attachment}`: one attachment, as stored (metadata
/// stripped), for a key holder. Opening the case first is the access check: a case the
/// caller holds no key to is "not found". Every download is audited, by ids only.
pub async fn attachment(
    SignedIn { state, caller }: SignedIn,
    Path((id, attachment)): Path<(String, String)>,
) -> AppResult<Response> {
    let file = views::attachment(&state, &caller, &id, &attachment).await?;
    super::speakup_attachments::serve(file)
}

// ---------------------------------------------------------------- actions

fn back(id: &str) -> Response {
    Redirect::to(&format!("/cases/{}", crate::routes::urlencode(id))).into_response()
}

fn back_with(id: &str, error: &str) -> Response {
    Redirect::to(&format!(
        "/cases/{}?error={}",
        crate::routes::urlencode(id),
        crate::routes::urlencode(error)
    ))
    .into_response()
}

/// What a case action reads: the caller, the case reference from the path and the
/// form (in that order, with the same rejections as each extractor alone).
pub struct CaseForm {
    state: AppState,
    caller: Caller,
    id: String,
    form: FormData,
}

impl FromRequest<AppState> for CaseForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Extension(caller) = Extension::<Caller>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = FormData::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(CaseForm {
            state: state.clone(),
            caller,
            id,
            form,
        })
    }
}

impl CaseForm {
    /// A form field, as typed.
    fn get(&self, field: &str) -> String {
        self.form.get(field)
    }

    /// Where the action leads: see [`done`].
    fn done(&self, r: righttrack_app::Result<After>) -> AppResult<Response> {
        done(&self.id, r)
    }
}

/// Where an action leads: the case page (with the refusal shown on it, if the input was
/// refused), or the list when the caller no longer reads the case.
fn done(id: &str, r: righttrack_app::Result<After>) -> AppResult<Response> {
    match r {
        Ok(After::Case) => Ok(back(id)),
        Ok(After::List) => Ok(Redirect::to("/cases").into_response()),
        Err(e) if actions::is_refusal(&e) => Ok(back_with(id, &e.message)),
        Err(e) => Err(e.into()),
    }
}

/// `POST /cases/{id}/status`: a new status; a final status needs the outcome (sealed).
pub async fn set_status(c: CaseForm) -> AppResult<Response> {
    let (status, outcome) = (c.get("status"), c.get("outcome"));
    c.done(actions::set_status(&c.state, &c.caller, &c.id, &status, &outcome).await)
}

/// `POST /cases/{id}/note`: an internal note (sealed; never shown to the reporter).
pub async fn add_note(c: CaseForm) -> AppResult<Response> {
    c.done(actions::add_note(&c.state, &c.caller, &c.id, &c.get("note")).await)
}

/// `POST /cases/{id}/message`: a message to the reporter (they read it with their
/// receipt). Marked as feedback, it meets the feedback deadline.
pub async fn send_message(c: CaseForm) -> AppResult<Response> {
    let (message, feedback) = (c.get("message"), c.get("feedback") == "on");
    c.done(actions::send_message(&c.state, &c.caller, &c.id, &message, feedback).await)
}

/// `POST /cases/{id}/triage`: retaliation risk, jurisdiction and the people concerned
/// (whose conflicts are applied at once).
pub async fn triage(c: CaseForm) -> AppResult<Response> {
    let input = actions::Triage {
        risk: c.get("risk"),
        jurisdiction: c.get("jurisdiction"),
        subjects: c.get("subjects"),
        reason: c.get("reason"),
    };
    c.done(actions::triage(&c.state, &c.caller, &c.id, &input).await)
}

/// `POST /cases/{id}/assign`: gives the case to a worker (who then gets its key) or
/// takes it back (`assignee` empty).
pub async fn assign(c: CaseForm) -> AppResult<Response> {
    c.done(actions::assign(&c.state, &c.caller, &c.id, &c.get("assignee")).await)
}

/// `POST /cases/{id}/handover`: the assignee hands the case to another worker.
pub async fn handover(c: CaseForm) -> AppResult<Response> {
    c.done(actions::handover(&c.state, &c.caller, &c.id, &c.get("assignee")).await)
}

/// `POST /cases/{id}/recuse`: the caller steps away from the case (reason sealed); their
/// key is destroyed and they stay excluded.
pub async fn recuse(c: CaseForm) -> AppResult<Response> {
    c.done(actions::recuse(&c.state, &c.caller, &c.id, &c.get("reason")).await)
}

/// `POST /cases/{id}/hold`: places or lifts a legal hold (a held case is never destroyed).
pub async fn hold(c: CaseForm) -> AppResult<Response> {
    let (on, reason) = (c.get("hold"), c.get("reason"));
    c.done(actions::hold(&c.state, &c.caller, &c.id, &on, &reason).await)
}

/// `POST /cases/{id}/watch`: puts a named reporter or witness under retaliation watch,
/// with their consent.
pub async fn watch(c: CaseForm) -> AppResult<Response> {
    let input = actions::Watch {
        username: c.get("username"),
        role: c.get("role"),
        consent: c.get("consent") == "on",
    };
    c.done(actions::watch(&c.state, &c.caller, &c.id, &input).await)
}

/// `POST /cases/{id}/identity`: asks the custodians to open the identity envelope.
pub async fn request_identity(c: CaseForm) -> AppResult<Response> {
    c.done(actions::request_identity(&c.state, &c.caller, &c.id, &c.get("reason")).await)
}

/// `POST /cases/{id}/identity/{request}`: a custodian approves (wrapping the identity key
/// for the requester) or denies, with a reason.
pub async fn decide_identity(
    SignedIn { state, caller }: SignedIn,
    Path((id, rid)): Path<(String, String)>,
    form: FormData,
) -> AppResult<Response> {
    let (decision, reason) = (form.get("decision"), form.get("reason"));
    let r = actions::decide_identity(&state, &caller, &id, &rid, &decision, &reason).await;
    done(&id, r)
}
