//! Users, roles, teams and sites: the organisation and its management chain.
//!
//! A team belongs to a site and may nest under a parent team; its lead is a user. The
//! management chain of a user is their team's lead, then the parent team's lead, and so on
//! (later capabilities use it for conflict-of-interest exclusion).

use crate::{found, from_ms, ms, on_pool, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::audience::{Audience, Member};
use righttrack_core::ids::{SiteId, TeamId, UserId};
use righttrack_core::Role;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub team_id: Option<TeamId>,
    pub roles: Vec<Role>,
    pub totp_enabled: bool,
    pub disabled: bool,
    /// A service account: no person, no password, no role that needs a second factor;
    /// API tokens may be made for it.
    pub service: bool,
    pub created_at: Timestamp,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn requires_two_factor(&self) -> bool {
        self.roles.iter().any(|r| r.requires_two_factor())
    }
}

/// What login needs and nothing else returns: kept apart from [`User`] so a hash never
/// travels with the user object into a page or a JSON response.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub password_hash: Option<righttrack_core::Secret<String>>,
    pub totp_sealed: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    /// Wrong second-factor codes since the last right one (a password never resets it).
    pub totp_failures: i64,
    /// The second factor refuses every code until then.
    pub totp_locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub team: Option<TeamId>,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub site_id: SiteId,
    pub site_name: String,
    pub parent_team_id: Option<TeamId>,
    pub lead_user_id: Option<UserId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    team_id: Option<String>,
    totp_enabled: bool,
    disabled: bool,
    service: bool,
    created_at: i64,
}

fn parse_id<T>(s: &str, f: fn(&str) -> Option<T>) -> Result<T> {
    f(s).ok_or_else(|| StoreError::Corrupt(format!("invalid id {s:?}")))
}

impl UserRow {
    fn into_user(self, roles: Vec<Role>) -> Result<User> {
        Ok(User {
            id: parse_id(&self.id, UserId::parse)?,
            username: self.username,
            display_name: self.display_name,
            team_id: self
                .team_id
                .as_deref()
                .map(|t| parse_id(t, TeamId::parse))
                .transpose()?,
            roles,
            totp_enabled: self.totp_enabled,
            disabled: self.disabled,
            service: self.service,
            created_at: from_ms(self.created_at),
        })
    }
}

/// (id, name, site id, site name, parent team id, lead user id)
type TeamRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);
/// (password hash, sealed TOTP secret, last TOTP step, failures, locked until,
/// second-factor failures, second factor locked until)
type CredentialsRow = (
    Option<String>,
    Option<Vec<u8>>,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
);

const USER_COLS: &str =
    "id, username, display_name, team_id, totp_enabled, disabled, service, created_at";

fn valid_username(u: &str) -> bool {
    (1..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

impl Db {
    pub async fn create_site(
        &self,
        name: &str,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<SiteId> {
        let id = SiteId::new_v7(now, rng);
        try_execute!(
            self,
            "INSERT INTO sites (id, name, created_at) VALUES ($1, $2, $3)",
            id.to_string(),
            name,
            ms(now),
        )
        .map_err(|e| StoreError::from(e).naming(|| format!("site {name:?}")))?;
        Ok(id)
    }

    pub async fn create_team(
        &self,
        name: &str,
        site: SiteId,
        parent: Option<TeamId>,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<TeamId> {
        let id = TeamId::new_v7(now, rng);
        try_execute!(
            self,
            "INSERT INTO teams (id, name, site_id, parent_team_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            id.to_string(),
            name,
            site.to_string(),
            parent.map(|t| t.to_string()),
            ms(now),
        )
        .map_err(|e| StoreError::from(e).naming(|| format!("team {name:?}")))?;
        Ok(id)
    }

    pub async fn set_team_lead(&self, team: TeamId, lead: UserId) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE teams SET lead_user_id = $1 WHERE id = $2",
            lead.to_string(),
            team.to_string(),
        );
        found(n)?;
        // A new lead changes management chains, hence conflicts of interest on cases.
        self.bump_readers_epoch().await
    }

    pub async fn list_sites(&self) -> Result<Vec<Site>> {
        let rows: Vec<(String, String)> =
            fetch!(self, fetch_all, "SELECT id, name FROM sites ORDER BY name",);
        rows.into_iter()
            .map(|(id, name)| {
                Ok(Site {
                    id: parse_id(&id, SiteId::parse)?,
                    name,
                })
            })
            .collect()
    }

    pub async fn list_teams(&self) -> Result<Vec<Team>> {
        let rows: Vec<TeamRow> = fetch!(
            self,
            fetch_all,
            "SELECT t.id, t.name, t.site_id, s.name, t.parent_team_id, t.lead_user_id \
             FROM teams t JOIN sites s ON s.id = t.site_id ORDER BY s.name, t.name",
        );
        rows.into_iter()
            .map(|(id, name, site, site_name, parent, lead)| {
                Ok(Team {
                    id: parse_id(&id, TeamId::parse)?,
                    name,
                    site_id: parse_id(&site, SiteId::parse)?,
                    site_name,
                    parent_team_id: parent
                        .as_deref()
                        .map(|x| parse_id(x, TeamId::parse))
                        .transpose()?,
                    lead_user_id: lead
                        .as_deref()
                        .map(|x| parse_id(x, UserId::parse))
                        .transpose()?,
                })
            })
            .collect()
    }

    pub async fn team_by_name(&self, name: &str) -> Result<Option<Team>> {
        Ok(self
            .list_teams()
            .await?
            .into_iter()
            .find(|t| t.name == name))
    }

    /// The leads above `user`, nearest first: their team's lead, then each parent team's.
    pub async fn management_chain(&self, user: UserId) -> Result<Vec<UserId>> {
        let Some(u) = self.user_by_id(user).await? else {
            return Err(StoreError::NotFound);
        };
        let teams: BTreeMap<TeamId, Team> = self
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let mut chain = Vec::new();
        let mut at = u.team_id;
        let mut guard = 0;
        while let Some(tid) = at {
            guard += 1;
            let Some(team) = teams.get(&tid) else { break };
            if let Some(lead) = team.lead_user_id {
                if lead != user && !chain.contains(&lead) {
                    chain.push(lead);
                }
            }
            at = team.parent_team_id;
            if guard > 64 {
                break;
            }
        }
        Ok(chain)
    }

    pub async fn create_user(
        &self,
        new: NewUser,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<User> {
        if !valid_username(&new.username) {
            return Err(StoreError::Corrupt(format!(
                "username {:?} must be 1-64 characters of letters, digits, '.', '_', '-' or '@'",
                new.username
            )));
        }
        let id = UserId::new_v7(now, rng);
        let username = new.username.clone();
        // The async block keeps `?` inside, so a unique violation can be named below.
        let r: Result<()> = in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO users (id, username, display_name, password_hash, team_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                id.to_string(),
                &new.username,
                &new.display_name,
                &new.password_hash,
                new.team.map(|t| t.to_string()),
                ms(now),
            );
            for role in &new.roles {
                execute!(
                    &mut *tx,
                    "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                    id.to_string(),
                    role.as_str(),
                );
            }
        });
        r.map_err(|e| e.naming(|| format!("user {username:?}")))?;
        self.bump_readers_epoch().await?;
        self.user_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn roles_of(&self, id: &str) -> Result<Vec<Role>> {
        let rows: Vec<(String,)> = fetch!(
            self,
            fetch_all,
            "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role",
            id,
        );
        let mut roles: Vec<Role> = rows.iter().filter_map(|(r,)| Role::parse(r).ok()).collect();
        roles.sort();
        Ok(roles)
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row: Option<UserRow> = fetch!(self, fetch_optional, &sql, id.to_string());
        match row {
            Some(r) => {
                let roles = self.roles_of(&r.id).await?;
                Ok(Some(r.into_user(roles)?))
            }
            None => Ok(None),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        let row: Option<UserRow> = fetch!(self, fetch_optional, &sql, username);
        match row {
            Some(r) => {
                let roles = self.roles_of(&r.id).await?;
                Ok(Some(r.into_user(roles)?))
            }
            None => Ok(None),
        }
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = fetch!(self, fetch_all, &sql);
        let all_roles: Vec<(String, String)> =
            fetch!(self, fetch_all, "SELECT user_id, role FROM user_roles",);
        let mut by_user: BTreeMap<String, Vec<Role>> = BTreeMap::new();
        for (u, r) in all_roles {
            if let Ok(role) = Role::parse(&r) {
                by_user.entry(u).or_default().push(role);
            }
        }
        rows.into_iter()
            .map(|r| {
                let mut roles = by_user.remove(&r.id).unwrap_or_default();
                roles.sort();
                r.into_user(roles)
            })
            .collect()
    }

    /// The enabled users an audience includes, by username. A user's site is their
    /// team's site; a user without a team matches only audiences that list no team or
    /// site.
    pub async fn audience_members(&self, audience: &Audience) -> Result<Vec<User>> {
        let site_of: BTreeMap<TeamId, SiteId> = self
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.id, t.site_id))
            .collect();
        Ok(self
            .list_users()
            .await?
            .into_iter()
            .filter(|u| {
                !u.disabled
                    && audience.includes(Member {
                        roles: &u.roles,
                        team: u.team_id,
                        site: u.team_id.and_then(|t| site_of.get(&t).copied()),
                    })
            })
            .collect())
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(scalar!(self, fetch_one, "SELECT COUNT(*) FROM users"))
    }

    pub async fn credentials(&self, id: UserId) -> Result<Credentials> {
        let row: CredentialsRow = fetch!(
            self,
            fetch_one,
            "SELECT password_hash, totp_sealed, totp_last_step, failed_logins, locked_until, totp_failures, totp_locked_until FROM users WHERE id = $1",
            id.to_string(),
        );
        Ok(Credentials {
            password_hash: row.0.map(righttrack_core::Secret::new),
            totp_sealed: row.1,
            totp_last_step: row.2,
            failed_logins: row.3,
            locked_until: row.4.map(from_ms),
            totp_failures: row.5,
            totp_locked_until: row.6.map(from_ms),
        })
    }

    pub async fn set_roles(&self, id: UserId, roles: &[Role]) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            execute!(
                &mut *tx,
                "DELETE FROM user_roles WHERE user_id = $1",
                id.to_string()
            );
            for role in roles {
                execute!(
                    &mut *tx,
                    "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                    id.to_string(),
                    role.as_str(),
                );
            }
            tx.commit().await?;
        });
        self.bump_readers_epoch().await
    }

    /// Disables (or re-enables) a user: a disabled user cannot sign in and holds no case
    /// key (see `crates/web/src/cases.rs`).
    pub async fn set_user_disabled(&self, id: UserId, disabled: bool) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET disabled = $1 WHERE id = $2",
            disabled,
            id.to_string()
        );
        self.bump_readers_epoch().await
    }

    pub async fn set_user_team(&self, id: UserId, team: Option<TeamId>) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET team_id = $1 WHERE id = $2",
            team.map(|t| t.to_string()),
            id.to_string(),
        );
        self.bump_readers_epoch().await
    }

    pub async fn set_password_hash(&self, id: UserId, phc: &str) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            phc,
            id.to_string()
        );
        Ok(())
    }

    /// Counts a failed login; locks the account for `lock_for` once `lock_after` failures
    /// accumulate. Returns the failure count and the lock's end, if locked.
    pub async fn record_login_failure(
        &self,
        id: UserId,
        now: Timestamp,
        lock_after: i64,
        lock_for: jiff::SignedDuration,
    ) -> Result<(i64, Option<Timestamp>)> {
        let until = now.checked_add(lock_for).unwrap_or(now);
        let row: (i64, Option<i64>) = fetch!(
            self,
            fetch_one,
            "UPDATE users SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 RETURNING failed_logins, locked_until",
            id.to_string(),
            lock_after,
            ms(until),
        );
        Ok((row.0, row.1.map(from_ms)))
    }

    pub async fn reset_login_failures(&self, id: UserId) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            id.to_string(),
        );
        Ok(())
    }

    /// Counts a wrong second-factor code, apart from password failures. The
    /// `lock_after`-th failure locks the second factor until `now + lock_for` and starts
    /// the count again. Returns the count (before any restart) and the lock's end, if
    /// this failure locked it.
    pub async fn record_totp_failure(
        &self,
        id: UserId,
        now: Timestamp,
        lock_after: i64,
        lock_for: jiff::SignedDuration,
    ) -> Result<(i64, Option<Timestamp>)> {
        let until = now.checked_add(lock_for).unwrap_or(now);
        let n: i64 = scalar!(
            self,
            fetch_one,
            "UPDATE users SET totp_failures = totp_failures + 1 WHERE id = $1 RETURNING totp_failures",
            id.to_string(),
        );
        if n < lock_after {
            return Ok((n, None));
        }
        execute!(
            self,
            "UPDATE users SET totp_failures = 0, totp_locked_until = $2 WHERE id = $1",
            id.to_string(),
            ms(until),
        );
        Ok((n, Some(until)))
    }

    /// A right second-factor code: the count starts again.
    pub async fn reset_totp_failures(&self, id: UserId) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET totp_failures = 0, totp_locked_until = NULL WHERE id = $1",
            id.to_string(),
        );
        Ok(())
    }

    /// An administrator unlocks an account: password and second-factor locks and counts.
    pub async fn unlock_user(&self, id: UserId) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE users SET failed_logins = 0, locked_until = NULL, totp_failures = 0, totp_locked_until = NULL WHERE id = $1",
            id.to_string(),
        );
        found(n)
    }

    /// Creates a service account: no password (it cannot sign in), and only roles that
    /// need no second factor (it cannot pass one). Tokens are made for it.
    pub async fn create_service_account(
        &self,
        username: &str,
        display_name: &str,
        roles: &[Role],
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<User> {
        if let Some(r) = roles.iter().find(|r| r.requires_two_factor()) {
            return Err(StoreError::Corrupt(format!(
                "a service account cannot hold the role {:?}: it needs a person's second factor",
                r.label()
            )));
        }
        let u = self
            .create_user(
                NewUser {
                    username: username.to_owned(),
                    display_name: display_name.to_owned(),
                    password_hash: None,
                    team: None,
                    roles: roles.to_vec(),
                },
                now,
                rng,
            )
            .await?;
        execute!(
            self,
            "UPDATE users SET service = TRUE WHERE id = $1",
            u.id.to_string()
        );
        self.user_by_id(u.id).await?.ok_or(StoreError::NotFound)
    }

    /// Stores a (sealed) TOTP secret; `enabled` turns two-factor on once a code was verified.
    pub async fn set_totp(&self, id: UserId, sealed: Option<&[u8]>, enabled: bool) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET totp_sealed = $1, totp_enabled = $2, totp_last_step = NULL WHERE id = $3",
            sealed,
            enabled,
            id.to_string(),
        );
        Ok(())
    }

    /// Records the step of an accepted TOTP code, refusing one not newer than the last
    /// (replay). Returns whether the step was accepted.
    pub async fn use_totp_step(&self, id: UserId, step: i64) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            step,
            id.to_string(),
        );
        Ok(n == 1)
    }

    /// Every sealed TOTP secret, for key rotation.
    pub async fn all_sealed_totp(&self) -> Result<Vec<(UserId, Vec<u8>)>> {
        let rows: Vec<(String, Vec<u8>)> = fetch!(
            self,
            fetch_all,
            "SELECT id, totp_sealed FROM users WHERE totp_sealed IS NOT NULL",
        );
        rows.into_iter()
            .map(|(id, b)| Ok((parse_id(&id, UserId::parse)?, b)))
            .collect()
    }

    /// Replaces a sealed TOTP secret only if it is still `old` (rotation never clobbers
    /// a concurrent enrolment).
    pub async fn replace_sealed_totp(&self, id: UserId, old: &[u8], new: &[u8]) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE users SET totp_sealed = $1 WHERE id = $2 AND totp_sealed = $3",
            new,
            id.to_string(),
            old,
        );
        Ok(n == 1)
    }
}
