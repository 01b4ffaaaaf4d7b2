//! Importing people from an HR file: paste the file, see every change, import exactly
//! what was shown. (Machines bring people in with `righttrack directory import`: an API
//! token never carries the admin role this needs.)

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::SignedIn;
use crate::pages::{layout, render, unprocessable_if, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use righttrack_app::platform::people::{self, Options, Preview};
use righttrack_app::Kind;

/// The largest people file taken: 50,000 people at about a hundred bytes a line, twice.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Template)]
#[template(path = "directory_import.html")]
struct Page {
    l: Layout,
    columns: &'static str,
    /// The file as typed, kept through every step.
    people: String,
    leavers_confirmed: bool,
    preview: Option<Preview>,
    /// What an import did.
    done: Option<String>,
    problem: Option<String>,
}

fn page(caller: &Caller, people: String, leavers_confirmed: bool) -> Page {
    Page {
        l: layout(Some(caller), "Import people", "/admin/users"),
        columns: righttrack_core::directory::COLUMNS,
        people,
        leavers_confirmed,
        preview: None,
        done: None,
        problem: None,
    }
}

/// `GET /admin/directory/import`.
pub async fn form(SignedIn { caller, .. }: SignedIn) -> AppResult<Response> {
    Ok(render(page(&caller, String::new(), false)))
}

/// `POST /admin/directory/import`: `step=preview` shows the changes; `step=import`
/// imports them, provided they are still the ones shown (`fingerprint`).
pub async fn submit(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    let text = form.get("people");
    let confirmed = form.get("confirm_leavers") == "on";
    let mut p = page(&caller, text.clone(), confirmed);
    if text.trim().is_empty() {
        p.problem = Some("People file: paste the file exported by the HR system.".into());
        return Ok(unprocessable_if(true, render(p)));
    }
    let me = Some(caller.user.username.as_str());
    if form.get("step") != "import" {
        let preview = people::preview(&state, me, &text, confirmed).await?;
        let invalid = !preview.ok();
        p.preview = Some(preview);
        return Ok(unprocessable_if(invalid, render(p)));
    }
    let fingerprint = form.get("fingerprint");
    let options = Options {
        leavers_confirmed: confirmed,
        fingerprint: Some(fingerprint.as_str()),
    };
    match people::import(&state, &caller.actor(), me, &text, options).await {
        Ok(done) if done.ok() => {
            follow_up(&state, &done).await?;
            p.done = Some(done.plan.summary());
            p.people = String::new();
            p.preview = Some(done);
            Ok(render(p))
        }
        Ok(refused) => {
            p.preview = Some(refused);
            Ok(unprocessable_if(true, render(p)))
        }
        Err(e) if e.kind == Kind::Conflict => {
            p.problem = Some(e.message);
            p.preview = Some(people::preview(&state, me, &text, confirmed).await?);
            Ok(render_conflict(p))
        }
        Err(e) => Err(e.into()),
    }
}

fn render_conflict(p: Page) -> Response {
    let mut r = render(p);
    *r.status_mut() = StatusCode::CONFLICT;
    r
}

/// New people get the courses the assignment rules give them.
async fn follow_up(state: &AppState, done: &Preview) -> AppResult<()> {
    if !done.plan.create.is_empty() {
        righttrack_app::program::training::assign_new(state).await?;
    }
    Ok(())
}
