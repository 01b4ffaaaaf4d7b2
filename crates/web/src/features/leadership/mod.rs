//! Leadership: each leader's own standing and their decisions, shown to the leader and
//! to the leaders above them.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod handlers;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::get;
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/leadership",
            Act(Action::LeadershipView),
            Page,
            "Leadership: the leaders one may look at",
            get(handlers::list),
        )
        .nav(37, "Leadership", "Leaders held to what they ask of others"),
        r(
            "GET",
            "/leadership/{username}",
            Act(Action::LeadershipView),
            Page,
            "One leader's standing, decisions and team",
            get(handlers::page),
        ),
        r(
            "GET",
            "/api/v1/leadership/{username}",
            Act(Action::LeadershipView),
            Api,
            "One leader's standing, decisions and team",
            get(handlers::api),
        ),
    ]
}
