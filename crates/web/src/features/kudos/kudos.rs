//! Recognition over HTTP: the kudos page, its forms and the API. Giving, consenting and
//! hiding are use cases in `righttrack_app::program::kudos`; `core::kudos` holds the rules
//! and the invariant that kudos are never linked to hotline data.
//!
//! Staff thank a colleague for conduct that lived a value of the code of ethics. The
//! recipient sees every kudos they received and consents to show one to their team or
//! hides it; the team sees only consented kudos. Giving, consenting and hiding are
//! audited (without the message).

use crate::error::AppResult;
use crate::extract::{Path, SignedIn};
use crate::pages::{layout, render, FormData};
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::kudos::{
    add_value as add_value_named, board, give, mine, set_visibility,
};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::clock::day;
use righttrack_store::kudos::Kudos;
use serde_json::{json, Value};

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
        day: day(k.given_at),
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

/// `GET /kudos`.
pub async fn page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let b = board(&state, &caller).await?;
    let views = |list: Vec<Kudos>| -> Vec<View> { list.into_iter().map(view).collect() };
    Ok(render(Page {
        l: layout(Some(&caller), "Kudos", "/kudos"),
        users: b.colleagues,
        values: b.values,
        received: views(b.mine.received),
        team: views(b.mine.team),
        given: views(b.mine.given),
        configure: allowed(&caller.user.roles, Action::ConductConfigure),
    }))
}

/// `POST /kudos`.
pub async fn give_form(
    SignedIn { state, caller }: SignedIn,
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
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    set_visibility(&state, &caller, &id, &form.get("visibility")).await?;
    Ok(Redirect::to("/kudos#received").into_response())
}

/// `POST /kudos/values`: adds a value of the code of ethics.
pub async fn add_value(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    add_value_named(&state, &caller, &form.get("name")).await?;
    Ok(Redirect::to("/kudos#values").into_response())
}

/// `GET /api/v1/kudos`: what the caller received and gave, and their team's consented
/// kudos.
pub async fn api(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    Ok(Json(json!(mine(&state, &caller).await?)))
}
