//! The product's features, one folder each: handlers, pages, routes and navigation.
//!
//! **Architecture Invariant:** a feature never imports another feature (a link between
//! them is a URL); features share only the shell (`auth`, `error`, `extract`, `pages`
//! layout, `limit`) and the use cases in `righttrack-app`. Checked by
//! `crates/cli/tests/architecture.rs`.

use crate::nav::NavEntry;
use crate::routes::Route;

pub mod capa;
pub mod conflicts;
pub mod discipline;
pub mod hotline;
pub mod interactions;
pub mod kudos;
pub mod leadership;
pub mod pay;
pub mod platform;
pub mod policies;
pub mod qa;
pub mod reports;
pub mod surveys;
pub mod training;

/// Every feature's routes, in a stable order.
pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(platform::routes());
    all.extend(qa::routes());
    all.extend(interactions::routes());
    all.extend(hotline::routes());
    all.extend(reports::routes());
    all.extend(conflicts::routes());
    all.extend(surveys::routes());
    all.extend(capa::routes());
    all.extend(discipline::routes());
    all.extend(kudos::routes());
    all.extend(leadership::routes());
    all.extend(pay::routes());
    all.extend(policies::routes());
    all.extend(training::routes());
    all
}

/// Every feature's navigation entries, in the order people see them.
pub fn nav() -> Vec<NavEntry> {
    let mut all = Vec::new();
    all.extend(platform::nav());
    all.extend(qa::nav());
    all.extend(interactions::nav());
    all.extend(hotline::nav());
    all.extend(reports::nav());
    all.extend(conflicts::nav());
    all.extend(surveys::nav());
    all.extend(capa::nav());
    all.extend(discipline::nav());
    all.extend(kudos::nav());
    all.extend(leadership::nav());
    all.extend(pay::nav());
    all.extend(policies::nav());
    all.extend(training::nav());
    all.sort_by_key(|e| e.rank);
    all
}
