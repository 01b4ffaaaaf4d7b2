//! Recognition, issue #7 (`core::kudos` holds the rules and the invariant that kudos
//! are never linked to hotline data).
//!
//! Staff thank a colleague for conduct that lived a value of the code of ethics. The
//! recipient sees every kudos they received and consents to show one to their team or
//! hides it; the team sees only consented kudos. Giving, consenting and hiding are
//! audited (without the message).

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::pages::{layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::kudos::{check_message, Visibility};
use righttrack_store::kudos::Kudos;
use serde_json::{json, Value};

/// Gives a kudos from `caller` to `recipient` for `value`. Audited.
pub async fn give(
    state: &AppState,
    caller: &Caller,
    recipient: &str,
    value: &str,
    message: &str,
) -> AppResult<String> {
    let users = state.db.list_users().await?;
    let Some(to) = users
        .iter()
        .find(|u| u.username == recipient.trim() && !u.disabled)
    else {
        return Err(AppError::unprocessable("field `recipient`: no such person"));
    };
    if to.id == caller.user.id {
        return Err(AppError::unprocessable(
            "field `recipient`: kudos are for someone else",
        ));
    }
    if !state.db.conduct_values().await?.iter().any(|v| v == value) {
        return Err(AppError::unprocessable(
            "field `value`: choose a value of the code of ethics",
        ));
    }
    let message = check_message(message)
        .map_err(|e| AppError::unprocessable(format!("field `message`: {e}")))?;
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let message = righttrack_core::interactions::scrub(&engine, message);
    let id = state
        .db
        .give_kudos(
            &caller.user.username,
            &to.username,
            value,
            &message,
            state.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    state
        .audit(
            &caller.actor(),
            "kudos.given",
            &id,
            json!({"recipient": to.id.to_string(), "value": value}),
        )
        .await?;
    Ok(id)
}

/// The recipient shows (`visible`) or hides (`hidden`) a kudos. Audited.
pub async fn set_visibility(state: &AppState, caller: &Caller, id: &str, v: &str) -> AppResult<()> {
    let v = match Visibility::parse(v.trim()) {
        Some(v @ (Visibility::Visible | Visibility::Hidden)) => v,
        _ => {
            return Err(AppError::unprocessable(
                "field `visibility`: expected visible or hidden",
            ))
        }
    };
    if !state
        .db
        .set_kudos_visibility(id, &caller.user.username, v, state.now())
        .await?
    {
        return Err(AppError::not_found());
    }
    state
        .audit(
            &caller.actor(),
            if v == Visibility::Visible {
                "kudos.consented"
            } else {
                "kudos.hidden"
            },
            id,
            json!({}),
        )
        .await?;
    Ok(())
}

struct View {
    id: String,
    giver: String,
    recipient: String,
    value: String,
    message: String,
    visibility: String,
    day: String,
}

fn view(k: Kudos) -> View {
    View {
        day: k.given_at.strftime("%Y-%m-%d").to_string(),
        id: k.id,
        giver: k.giver,
        recipient: k.recipient,
        value: k.value,
        message: k.message,
        visibility: k.visibility,
    }
}

#[derive(Template)]
#[template(path = "kudos.html")]
struct Page {
    l: crate::pages::Layout,
    users: Vec<(String, String)>,
    values: Vec<String>,
    received: Vec<View>,
    team: Vec<View>,
    given: Vec<View>,
    configure: bool,
}

/// The caller's team mates' usernames (themselves included).
async fn team_of(state: &AppState, caller: &Caller) -> AppResult<Vec<String>> {
    let Some(team) = caller.user.team_id else {
        return Ok(vec![caller.user.username.clone()]);
    };
    Ok(state
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.team_id == Some(team))
        .map(|u| u.username)
        .collect())
}

/// `GET /kudos`.
pub async fn page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let me = caller.user.username.clone();
    let users = state
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.id != caller.user.id)
        .map(|u| (u.username, u.display_name))
        .collect();
    Ok(render(Page {
        l: layout(Some(&caller), "Kudos", "/kudos"),
        users,
        values: state.db.conduct_values().await?,
        received: state
            .db
            .kudos_received(&me)
            .await?
            .into_iter()
            .map(view)
            .collect(),
        team: state
            .db
            .kudos_visible_to_team(&team_of(&state, &caller).await?)
            .await?
            .into_iter()
            .map(view)
            .collect(),
        given: state
            .db
            .kudos_given(&me)
            .await?
            .into_iter()
            .map(view)
            .collect(),
        configure: allowed(&caller.user.roles, Action::ConductConfigure),
    }))
}

/// `POST /kudos`.
pub async fn give_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    give(
        &state,
        &caller,
        &form.get("recipient"),
        &form.get("value"),
        &form.get("message"),
    )
    .await?;
    Ok(Redirect::to("/kudos#given").into_response())
}

/// `POST /kudos/{id}/visibility`.
pub async fn visibility_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    set_visibility(&state, &caller, &id, &form.get("visibility")).await?;
    Ok(Redirect::to("/kudos#received").into_response())
}

/// `POST /kudos/values`: adds a value of the code of ethics.
pub async fn add_value(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let name = righttrack_core::capa::check_text(&form.get("name"), 100)
        .map_err(|e| AppError::unprocessable(format!("field `name`: {e}")))?
        .to_owned();
    if state.db.add_conduct_value(&name, state.now()).await? {
        state
            .audit(&caller.actor(), "kudos.value_added", &name, json!({}))
            .await?;
    }
    Ok(Redirect::to("/kudos#values").into_response())
}

/// `GET /api/v1/kudos`: what the caller received and gave, and their team's consented
/// kudos.
pub async fn api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Json<Value>> {
    let me = &caller.user.username;
    Ok(Json(json!({
        "received": state.db.kudos_received(me).await?,
        "given": state.db.kudos_given(me).await?,
        "team": state.db.kudos_visible_to_team(&team_of(&state, &caller).await?).await?,
    })))
}
