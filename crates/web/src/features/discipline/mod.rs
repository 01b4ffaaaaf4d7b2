//! Discipline: decisions recorded against comparable cases.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod discipline;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page, Plain};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/my/discipline",
            Act(Action::DisciplineOwn),
            Page,
            "My discipline record: the decisions in force about me, with what was weighed and why",
            get(discipline::mine),
        ),
        r(
            "GET",
            "/api/v1/my/discipline",
            Act(Action::DisciplineOwn),
            Api,
            "The discipline decisions in force about the caller, with their rationale",
            get(discipline::mine_api),
        ),
        r(
            "GET",
            "/discipline",
            Act(Action::DisciplineRecord),
            Page,
            "Discipline decisions: mine (all for ethics officers), those awaiting a second approver",
            get(discipline::list),
        )
        .nav(250, "Discipline", "Consistent decisions against comparable cases"),
        r(
            "GET",
            "/discipline/new",
            Act(Action::DisciplineRecord),
            Page,
            "Form to record a decision, with the prior record and comparable cases: ?subject=&class=&severity=",
            get(discipline::new_form),
        ),
        r(
            "POST",
            "/discipline",
            Act(Action::DisciplineRecord),
            Page,
            "Record a decision (a deviation needs a rationale and waits for a second approver)",
            post(discipline::record_form),
        ),
        r(
            "GET",
            "/discipline/report",
            Act(Action::DisciplineApprove),
            Page,
            "Disparity report: severe sanctions per site, team, role level and decision maker; small groups suppressed",
            get(discipline::report),
        ),
        r(
            "GET",
            "/discipline/report.csv",
            Act(Action::DisciplineApprove),
            Plain,
            "Disparity report as CSV",
            get(discipline::report_csv),
        ),
        r(
            "POST",
            "/discipline/classes",
            Act(Action::ConductConfigure),
            Page,
            "Add a violation class",
            post(discipline::add_class),
        ),
        r(
            "GET",
            "/discipline/{id}",
            Act(Action::DisciplineRecord),
            Page,
            "One decision (its decision maker and ethics officers only; audited)",
            get(discipline::detail),
        ),
        r(
            "POST",
            "/discipline/{id}/approval",
            Act(Action::DisciplineApprove),
            Page,
            "Approve or reject a deviating decision as second approver",
            post(discipline::approve_form),
        ),
        r(
            "GET",
            "/api/v1/discipline",
            Act(Action::DisciplineRecord),
            Api,
            "Discipline decisions: the caller's (all for ethics officers); audited",
            get(discipline::api_list),
        ),
        r(
            "GET",
            "/api/v1/discipline/comparable",
            Act(Action::DisciplineRecord),
            Api,
            "Sanctions in comparable cases: ?class=&severity= (no distribution under 5 cases)",
            get(discipline::api_comparable),
        ),
        r(
            "GET",
            "/api/v1/discipline/disparity",
            Act(Action::DisciplineApprove),
            Api,
            "Disparity report as JSON; groups under 5 suppressed",
            get(discipline::api_disparity),
        ),
    ]
}
