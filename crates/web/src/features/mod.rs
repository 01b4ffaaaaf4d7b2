//! The product's features, one folder each: handlers, pages, routes and navigation.
//!
//! **Architecture Invariant:** a feature never imports another feature (a link between
//! them is a URL); features share only the shell (`auth`, `error`, `extract`, `pages`
//! layout, `limit`) and the use cases in `righttrack-app`. Checked by
//! `crates/cli/tests/architecture.rs`.

// Most features keep their handlers in a module named after the feature (`capa::capa`):
// the name of the web module they were, beside the feature's routes.
#![expect(
    clippy::module_inception,
    reason = "a feature's handlers keep the name of the web module they were"
)]

use crate::nav::NavEntry;
use crate::routes::Route;

pub mod capa;
pub mod coaching;
pub mod conflicts;
pub mod discipline;
pub mod hotline;
pub mod interactions;
pub mod kudos;
pub mod leadership;
pub mod mail;
pub mod pay;
pub mod platform;
pub mod policies;
pub mod qa;
pub mod reports;
pub mod surveys;
pub mod training;

/// Every feature's routes, in a stable order.
pub fn routes() -> Vec<Route> {
    [
        platform::routes(),
        qa::routes(),
        interactions::routes(),
        hotline::routes(),
        reports::routes(),
        conflicts::routes(),
        surveys::routes(),
        capa::routes(),
        discipline::routes(),
        kudos::routes(),
        leadership::routes(),
        coaching::routes(),
        pay::routes(),
        policies::routes(),
        training::routes(),
        mail::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every feature's navigation entries, in the order people see them: the routes that
/// declare one (`Route::nav` in their `routes()`).
pub fn nav() -> Vec<NavEntry> {
    let mut all: Vec<NavEntry> = routes().into_iter().filter_map(|r| r.nav).collect();
    all.sort_by_key(|e| e.rank);
    all
}
