//! Recognition: kudos between colleagues and their visibility.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod kudos;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/kudos",
            Act(Action::KudosGive),
            Page,
            "Kudos: give one, consent to or hide those received, the team's",
            get(kudos::page),
        )
        .nav(90, "Kudos", "Recognise ethical conduct, with consent"),
        r(
            "POST",
            "/kudos",
            Act(Action::KudosGive),
            Page,
            "Give kudos for a value of the code of ethics",
            post(kudos::give_form),
        ),
        r(
            "POST",
            "/kudos/{id}/visibility",
            Act(Action::KudosGive),
            Page,
            "The recipient shows a kudos to their team or hides it",
            post(kudos::visibility_form),
        ),
        r(
            "POST",
            "/kudos/values",
            Act(Action::ConductConfigure),
            Page,
            "Add a value of the code of ethics",
            post(kudos::add_value),
        ),
        r(
            "GET",
            "/api/v1/kudos",
            Act(Action::KudosGive),
            Api,
            "Kudos the caller received and gave, and their team's consented ones",
            get(kudos::api),
        ),
    ]
}
