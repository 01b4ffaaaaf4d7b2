//! E-mail: one's own preference, and the administrators' mail page (the settings as the
//! configuration file gives them, the outbox at a glance, a test message).
//!
//! No navigation entry: "My account" links to `/account/mail` and "Users" to
//! `/admin/mail`.

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

pub mod mail;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/account/mail",
            Act(Action::ManageOwnAccount),
            Page,
            "How I get notices by e-mail",
            get(mail::mine),
        ),
        r(
            "POST",
            "/account/mail",
            Act(Action::ManageOwnAccount),
            Page,
            "Choose how I get notices by e-mail",
            post(mail::set_mine),
        ),
        r(
            "GET",
            "/admin/mail",
            Act(Action::UserAdmin),
            Page,
            "Mail settings and the outbox",
            get(mail::admin),
        ),
        r(
            "POST",
            "/admin/mail/test",
            Act(Action::UserAdmin),
            Page,
            "Send a test message",
            post(mail::test),
        ),
        r(
            "POST",
            "/admin/mail/retry",
            Act(Action::UserAdmin),
            Page,
            "Queue given-up messages again",
            post(mail::retry),
        ),
        r(
            "GET",
            "/api/v1/mail",
            Act(Action::UserAdmin),
            Api,
            "Mail settings (never the password) and the outbox: waiting, retrying, failed, sent in the last day",
            get(mail::api_overview),
        ),
        r(
            "POST",
            "/api/v1/mail/test",
            Act(Action::UserAdmin),
            Api,
            "Send a test message: {to}; answers {sent, error}",
            post(mail::api_test),
        ),
    ]
}
