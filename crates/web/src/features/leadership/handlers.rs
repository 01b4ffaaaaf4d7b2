//! Leadership over HTTP: the list of leaders one may look at, one leader's page and its
//! JSON twin. The use cases are `righttrack_app::reports::leadership`.

use crate::error::AppResult;
use crate::extract::{Path, SignedIn};
use crate::pages::{layout, render};
use askama::Template;
use axum::response::Response;
use axum::Json;
use righttrack_app::reports::leadership::{self, Leader, View};

#[derive(Template)]
#[template(path = "leadership_list.html")]
struct ListPage {
    l: crate::pages::Layout,
    leaders: Vec<Leader>,
}

/// `GET /leadership`.
pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let leaders = leadership::leaders(&state, &caller).await?;
    Ok(render(ListPage {
        l: layout(Some(&caller), "Leadership", "/leadership"),
        leaders,
    }))
}

/// One line of a "what / standing" table; `attention` marks what is not as it should be.
struct Line {
    what: &'static str,
    standing: String,
    attention: bool,
}

#[derive(Template)]
#[template(path = "leadership.html")]
struct LeaderPage {
    l: crate::pages::Layout,
    v: View,
    own: Vec<Line>,
    decisions: Vec<Line>,
}

fn own_lines(v: &View) -> Vec<Line> {
    let o = &v.own;
    vec![
        Line {
            what: "Policy attestations",
            standing: format!(
                "{} attested, {} waiting, {} overdue",
                o.attested, o.waiting, o.overdue
            ),
            attention: o.overdue > 0,
        },
        Line {
            what: "Data-access training",
            standing: o.data_access_training.clone(),
            attention: false,
        },
        Line {
            what: "Conflict-of-interest disclosure",
            standing: if o.disclosed {
                "on file"
            } else {
                "none on file"
            }
            .into(),
            attention: !o.disclosed,
        },
    ]
}

fn decision_lines(v: &View) -> Vec<Line> {
    let d = &v.decisions;
    vec![
        Line {
            what: "Discipline decisions",
            standing: format!(
                "{} made; {} harsher or milder than comparable cases, {} of them without a \
                 rationale for the person",
                d.made, d.deviating, d.deviating_without_rationale
            ),
            attention: d.deviating_without_rationale > 0,
        },
        Line {
            what: "Overrides of QA scores",
            standing: format!(
                "{} made; {} overturned later by someone else",
                v.overrides, v.overrides_overturned
            ),
            attention: false,
        },
    ]
}

/// `GET /leadership/{username}`: 404 unless the caller may see that leader.
pub async fn page(
    SignedIn { state, caller }: SignedIn,
    Path(username): Path<String>,
) -> AppResult<Response> {
    let v = leadership::view(&state, &caller, &username).await?;
    let title = format!("Leadership: {}", v.leader.display_name);
    Ok(render(LeaderPage {
        l: layout(Some(&caller), &title, "/leadership"),
        own: own_lines(&v),
        decisions: decision_lines(&v),
        v,
    }))
}

/// `GET /api/v1/leadership/{username}`.
pub async fn api(
    SignedIn { state, caller }: SignedIn,
    Path(username): Path<String>,
) -> AppResult<Json<View>> {
    Ok(Json(leadership::view(&state, &caller, &username).await?))
}
