//! Pay equity: the pay gap report with its joint-assessment screen, the HR pay import,
//! and an employee's request for their category's averages.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod handlers;

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
            "/pay",
            Act(Action::PayReport),
            Page,
            "Pay equity: the gender pay gap indicators and the joint pay assessment screen",
            get(handlers::page),
        )
        .nav(
            35,
            "Pay equity",
            "Gender pay gap indicators and categories to assess",
        ),
        r(
            "GET",
            "/pay/report.csv",
            Act(Action::PayReport),
            Page,
            "The pay gap indicators as CSV, for the report to the authorities",
            get(handlers::report_csv),
        ),
        r(
            "POST",
            "/pay/import",
            Act(Action::PayManage),
            Page,
            "Import pay data from an HR file",
            post(handlers::import_form),
        ),
        r(
            "POST",
            "/pay/settings",
            Act(Action::PayManage),
            Page,
            "Turn the collection of sex for pay reporting on or off",
            post(handlers::settings_form),
        ),
        r(
            "GET",
            "/pay/mine",
            Act(Action::PayOwnCategory),
            Page,
            "The average pay of one's own category of workers, by sex",
            get(handlers::mine),
        )
        .nav(
            75,
            "My pay category",
            "Average pay in your category of workers, by sex",
        ),
        r(
            "GET",
            "/api/v1/pay/report",
            Act(Action::PayReport),
            Api,
            "The pay gap indicators of a period",
            get(handlers::report_api),
        ),
        r(
            "POST",
            "/api/v1/pay/import",
            Act(Action::PayManage),
            Api,
            "Import pay data: the HR file as the request body (text/csv)",
            post(handlers::import_api),
        ),
        r(
            "GET",
            "/api/v1/pay/mine",
            Act(Action::PayOwnCategory),
            Api,
            "The average pay of the caller's category of workers, by sex",
            get(handlers::mine_api),
        ),
    ]
}
