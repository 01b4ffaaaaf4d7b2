//! Home, one's account, the directory of sites and teams, the audit trail, and user and token administration.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

pub mod account;
pub mod api;
pub mod audit;
pub mod directory;
pub mod home;
pub mod people;
pub mod tokens;
pub mod users;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/",
            Act(Action::ViewSelf),
            Page,
            "Home",
            get(home::home),
        )
        .nav(10, "Home", "Your start page"),
        r(
            "GET",
            "/account",
            Act(Action::ManageOwnAccount),
            Page,
            "My account",
            get(account::account),
        )
        .nav(320, "My account", "Password and two-factor sign-in"),
        r(
            "POST",
            "/account/password",
            Act(Action::ManageOwnAccount),
            Page,
            "Change my password",
            post(account::change_password),
        ),
        r(
            "GET",
            "/directory",
            Act(Action::DirectoryRead),
            Page,
            "Sites, teams and leads",
            get(directory::directory),
        )
        .nav(270, "Teams", "Sites, teams and their leads"),
        r(
            "GET",
            "/audit",
            Act(Action::AuditRead),
            Page,
            "Browse the audit trail",
            get(audit::audit),
        )
        .nav(290, "Audit trail", "Who did what, hash-chained and signed"),
        r(
            "GET",
            "/admin/users",
            Act(Action::UserAdmin),
            Page,
            "Users and roles",
            get(users::users),
        )
        .nav(300, "Users", "People, roles and teams"),
        r(
            "POST",
            "/admin/users",
            Act(Action::UserAdmin),
            Page,
            "Create a user",
            post(users::create_user),
        ),
        r(
            "GET",
            "/admin/directory/import",
            Act(Action::UserAdmin),
            Page,
            "Import people, teams and reporting lines from an HR file",
            get(people::form),
        ),
        r(
            "POST",
            "/admin/directory/import",
            Act(Action::UserAdmin),
            Page,
            "Show the changes an HR file makes, or import them",
            post(people::submit)
                .layer(axum::extract::DefaultBodyLimit::max(people::BODY_LIMIT)),
        ),
        r(
            "POST",
            "/admin/users/{id}/roles",
            Act(Action::UserAdmin),
            Page,
            "Change a user's roles",
            post(users::set_roles),
        ),
        r(
            "POST",
            "/admin/users/{id}/disabled",
            Act(Action::UserAdmin),
            Page,
            "Disable a user (signed out, off every hotline case) or enable them again",
            post(users::set_disabled),
        ),
        r(
            "POST",
            "/admin/users/{id}/unlock",
            Act(Action::UserAdmin),
            Page,
            "Unlock a user locked after wrong passwords or wrong two-factor codes",
            post(users::unlock_user),
        ),
        r(
            "POST",
            "/admin/users/{id}/team",
            Act(Action::UserAdmin),
            Page,
            "Move a user to another team (audited; the retaliation watch reads it)",
            post(users::set_team),
        ),
        r(
            "GET",
            "/admin/tokens",
            Act(Action::UserAdmin),
            Page,
            "API tokens",
            get(tokens::tokens),
        )
        .nav(310, "API tokens", "Credentials for machine clients"),
        r(
            "POST",
            "/admin/tokens",
            Act(Action::UserAdmin),
            Page,
            "Issue an API token",
            post(tokens::create_token),
        ),
        r(
            "POST",
            "/admin/service-accounts",
            Act(Action::UserAdmin),
            Page,
            "Add a service account (no person, no password, no role that needs a second factor) to make tokens for",
            post(tokens::create_service_account),
        ),
        r(
            "POST",
            "/admin/tokens/{id}/revoke",
            Act(Action::UserAdmin),
            Page,
            "Revoke an API token",
            post(tokens::revoke_token),
        ),
        r(
            "GET",
            "/api/v1/me",
            Act(Action::ViewSelf),
            Api,
            "The caller's user and roles",
            get(api::me),
        ),
        r(
            "GET",
            "/api/v1/users",
            Act(Action::DirectoryRead),
            Api,
            "Users with roles and teams",
            get(api::users),
        ),
        r(
            "GET",
            "/api/v1/audit",
            Act(Action::AuditRead),
            Api,
            "Audit entries, newest first, filtered",
            get(api::audit),
        ),
    ]
}
