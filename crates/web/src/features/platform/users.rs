//! User administration: create users, change roles and teams, disable, unlock.
//!
//! Every change is audited; role changes and disabling sign the user out at once, so a
//! removed permission never outlives the request that removed it.

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::Path;
use crate::pages::{layout, render, FormData, Layout};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use righttrack_app::Kind;
use righttrack_core::ids::{TeamId, UserId};
use righttrack_core::{password, Role, Secret};
use righttrack_store::directory::NewUser;
use serde_json::json;
use std::collections::BTreeMap;

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
    let teams = state.db.list_teams().await?;
    let team_names: BTreeMap<TeamId, String> =
        teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut users = Vec::new();
    for u in state.db.list_users().await? {
        let privacy_training =
            righttrack_app::program::training::gate::describe(state, u.id).await?;
        let creds = state.db.credentials(u.id).await?;
        let now = state.now();
        let locked = creds.locked_until.is_some_and(|t| t > now)
            || creds.totp_locked_until.is_some_and(|t| t > now);
        users.push(UserRow {
            id: u.id.to_string(),
            team: u
                .team_id
                .and_then(|t| team_names.get(&t).cloned())
                .unwrap_or_default(),
            team_id: u.team_id.map(|t| t.to_string()).unwrap_or_default(),
            roles: u.roles.iter().map(|r| r.label()).collect(),
            role_keys: u.roles.iter().map(|r| r.as_str()).collect(),
            totp: u.totp_enabled,
            privacy_training,
            disabled: u.disabled,
            locked,
            username: u.username,
            display_name: u.display_name,
        });
    }
    let mut resp = render(UsersPage {
        l: layout(Some(caller), "Users", "/admin/users"),
        users,
        teams: teams
            .iter()
            .map(|t| (t.id.to_string(), format!("{} — {}", t.name, t.site_name)))
            .collect(),
        all_roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        message,
        error: error.clone(),
    });
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

pub async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return users_page(&state, &caller, None, Some(e)).await,
    };
    let pw = Secret::new(form.get("password"));
    if let Err(why) = password::check_policy(pw.expose()) {
        return users_page(&state, &caller, None, Some(why.into())).await;
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
            users_page(
                &state,
                &caller,
                Some(format!("User {} added.", u.username)),
                None,
            )
            .await
        }
        Err(e) if matches!(e.kind, Kind::Conflict | Kind::Unprocessable) => {
            users_page(&state, &caller, None, Some(e.message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_roles(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let id = user.id;
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return users_page(&state, &caller, None, Some(e)).await,
    };
    if user.id == caller.user.id && !roles.contains(&Role::Admin) {
        return users_page(
            &state,
            &caller,
            None,
            Some("You cannot remove your own admin role.".into()),
        )
        .await;
    }
    let case_roles = |rs: &[Role]| -> Vec<Role> {
        rs.iter()
            .copied()
            .filter(|r| righttrack_app::hotline::cases::ALL_CASE_ROLES.contains(r))
            .collect()
    };
    let case_roles_change = case_roles(&user.roles) != case_roles(&roles);
    if case_roles_change {
        if let Err(e) = righttrack_app::hotline::cases::check_not_last_holder(&state, &user).await {
            return users_page(&state, &caller, None, Some(e.message)).await;
        }
    }
    state.db.set_roles(id, &roles).await?;
    // Role changes take effect at once: the user signs in again with the new roles.
    state.db.delete_user_sessions(id).await?;
    if case_roles_change {
        let works = roles.iter().any(|r| {
            matches!(
                r,
                Role::Investigator | Role::EthicsOfficer | Role::AuditCommittee
            )
        });
        righttrack_app::hotline::cases::leave_cases(&state, &caller.actor(), &user, works).await?;
    }
    state
        .audit(
            &caller.actor(),
            "user.roles_changed",
            &id.to_string(),
            json!({"from": user.roles, "to": roles}),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!("Roles of {} saved.", user.username)),
        None,
    )
    .await
}

/// The user an admin route's `{id}` names (404 if none).
async fn user_at(state: &AppState, id: &str) -> AppResult<righttrack_store::directory::User> {
    let id = UserId::parse(id).ok_or_else(AppError::not_found)?;
    state
        .db
        .user_by_id(id)
        .await?
        .ok_or_else(AppError::not_found)
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
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let id = user.id;
    let disabled = yes_no(&form, "disabled")?;
    if disabled && user.id == caller.user.id {
        return users_page(
            &state,
            &caller,
            None,
            Some("You cannot disable yourself.".into()),
        )
        .await;
    }
    if disabled {
        if let Err(e) = righttrack_app::hotline::cases::check_not_last_holder(&state, &user).await {
            return users_page(&state, &caller, None, Some(e.message)).await;
        }
    }
    state.db.set_user_disabled(id, disabled).await?;
    if disabled {
        state.db.delete_user_sessions(id).await?;
        righttrack_app::hotline::cases::leave_cases(&state, &caller.actor(), &user, false).await?;
    }
    state
        .audit(
            &caller.actor(),
            if disabled {
                "user.disabled"
            } else {
                "user.enabled"
            },
            &id.to_string(),
            json!({}),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!(
            "{} {}.",
            user.username,
            if disabled {
                "disabled"
            } else {
                "enabled again"
            }
        )),
        None,
    )
    .await
}

/// Unlocks a user locked after wrong passwords or wrong second-factor codes (both counts
/// start again).
pub async fn unlock_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    righttrack_app::platform::users::unlock(&state, &caller.actor(), &user).await?;
    users_page(
        &state,
        &caller,
        Some(format!("{} unlocked.", user.username)),
        None,
    )
    .await
}

/// Moves a user to another team (or to none). Audited as
/// [`righttrack_store::retaliation::TEAM_CHANGED`] with the two teams, which is what the
/// retaliation watch reads: a named reporter moved after filing is a signal.
pub async fn set_team(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let to = match form.get("team").trim() {
        "" => None,
        t => Some(
            state
                .db
                .list_teams()
                .await?
                .into_iter()
                .find(|x| x.id.to_string() == t)
                .ok_or_else(|| AppError::bad_request("field `team`: no such team"))?
                .id,
        ),
    };
    if !righttrack_app::platform::users::set_team(&state, &caller.actor(), &user, to).await? {
        return users_page(
            &state,
            &caller,
            Some(format!("{} is already in that team.", user.username)),
            None,
        )
        .await;
    }
    users_page(
        &state,
        &caller,
        Some(format!("{} moved.", user.username)),
        None,
    )
    .await
}
