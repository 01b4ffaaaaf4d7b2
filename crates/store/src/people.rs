//! What an HR file says about people beyond their accounts, and applying an import's
//! plan in one transaction.
//!
//! The plan (`righttrack_core::directory::Plan`) is computed from the file and the
//! directory as it stood; [`Db::apply_directory_plan`] writes it whole or not at all, so
//! a failure half-way leaves no one half-imported. Signing people out is part of the same
//! transaction; taking leavers off hotline cases is the app's, afterwards.

use crate::{ms, Db, Result, StoreError};
use jiff::civil::Date;
use jiff::Timestamp;
use righttrack_core::directory::{Person, Plan, Profile, Status};
use righttrack_core::ids::{SiteId, TeamId, UserId};
use righttrack_core::Role;
use std::collections::BTreeMap;

/// A person's directory row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub user_id: UserId,
    pub profile: Profile,
    pub deactivated_by_import: bool,
}

/// (user id, email, manager username, hire date, job level, status, deactivated by import)
type ProfileRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    bool,
);

/// What applying a plan did that the app still has to follow up.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Deactivated now: to be taken off hotline cases.
    pub deactivated: Vec<UserId>,
}

impl Db {
    /// Every person an import manages.
    pub async fn directory_profiles(&self) -> Result<Vec<StoredProfile>> {
        let rows: Vec<ProfileRow> = fetch!(
            self,
            fetch_all,
            "SELECT p.user_id, p.email, m.username, p.hire_date, p.job_level, \
             p.employment_status, p.deactivated_by_import \
             FROM directory_people p LEFT JOIN users m ON m.id = p.manager_user_id \
             ORDER BY p.user_id",
        );
        rows.into_iter()
            .map(|(id, email, manager, hire, level, status, by_import)| {
                let corrupt =
                    |what: &str| StoreError::Corrupt(format!("directory row {id}: {what}"));
                Ok(StoredProfile {
                    user_id: UserId::parse(&id).ok_or_else(|| corrupt("user id"))?,
                    profile: Profile {
                        email,
                        manager,
                        hire_date: hire
                            .map(|d| d.parse::<Date>().map_err(|_| corrupt("hire date")))
                            .transpose()?,
                        job_level: level,
                        status: Some(Status::parse(&status).ok_or_else(|| corrupt("status"))?),
                    },
                    deactivated_by_import: by_import,
                })
            })
            .collect()
    }

    /// Writes the whole plan in one transaction: sites, teams, new people with their
    /// roles and directory rows, changes, reporting lines, team leads and places,
    /// deactivations (signed out at once) and reactivations.
    pub async fn apply_directory_plan(
        &self,
        plan: &Plan,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<Applied> {
        let at = ms(now);
        let mut applied = Applied::default();
        in_tx!(self, |tx| {
            let mut sites: BTreeMap<String, String> = BTreeMap::new();
            let rows: Vec<(String, String)> =
                fetch!(&mut *tx, fetch_all, "SELECT name, id FROM sites");
            sites.extend(rows);
            for name in &plan.new_sites {
                let id = SiteId::new_v7(now, rng).to_string();
                execute!(
                    &mut *tx,
                    "INSERT INTO sites (id, name, created_at) VALUES ($1, $2, $3)",
                    &id,
                    name,
                    at,
                );
                sites.insert(name.clone(), id);
            }
            let mut teams: BTreeMap<String, String> = BTreeMap::new();
            let rows: Vec<(String, String)> =
                fetch!(&mut *tx, fetch_all, "SELECT name, id FROM teams");
            teams.extend(rows);
            for (name, site) in &plan.new_teams {
                let site_id = sites
                    .get(site)
                    .ok_or_else(|| StoreError::Corrupt(format!("site {site:?} is missing")))?;
                let id = TeamId::new_v7(now, rng).to_string();
                execute!(
                    &mut *tx,
                    "INSERT INTO teams (id, name, site_id, created_at) VALUES ($1, $2, $3, $4)",
                    &id,
                    name,
                    site_id,
                    at,
                );
                teams.insert(name.clone(), id);
            }
            let team_id = |t: &Option<String>| -> Result<Option<String>> {
                t.as_ref()
                    .map(|name| {
                        teams
                            .get(name)
                            .cloned()
                            .ok_or_else(|| StoreError::Corrupt(format!("team {name:?} is missing")))
                    })
                    .transpose()
            };
            let mut users: BTreeMap<String, String> = BTreeMap::new();
            let rows: Vec<(String, String)> =
                fetch!(&mut *tx, fetch_all, "SELECT username, id FROM users");
            users.extend(rows.into_iter().map(|(u, id)| (u.to_ascii_lowercase(), id)));
            for p in &plan.create {
                let id = UserId::new_v7(now, rng).to_string();
                execute!(
                    &mut *tx,
                    "INSERT INTO users (id, username, display_name, team_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &id,
                    &p.username,
                    &p.display_name,
                    team_id(&p.team)?,
                    at,
                );
                let roles = p.roles.clone().unwrap_or_else(|| vec![Role::Agent]);
                for r in &roles {
                    execute!(
                        &mut *tx,
                        "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                        &id,
                        r.as_str(),
                    );
                }
                users.insert(p.username.to_ascii_lowercase(), id);
            }
            let user_id = |username: &str| -> Result<String> {
                users
                    .get(&username.to_ascii_lowercase())
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt(format!("user {username:?} is missing")))
            };
            // Directory rows once everyone exists, so a manager may come later in the file.
            let upsert = "INSERT INTO directory_people (user_id, email, manager_user_id, \
                 hire_date, job_level, employment_status, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO UPDATE SET \
                 email = excluded.email, manager_user_id = excluded.manager_user_id, \
                 hire_date = excluded.hire_date, job_level = excluded.job_level, \
                 employment_status = excluded.employment_status, updated_at = excluded.updated_at";
            let write_profile = |p: &Person| -> Result<[Option<String>; 6]> {
                Ok([
                    Some(user_id(&p.username)?),
                    p.profile.email.clone(),
                    p.profile.manager.as_deref().map(user_id).transpose()?,
                    p.profile.hire_date.map(|d| d.to_string()),
                    p.profile.job_level.clone(),
                    Some(
                        p.profile
                            .status
                            .unwrap_or(Status::Active)
                            .as_str()
                            .to_owned(),
                    ),
                ])
            };
            for p in plan
                .create
                .iter()
                .chain(plan.update.iter().map(|u| &u.person))
            {
                let [id, email, manager, hire, level, status] = write_profile(p)?;
                execute!(&mut *tx, upsert, id, email, manager, hire, level, status, at);
            }
            for u in &plan.update {
                let id = user_id(&u.person.username)?;
                let team = team_id(&u.person.team)?;
                execute!(
                    &mut *tx,
                    "UPDATE users SET display_name = $1, team_id = COALESCE($2, team_id) WHERE id = $3",
                    &u.person.display_name,
                    team,
                    &id,
                );
                if let Some(roles) = &u.roles {
                    execute!(&mut *tx, "DELETE FROM user_roles WHERE user_id = $1", &id);
                    for r in roles {
                        execute!(
                            &mut *tx,
                            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                            &id,
                            r.as_str(),
                        );
                    }
                    // A changed role takes effect at once: they sign in again.
                    execute!(&mut *tx, "DELETE FROM sessions WHERE user_id = $1", &id);
                }
            }
            for c in &plan.leads {
                execute!(
                    &mut *tx,
                    "UPDATE teams SET lead_user_id = $1 WHERE name = $2",
                    user_id(&c.to)?,
                    &c.team,
                );
            }
            for c in &plan.parents {
                let parent = teams
                    .get(&c.to)
                    .ok_or_else(|| StoreError::Corrupt(format!("team {:?} is missing", c.to)))?;
                execute!(
                    &mut *tx,
                    "UPDATE teams SET parent_team_id = $1 WHERE name = $2",
                    parent,
                    &c.team,
                );
            }
            let leaving = plan.deactivate.iter().map(|l| (&l.username, true));
            let back = plan.reactivate.iter().map(|u| (u, false));
            for (username, off) in leaving.chain(back) {
                let id = user_id(username)?;
                execute!(
                    &mut *tx,
                    "UPDATE users SET disabled = $1 WHERE id = $2",
                    off,
                    &id
                );
                execute!(
                    &mut *tx,
                    "UPDATE directory_people SET deactivated_by_import = $1, updated_at = $2 \
                     WHERE user_id = $3",
                    off,
                    at,
                    &id,
                );
                if off {
                    execute!(&mut *tx, "DELETE FROM sessions WHERE user_id = $1", &id);
                    applied.deactivated.push(
                        UserId::parse(&id)
                            .ok_or_else(|| StoreError::Corrupt(format!("invalid id {id:?}")))?,
                    );
                }
            }
        })?;
        // New leads and people change management chains, hence conflicts of interest on
        // hotline cases.
        self.bump_readers_epoch().await?;
        Ok(applied)
    }
}
