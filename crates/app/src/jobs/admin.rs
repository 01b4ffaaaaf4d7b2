//! Administration without a browser: the command line's accounts, teams, tokens and
//! checks of the installation.
//!
//! Each function is what one `righttrack` subcommand does; the command line parses its
//! arguments, calls one of these and prints the result. A name given on the command line
//! that matches nothing is an error about that input (its `field` is the argument's name:
//! `team`, `parent`, `lead`, `username`).

use crate::{Ctx, Error, Kind, Result};
use righttrack_core::audit::{Broken, Checkpoint};
use righttrack_core::authz::Scope;
use righttrack_core::ids::TokenId;
use righttrack_core::{Role, Secret};
use righttrack_store::audit::{VerifyError, VerifyReport};
use righttrack_store::directory::{NewUser, Team, User};
use righttrack_store::tokens::ApiToken;
use serde_json::json;

/// What the command line's audit trail names as the actor and the shell.
const CLI: &str = "cli";

/// The user called `username`, or an error about `field`.
async fn user_named(ctx: &Ctx, username: &str, field: &str) -> Result<User> {
    ctx.db
        .user_by_username(username)
        .await?
        .ok_or_else(|| Error::unprocessable(format!("no user named {username:?}")).on(field))
}

/// The team called `name`, or an error about `field`.
async fn team_named(ctx: &Ctx, name: &str, field: &str) -> Result<Team> {
    ctx.db
        .team_by_name(name)
        .await?
        .ok_or_else(|| Error::unprocessable(format!("no team named {name:?}")).on(field))
}

/// A person to add: the password is checked against the policy by the caller.
pub struct NewPerson {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The team's name.
    pub team: Option<String>,
    pub password: Secret<String>,
}

/// Adds a person (audited as through the command line), creates their case reader key
/// when their roles read hotline cases, and assigns their training.
pub async fn add_person(ctx: &Ctx, new: NewPerson) -> Result<User> {
    let team = match &new.team {
        Some(t) => Some(team_named(ctx, t, "team").await?.id),
        None => None,
    };
    let password_hash = ctx.hash_password(&new.password).await?;
    let user = crate::platform::users::create(
        ctx,
        CLI,
        NewUser {
            username: new.username,
            display_name: new.display_name,
            password_hash: Some(password_hash),
            team,
            roles: new.roles,
        },
        CLI,
    )
    .await?;
    crate::hotline::keys::ensure_reader_key(ctx, CLI, &user, &new.password)
        .await
        .map_err(|e| Error {
            message: format!("creating the reader key: {}", e.message),
            ..e
        })?;
    crate::program::training::assign_new(ctx).await?;
    Ok(user)
}

/// Gives a first password to someone who has none (people brought in from an HR file),
/// audited as through the command line. Someone who already has a password changes it
/// themselves: an administrator never learns or replaces a password in use.
pub async fn first_password(ctx: &Ctx, username: &str, password: &Secret<String>) -> Result<User> {
    let user = ctx
        .db
        .user_by_username(username)
        .await?
        .filter(|u| !u.service)
        .ok_or_else(|| Error::not_found().on("username"))?;
    if ctx.db.credentials(user.id).await?.password_hash.is_some() {
        return Err(Error::conflict(format!(
            "{username} already has a password; they change it themselves on their account page"
        ))
        .on("username"));
    }
    righttrack_core::password::check_policy(password.expose())
        .map_err(|e| Error::unprocessable(format!("password: {e}")))?;
    let phc = ctx.hash_password(password).await?;
    ctx.db.set_password_hash(user.id, &phc).await?;
    crate::hotline::keys::ensure_reader_key(ctx, CLI, &user, password).await?;
    ctx.audit(
        CLI,
        "user.first_password_set",
        &user.id.to_string(),
        json!({}),
    )
    .await?;
    Ok(user)
}

/// Adds a service account (audited as through the command line).
pub async fn add_service_account(
    ctx: &Ctx,
    username: &str,
    display_name: &str,
    roles: &[Role],
) -> Result<User> {
    crate::platform::users::create_service_account(ctx, CLI, username, display_name, roles, CLI)
        .await
}

/// A user with the name of their team, for a listing.
pub struct UserRow {
    pub user: User,
    pub team: Option<String>,
}

/// Every user, with their team's name.
pub async fn users(ctx: &Ctx) -> Result<Vec<UserRow>> {
    let teams = ctx.db.list_teams().await?;
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|user| UserRow {
            team: user
                .team_id
                .and_then(|t| teams.iter().find(|x| x.id == t))
                .map(|t| t.name.clone()),
            user,
        })
        .collect())
}

/// A team to add, everything by name; the site is created when new.
pub struct NewTeam {
    pub name: String,
    pub site: String,
    pub parent: Option<String>,
    /// The lead's username.
    pub lead: Option<String>,
}

/// Adds a team at a site (creating the site when new), under its parent and with its
/// lead, and records it.
pub async fn add_team(ctx: &Ctx, new: &NewTeam) -> Result<()> {
    let db = &ctx.db;
    let parent = match &new.parent {
        Some(p) => Some(team_named(ctx, p, "parent").await?.id),
        None => None,
    };
    let lead = match &new.lead {
        Some(u) => Some(user_named(ctx, u, "lead").await?),
        None => None,
    };
    let site = match db
        .list_sites()
        .await?
        .into_iter()
        .find(|s| s.name == new.site)
    {
        Some(s) => s.id,
        None => {
            db.create_site(&new.site, ctx.now(), &mut rand::rngs::OsRng)
                .await?
        }
    };
    let team = db
        .create_team(&new.name, site, parent, ctx.now(), &mut rand::rngs::OsRng)
        .await?;
    if let Some(u) = &lead {
        db.set_team_lead(team, u.id).await?;
    }
    ctx.audit(
        CLI,
        "team.created",
        &team.to_string(),
        json!({"site": site, "parent": parent, "lead": lead.as_ref().map(|u| u.id)}),
    )
    .await?;
    Ok(())
}

/// A team with the names of its parent and its lead, for a listing.
pub struct TeamRow {
    pub team: Team,
    pub parent: Option<String>,
    /// The lead's username.
    pub lead: Option<String>,
}

/// Every team, with its parent's name and its lead's username.
pub async fn teams(ctx: &Ctx) -> Result<Vec<TeamRow>> {
    let teams = ctx.db.list_teams().await?;
    let users = ctx.db.list_users().await?;
    Ok(teams
        .iter()
        .map(|t| TeamRow {
            parent: t
                .parent_team_id
                .and_then(|p| teams.iter().find(|x| x.id == p))
                .map(|x| x.name.clone()),
            lead: t
                .lead_user_id
                .and_then(|l| users.iter().find(|u| u.id == l))
                .map(|u| u.username.clone()),
            team: t.clone(),
        })
        .collect())
}

/// Mints a token for the service account `username` (the command line is nobody's own
/// session, so a person is [`Kind::Forbidden`]). The returned value is the only copy.
pub async fn mint_token(
    ctx: &Ctx,
    username: &str,
    name: &str,
    scopes: &[Scope],
) -> Result<Secret<String>> {
    let user = user_named(ctx, username, "username").await?;
    crate::platform::tokens::may_mint_for(None, &user)
        .map_err(|why| Error::new(Kind::Forbidden, why).on("username"))?;
    crate::platform::tokens::issue_token(ctx, CLI, &user, name, scopes).await
}

/// Which token to revoke.
pub enum TokenTarget {
    /// By its id, as listed.
    Id(String),
    /// By its owner's username and its name.
    Named { username: String, name: String },
}

/// Revokes the live token `target` names; returns its id and name. Not found when no
/// live token matches.
pub async fn revoke_token(ctx: &Ctx, target: &TokenTarget) -> Result<(TokenId, String)> {
    let tokens = ctx.db.list_tokens(None).await?;
    let live = |t: &ApiToken| t.revoked_at.is_none();
    let found = match target {
        TokenTarget::Id(id) => tokens
            .into_iter()
            .find(|t| t.id.to_string() == *id && live(t)),
        TokenTarget::Named { username, name } => {
            let user = user_named(ctx, username, "username").await?;
            tokens
                .into_iter()
                .find(|t| t.user_id == user.id && t.name == *name && live(t))
        }
    };
    let t = found.ok_or_else(|| Error::new(Kind::NotFound, "no live token matches"))?;
    crate::platform::tokens::revoke(ctx, CLI, t.id, CLI).await?;
    Ok((t.id, t.name))
}

/// Every token, revoked ones included (never their values).
pub async fn tokens(ctx: &Ctx) -> Result<Vec<ApiToken>> {
    Ok(ctx.db.list_tokens(None).await?)
}

/// The audit trail checked with the server's key, against exported heads when they were
/// read (a file that does not parse is itself a broken trail). The error tells a broken
/// trail from a database that cannot be read.
pub async fn verify_audit(
    ctx: &Ctx,
    exported: std::result::Result<Vec<Checkpoint>, Broken>,
) -> std::result::Result<VerifyReport, VerifyError> {
    let checkpoints = exported?;
    ctx.db
        .audit_verify_with(&ctx.signer.verifying_key(), &checkpoints)
        .await
}

/// The database's backend ("sqlite" or "postgres") and where it is.
pub fn database(ctx: &Ctx) -> (&'static str, &str) {
    (ctx.db.backend_name(), ctx.db.location())
}

/// What a thorough integrity check of the database found (nothing when it is sound).
pub async fn integrity_problems(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(ctx.db.integrity_problems(true).await?)
}

/// Writes a consistent copy of a SQLite database to `dest` (while it is in use);
/// `false` for PostgreSQL, which is copied with its own tools.
pub async fn sqlite_backup(ctx: &Ctx, dest: &std::path::Path) -> Result<bool> {
    Ok(ctx.db.sqlite_backup(dest).await?)
}

/// The "should not fire" examples from accepted disputes, for a rule pack.
pub async fn rule_examples(ctx: &Ctx) -> Result<Vec<righttrack_store::disputes::RuleExample>> {
    Ok(ctx.db.rule_examples().await?)
}

/// Before the server stops: signs a last checkpoint when entries came after the last one
/// (and exports it), then closes the database.
pub async fn shut_down(ctx: &Ctx) {
    if let Ok(Some(cp)) = ctx
        .db
        .audit_checkpoint(&ctx.signer, ctx.now().as_millisecond())
        .await
    {
        ctx.export_head(cp.seq, cp.hash);
    }
    ctx.db.close().await;
}

/// Closes the database (the pool's connections finish first).
pub async fn close(ctx: &Ctx) {
    ctx.db.close().await;
}
