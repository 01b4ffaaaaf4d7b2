//! Demo hotline cases for `righttrack serve --demo`: reports filed through the public API
//! exactly as a reporter would, then worked through the staff handlers exactly as the
//! case team would (triage, assignment, messages, a reporter's reply, outcomes), so every
//! sealed field, wrap, clock and timeline entry is made by the real code paths.

use super::cases;
use super::speakup;
use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::pages::FormData;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Extension;
use righttrack_core::Secret;
use righttrack_store::directory::User;
use serde_json::{json, Value};

async fn call(r: AppResult<axum::response::Response>) -> AppResult<Value> {
    let resp = r?;
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .map_err(|e| AppError::internal(&e))?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::internal(&e))
}

async fn report(state: &AppState, body: Value) -> AppResult<(String, String)> {
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    let v = call(
        speakup::api_report(
            State(state.clone()),
            None,
            headers,
            Bytes::from(body.to_string()),
        )
        .await,
    )
    .await?;
    Ok((
        v["case"].as_str().unwrap_or_default().to_owned(),
        v["receipt"].as_str().unwrap_or_default().to_owned(),
    ))
}

async fn reporter_says(state: &AppState, receipt: &str, body: Value) -> AppResult<()> {
    let mut m = body;
    m["receipt"] = json!(receipt);
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    speakup::api_access(
        State(state.clone()),
        None,
        headers,
        Bytes::from(m.to_string()),
    )
    .await?;
    Ok(())
}

/// A signed-in staff member (their reader key unlocked with their password).
async fn sign_in(state: &AppState, user: &User, password: &Secret<String>) -> AppResult<Caller> {
    let reader =
        righttrack_app::hotline::keys::ensure_reader_key(state, "demo", user, password).await?;
    let sid = auth::start_session(state, user, true, reader.as_ref()).await?;
    auth::resolve_session(state, &sid)
        .await?
        .ok_or_else(|| AppError::internal(&"demo session"))
}

fn form(fields: &[(&str, &str)]) -> FormData {
    FormData(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// Files the demo reports and works some of them. `officer`, `investigator` and the
/// custodian must already exist; their passwords unlock their keys.
pub async fn seed(
    state: &AppState,
    officer: (&User, &Secret<String>),
    investigator: (&User, &Secret<String>),
    others: &[(&User, &Secret<String>)],
) -> AppResult<usize> {
    // Everyone who reads cases gets a key before the first report, as at first sign-in.
    for (u, pw) in others {
        righttrack_app::hotline::keys::ensure_reader_key(state, "demo", u, pw).await?;
    }
    let ethics = sign_in(state, officer.0, officer.1).await?;
    let inv = sign_in(state, investigator.0, investigator.1).await?;
    let reports = [
        json!({"category": "fraud", "description": "A supervisor on the Billing floor approves refunds to the same three card numbers every Friday after the shift ends.", "when_where": "Lisbon Billing, Fridays after 18:00", "anonymous": true, "answers": ["about 2,000 EUR a week", "since September"]}),
        json!({"category": "harassment", "description": "Comments about my accent in every team huddle; others laugh and it is getting worse.", "anonymous": false, "name": "Demo Reporter", "contact": "demo.reporter@example.org"}),
        json!({"category": "data_misuse", "description": "Customer phone numbers are copied into a personal spreadsheet to call them about another company's offers.", "anonymous": true}),
        json!({"category": "accounting", "description": "Retention credits are booked as revenue in the month before they are earned.", "anonymous": true}),
        json!({"category": "retaliation", "description": "Since I raised a concern about call scripts my schedule keeps getting the worst shifts.", "anonymous": true}),
        json!({"category": "conflict_of_interest", "description": "A team lead hires agents through a staffing agency owned by a relative.", "anonymous": true}),
        json!({"category": "fraud", "description": "Sales are logged twice when the CRM times out, and nobody corrects them.", "anonymous": true}),
    ];
    let mut filed = Vec::new();
    for r in reports {
        filed.push(report(state, r).await?);
    }
    let at = |i: usize| filed[i].0.clone();
    let ext = |c: &Caller| Extension(c.clone());
    let st = || State(state.clone());
    // Case 0: triaged, assigned, a question answered, still under investigation.
    cases::triage(
        st(),
        ext(&ethics),
        Path(at(0)),
        form(&[
            ("risk", "high"),
            ("jurisdiction", "eu"),
            ("subjects", ""),
            (
                "reason",
                "The named supervisor approves the reporter's shifts",
            ),
        ]),
    )
    .await?;
    cases::assign(
        st(),
        ext(&ethics),
        Path(at(0)),
        form(&[("assignee", &investigator.0.id.to_string())]),
    )
    .await?;
    cases::send_message(
        st(),
        ext(&inv),
        Path(at(0)),
        form(&[(
            "message",
            "Thank you for your report. Do you know roughly when this started?",
        )]),
    )
    .await?;
    reporter_says(
        state,
        &filed[0].1,
        json!({"message": "I first noticed it in early September."}),
    )
    .await?;
    cases::set_status(
        st(),
        ext(&inv),
        Path(at(0)),
        form(&[("status", "investigating"), ("outcome", "")]),
    )
    .await?;
    cases::add_note(
        st(),
        ext(&inv),
        Path(at(0)),
        form(&[("note", "Refund logs for September requested from Finance.")]),
    )
    .await?;
    // Case 1: named reporter; acknowledged, identity still sealed.
    cases::triage(
        st(),
        ext(&ethics),
        Path(at(1)),
        form(&[
            ("risk", "medium"),
            ("jurisdiction", "eu"),
            ("subjects", ""),
            ("reason", ""),
        ]),
    )
    .await?;
    // Case 2: closed as substantiated, feedback given.
    cases::triage(
        st(),
        ext(&ethics),
        Path(at(2)),
        form(&[
            ("risk", "low"),
            ("jurisdiction", "eu"),
            ("subjects", ""),
            ("reason", ""),
        ]),
    )
    .await?;
    cases::send_message(
        st(),
        ext(&ethics),
        Path(at(2)),
        form(&[
            (
                "message",
                "We confirmed the misuse; access was removed and customers were informed.",
            ),
            ("feedback", "on"),
        ]),
    )
    .await?;
    cases::set_status(
        st(),
        ext(&ethics),
        Path(at(2)),
        form(&[
            ("status", "substantiated"),
            (
                "outcome",
                "Spreadsheet deleted, two agents disciplined, DLP rule added",
            ),
        ]),
    )
    .await?;
    // Case 4: the reporter reports retaliation.
    reporter_says(
        state,
        &filed[4].1,
        json!({"retaliation": true, "message": "My shifts changed again this week."}),
    )
    .await?;
    Ok(filed.len())
}
