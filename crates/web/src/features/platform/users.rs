//! User administration: create users, change roles and teams, disable, unlock.
//!
//! Every change is audited; role changes and disabling sign the user out at once, so a
//! removed permission never outlives the request that removed it.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, SignedIn};
use crate::pages::{layout, render_form, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::response::Response;
use righttrack_app::platform::users::{Directory, Outcome};
use righttrack_app::Kind;
use righttrack_core::ids::TeamId;
use righttrack_core::{password, Role, Secret};
use righttrack_store::directory::NewUser;

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    team: String,
    team_id: String,
    roles: Vec<&'static str>,
    role_keys: Vec<&'static str>,
    totp: bool,
    /// Data-privacy training as the gate sees it ("current until …", "expired …").
    privacy_training: String,
    disabled: bool,
    /// Locked now, after wrong passwords or wrong two-factor codes.
    locked: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    teams: Vec<(String, String)>,
    all_roles: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    caller: &Caller,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let Directory { users, teams } = righttrack_app::platform::users::directory(state).await?;
    let users = users
        .into_iter()
        .map(|l| UserRow {
            id: l.user.id.to_string(),
            team: l.team.unwrap_or_default(),
            team_id: l.user.team_id.map(|t| t.to_string()).unwrap_or_default(),
            roles: l.user.roles.iter().map(|r| r.label()).collect(),
            role_keys: l.user.roles.iter().map(|r| r.as_str()).collect(),
            totp: l.user.totp_enabled,
            privacy_training: l.privacy_training,
            disabled: l.user.disabled,
            locked: l.locked,
            username: l.user.username,
            display_name: l.user.display_name,
        })
        .collect();
    let refused = error.is_some();
    Ok(render_form(
        UsersPage {
            l: layout(Some(caller), "Users", "/admin/users"),
            users,
            teams: teams
                .iter()
                .map(|t| (t.id.to_string(), format!("{} — {}", t.name, t.site_name)))
                .collect(),
            all_roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
            message,
            error,
        },
        refused,
    ))
}

pub async fn users(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    users_page(&state, &caller, None, None).await
}

pub(super) fn parse_roles(form: &FormData) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for r in form.all("role") {
        roles.push(Role::parse(&r).map_err(|e| e.to_string())?);
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err("Choose at least one role.".into());
    }
    Ok(roles)
}

pub async fn create_user(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return refused(&state, &caller, e).await,
    };
    let pw = Secret::new(form.get("password"));
    if let Err(why) = password::check_policy(pw.expose()) {
        return refused(&state, &caller, why.into()).await;
    }
    let team = match form.get("team").as_str() {
        "" => None,
        t => Some(
            TeamId::parse(t).ok_or_else(|| AppError::bad_request("field `team`: unknown team"))?,
        ),
    };
    let phc = state.hash_password(&pw).await?;
    let new = NewUser {
        username: form.get("username").trim().to_owned(),
        display_name: form.get("display_name").trim().to_owned(),
        password_hash: Some(phc),
        team,
        roles,
    };
    match righttrack_app::platform::users::create(&state, &caller.actor(), new, "web").await {
        Ok(u) => {
            righttrack_app::hotline::keys::ensure_reader_key(&state, &caller.actor(), &u, &pw)
                .await?;
            righttrack_app::program::training::assign_new(&state).await?;
            saved(&state, &caller, format!("User {} added.", u.username)).await
        }
        Err(e) if matches!(e.kind, Kind::Conflict | Kind::Unprocessable) => {
            refused(&state, &caller, e.message).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_roles(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return refused(&state, &caller, e).await,
    };
    let done = righttrack_app::platform::users::set_roles(&state, &caller, &user, &roles).await?;
    after(
        &state,
        &caller,
        done,
        format!("Roles of {} saved.", user.username),
    )
    .await
}

/// The users page with a confirmation.
async fn saved(state: &AppState, caller: &Caller, message: String) -> AppResult<Response> {
    users_page(state, caller, Some(message), None).await
}

/// The users page again with a refusal (400).
async fn refused(state: &AppState, caller: &Caller, why: String) -> AppResult<Response> {
    users_page(state, caller, None, Some(why)).await
}

/// The users page after a change: its message when done, the refusal when not.
async fn after(
    state: &AppState,
    caller: &Caller,
    done: Outcome,
    message: String,
) -> AppResult<Response> {
    match done {
        Outcome::Done(()) => saved(state, caller, message).await,
        Outcome::Refused(why) => refused(state, caller, why).await,
    }
}

/// The user an admin route's `{id}` names (404 if none).
async fn user_at(state: &AppState, id: &str) -> AppResult<righttrack_store::directory::User> {
    Ok(righttrack_app::platform::users::user_at(state, id).await?)
}

/// A `yes`/`no` form field.
fn yes_no(form: &FormData, field: &str) -> AppResult<bool> {
    match form.get(field).as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::bad_request(format!(
            "field `{field}`: expected yes or no"
        ))),
    }
}

/// Disables or re-enables a user. Disabling signs them out everywhere and takes them off
/// hotline cases (keys destroyed, cases they were assigned shown as needing a new
/// assignee: the hand-over when someone leaves).
pub async fn set_disabled(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let disabled = yes_no(&form, "disabled")?;
    let done =
        righttrack_app::platform::users::set_disabled(&state, &caller, &user, disabled).await?;
    let what = if disabled {
        "disabled"
    } else {
        "enabled again"
    };
    after(&state, &caller, done, format!("{} {what}.", user.username)).await
}

/// Unlocks a user locked after wrong passwords or wrong second-factor codes (both counts
/// start again).
pub async fn unlock_user(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    righttrack_app::platform::users::unlock(&state, &caller.actor(), &user).await?;
    saved(&state, &caller, format!("{} unlocked.", user.username)).await
}

/// Moves a user to another team (or to none). Audited as
/// [`righttrack_store::retaliation::TEAM_CHANGED`] with the two teams, which is what the
/// retaliation watch reads: a named reporter moved after filing is a signal.
pub async fn set_team(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    if !righttrack_app::platform::users::move_to(&state, &caller.actor(), &user, &form.get("team"))
        .await?
    {
        return saved(
            &state,
            &caller,
            format!("{} is already in that team.", user.username),
        )
        .await;
    }
    saved(&state, &caller, format!("{} moved.", user.username)).await
}
