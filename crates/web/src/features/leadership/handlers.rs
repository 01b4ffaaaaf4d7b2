//! Leadership over HTTP: the list of leaders one may look at, one leader's page and its
//! JSON twin. The use cases are `righttrack_app::reports::leadership`.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::pages::{layout, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Json};
use righttrack_app::reports::leadership::{self, Leader, View};

#[derive(Template)]
#[template(path = "leadership_list.html")]
struct ListPage {
    l: crate::pages::Layout,
    leaders: Vec<Leader>,
}

/// `GET /leadership`.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let leaders = leadership::leaders(&state, &caller).await?;
    Ok(render(ListPage {
        l: layout(Some(&caller), "Leadership", "/leadership"),
        leaders,
    }))
}

#[derive(Template)]
#[template(path = "leadership.html")]
struct LeaderPage {
    l: crate::pages::Layout,
    v: View,
}

/// `GET /leadership/{username}`: 404 unless the caller may see that leader.
pub async fn page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(username): Path<String>,
) -> AppResult<Response> {
    let v = leadership::view(&state, &caller, &username).await?;
    let title = format!("Leadership: {}", v.leader.display_name);
    Ok(render(LeaderPage {
        l: layout(Some(&caller), &title, "/leadership"),
        v,
    }))
}

/// `GET /api/v1/leadership/{username}`.
pub async fn api(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(username): Path<String>,
) -> AppResult<Json<View>> {
    Ok(Json(leadership::view(&state, &caller, &username).await?))
}
