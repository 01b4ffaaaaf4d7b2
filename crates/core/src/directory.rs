//! The people file an HR system exports, and what importing it would change.
//!
//! An organisation without directory provisioning exports its people as CSV, one line a
//! person. The first line names the columns, in any order (spaces, dashes and case do
//! not matter): `username` and `display_name` are required; `email`, `team`, `site`,
//! `manager` (the manager's username), `roles` (separated by `;`), `hire_date`
//! (`YYYY-MM-DD`), `job_level` and `employment_status` (`active`, `on leave` or
//! `left`) are optional.
//!
//! Importing is planned before anything is written ([`plan`]): the plan is the whole
//! difference between the file and the directory, shown as such by a dry run, and
//! applied as one. Design decisions:
//! * **All or nothing.** A file with a bad line changes nothing: a person whose line was
//!   refused would otherwise count as having left and be signed out.
//! * **The file owns the people it brought.** Someone absent from the file is
//!   deactivated only if an earlier import brought them in; local accounts (the first
//!   admin, service accounts) are never touched. A re-import with the same file changes
//!   nothing.
//! * **An HR file grants no privilege.** Roles that need a second factor (admin, ethics
//!   officer, investigator, audit committee, identity custodian) are granted on the
//!   Users page by an admin, never by whoever can edit an HR export; the file sets only
//!   `agent`, `team_lead` and `qa_analyst`, and a privileged role it names is refused.
//! * **A truncated file is not a mass leaving.** A plan that would deactivate more than
//!   [`LEAVER_GUARD_MIN`] people and more than a quarter of those the file manages is
//!   refused unless the leavers are confirmed.
//! * **Reporting lines make the team tree.** A team's lead is the manager most of its
//!   members report to; the team then sits below the lead's own team, unless that would
//!   make a loop.
//!
//! Errors name the line and the column, never a cell's content beyond the username.

use crate::training::import::cells;
pub use crate::training::import::LineError;
use crate::Role;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The columns of a people file, for the page and the command that explain the format.
pub const COLUMNS: &str = "username,display_name,email,team,site,manager,roles,hire_date,\
                           job_level,employment_status";

/// Leavers the file may bring without confirmation, whatever the share.
pub const LEAVER_GUARD_MIN: usize = 10;

/// Where someone stands with the employer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    OnLeave,
    Left,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::OnLeave => "on_leave",
            Status::Left => "left",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "" | "active" | "employed" => Some(Status::Active),
            "on_leave" | "leave" => Some(Status::OnLeave),
            "left" | "leaver" | "terminated" | "inactive" => Some(Status::Left),
            _ => None,
        }
    }
}

/// What the directory keeps of a person beyond their account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub email: Option<String>,
    /// The manager's username.
    pub manager: Option<String>,
    pub hire_date: Option<Date>,
    pub job_level: Option<String>,
    pub status: Option<Status>,
}

/// One line of the file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub line: usize,
    pub username: String,
    pub display_name: String,
    pub team: Option<String>,
    pub site: Option<String>,
    /// The roles the file grants; `None` when the file has no roles column or the cell is
    /// empty (a new person is then an agent, an existing one keeps theirs).
    pub roles: Option<Vec<Role>>,
    pub profile: Profile,
}

impl Person {
    fn status(&self) -> Status {
        self.profile.status.unwrap_or(Status::Active)
    }
}

/// The roles an HR file may grant.
pub fn grantable(r: Role) -> bool {
    !r.requires_two_factor()
}

fn column_key(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .replace("e_mail", "email")
}

/// Parses a whole file: the good lines and the errors, both in file order. A missing
/// required column is one error on line 1 and no people.
pub fn parse(text: &str) -> (Vec<Person>, Vec<LineError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let header_error = |message: String| (Vec::new(), vec![LineError { line: 1, message }]);
    let Some((_, header)) = lines.next() else {
        return header_error(format!("the file is empty; expected a header: {COLUMNS}"));
    };
    let names: Vec<String> = match cells(header) {
        Ok(c) => c.iter().map(|c| column_key(c)).collect(),
        Err(e) => return header_error(e),
    };
    let col = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    let (Some(user_c), Some(name_c)) = (
        col(&["username", "user", "login", "user_name"]),
        col(&["display_name", "name", "full_name"]),
    ) else {
        return header_error("header: the columns username and display_name are required".into());
    };
    let cols = Columns {
        username: user_c,
        display_name: name_c,
        email: col(&["email", "mail"]),
        team: col(&["team"]),
        site: col(&["site", "location"]),
        manager: col(&["manager", "manager_username", "reports_to"]),
        roles: col(&["roles", "role"]),
        hire_date: col(&["hire_date", "hired", "start_date"]),
        job_level: col(&["job_level", "level"]),
        status: col(&["employment_status", "status"]),
    };
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match person(line, raw, &cols) {
            Ok(p) => match seen.get(&p.username.to_ascii_lowercase()) {
                Some(first) => errors.push(LineError {
                    line,
                    message: format!("column username: {:?} already has line {first}", p.username),
                }),
                None => {
                    seen.insert(p.username.to_ascii_lowercase(), line);
                    good.push(p);
                }
            },
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    (good, errors)
}

struct Columns {
    username: usize,
    display_name: usize,
    email: Option<usize>,
    team: Option<usize>,
    site: Option<usize>,
    manager: Option<usize>,
    roles: Option<usize>,
    hire_date: Option<usize>,
    job_level: Option<usize>,
    status: Option<usize>,
}

/// A username as accounts have them: 1–64 letters, digits, `.`, `_`, `-` or `@`.
pub fn valid_username(u: &str) -> bool {
    (1..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(|c: char| c.is_whitespace() || c.is_control() || c == ',')
        && !domain.contains('@')
}

fn person(line: usize, raw: &str, c: &Columns) -> Result<Person, String> {
    let row = cells(raw)?;
    let get = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
    let opt = |i: Option<usize>| -> Option<String> {
        i.map(get).filter(|v| !v.is_empty()).map(str::to_owned)
    };
    let username = get(c.username).to_owned();
    if username.is_empty() {
        return Err("column username is empty".into());
    }
    if !valid_username(&username) {
        return Err("column username: use 1 to 64 letters, digits, '.', '_', '-' or '@'".into());
    }
    let display_name = get(c.display_name).to_owned();
    if display_name.is_empty() {
        return Err("column display_name is empty".into());
    }
    if display_name.chars().count() > 200 {
        return Err("column display_name: at most 200 characters".into());
    }
    let email = opt(c.email);
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        return Err("column email: expected an address like name@example.com".into());
    }
    let short = |v: Option<String>, name: &str| -> Result<Option<String>, String> {
        match v {
            Some(v) if v.chars().count() > 100 => {
                Err(format!("column {name}: at most 100 characters"))
            }
            v => Ok(v),
        }
    };
    let team = short(opt(c.team), "team")?;
    let site = short(opt(c.site), "site")?;
    let job_level = short(opt(c.job_level), "job_level")?;
    let manager = opt(c.manager);
    if let Some(m) = &manager {
        if !valid_username(m) {
            return Err("column manager: expected the manager's username".into());
        }
        if m.eq_ignore_ascii_case(&username) {
            return Err("column manager: a person cannot be their own manager".into());
        }
    }
    let roles = match opt(c.roles) {
        None => None,
        Some(v) => {
            let mut out = BTreeSet::new();
            for name in v.split([';', '|']).map(str::trim).filter(|s| !s.is_empty()) {
                let key = name.to_ascii_lowercase().replace([' ', '-'], "_");
                let role = Role::parse(&key).map_err(|_| {
                    format!(
                        "column roles: {name:?} is not a role; use {}",
                        Role::ALL
                            .iter()
                            .filter(|r| grantable(**r))
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                if !grantable(role) {
                    return Err(format!(
                        "column roles: {} is granted by an admin on the Users page, not by an HR file",
                        role.label()
                    ));
                }
                out.insert(role);
            }
            Some(out.into_iter().collect())
        }
    };
    let hire_date = match opt(c.hire_date) {
        None => None,
        Some(d) => Some(
            d.parse::<Date>()
                .map_err(|_| "column hire_date: expected a date (YYYY-MM-DD)")?,
        ),
    };
    let status = match opt(c.status) {
        None => None,
        Some(s) => Some(
            Status::parse(&s)
                .ok_or("column employment_status: expected active, on leave or left")?,
        ),
    };
    Ok(Person {
        line,
        username,
        display_name,
        team,
        site,
        roles,
        profile: Profile {
            email,
            manager,
            hire_date,
            job_level,
            status,
        },
    })
}

/// A person as the directory holds them now.
#[derive(Debug, Clone)]
pub struct Existing {
    pub username: String,
    pub display_name: String,
    pub team: Option<String>,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub service: bool,
    /// What an earlier import recorded; `None` for an account the file never brought.
    pub profile: Option<Profile>,
    /// Deactivated by an import (so a later file that lists them again reactivates them;
    /// someone an admin deactivated stays so).
    pub deactivated_by_import: bool,
    /// Holds the last key to a hotline case: cannot leave before handing it over.
    pub last_case_key: bool,
}

/// A team as the directory holds it now.
#[derive(Debug, Clone)]
pub struct ExistingTeam {
    pub name: String,
    pub site: String,
    pub lead: Option<String>,
    pub parent: Option<String>,
}

/// The directory now.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub people: Vec<Existing>,
    pub teams: Vec<ExistingTeam>,
    pub sites: Vec<String>,
}

/// One changed value of one person, for the dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// A person the file changes, with what they become.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    pub person: Person,
    pub changes: Vec<Change>,
    /// The roles they end up with (privileged ones kept), when the roles change.
    pub roles: Option<Vec<Role>>,
}

/// Why someone is deactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Leaving {
    /// The file says they left.
    Left,
    /// An earlier import brought them and this file does not list them.
    NotInFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaver {
    pub username: String,
    pub why: Leaving,
}

/// A team's lead or parent team changing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamChange {
    pub team: String,
    pub from: Option<String>,
    pub to: String,
}

/// Everything an import changes. Empty when the directory already matches the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub new_sites: Vec<String>,
    /// (team, site)
    pub new_teams: Vec<(String, String)>,
    pub create: Vec<Person>,
    pub update: Vec<Update>,
    pub deactivate: Vec<Leaver>,
    pub reactivate: Vec<String>,
    pub leads: Vec<TeamChange>,
    pub parents: Vec<TeamChange>,
    /// Choices the plan made that a person may want to check.
    pub notes: Vec<String>,
    /// Lines the file had, for the summary.
    pub people_in_file: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.new_sites.is_empty()
            && self.new_teams.is_empty()
            && self.create.is_empty()
            && self.update.is_empty()
            && self.deactivate.is_empty()
            && self.reactivate.is_empty()
            && self.leads.is_empty()
            && self.parents.is_empty()
    }

    /// One line of counts.
    pub fn summary(&self) -> String {
        format!(
            "{} people in the file: {} to add, {} to change, {} to deactivate, {} to reactivate; \
             {} new teams, {} new sites, {} team leads and {} team places to set",
            self.people_in_file,
            self.create.len(),
            self.update.len(),
            self.deactivate.len(),
            self.reactivate.len(),
            self.new_teams.len(),
            self.new_sites.len(),
            self.leads.len(),
            self.parents.len(),
        )
    }

    /// The whole difference, one change a line, as the dry run prints it.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.new_sites.iter().map(|s| format!("new site {s}")));
        out.extend(
            self.new_teams
                .iter()
                .map(|(t, s)| format!("new team {t} at {s}")),
        );
        for p in &self.create {
            let mut l = format!("add {} ({})", p.username, p.display_name);
            if let Some(t) = &p.team {
                l.push_str(&format!(", team {t}"));
            }
            if let Some(m) = &p.profile.manager {
                l.push_str(&format!(", reports to {m}"));
            }
            out.push(l);
        }
        for u in &self.update {
            let changes: Vec<String> = u
                .changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field, show(&c.from), show(&c.to)))
                .collect();
            out.push(format!(
                "change {}: {}",
                u.person.username,
                changes.join("; ")
            ));
        }
        for l in &self.deactivate {
            out.push(format!(
                "deactivate {} ({})",
                l.username,
                match l.why {
                    Leaving::Left => "the file says they left",
                    Leaving::NotInFile => "no longer in the file",
                }
            ));
        }
        out.extend(self.reactivate.iter().map(|u| format!("reactivate {u}")));
        for c in &self.leads {
            out.push(format!(
                "team {} lead: {} → {}",
                c.team,
                show(c.from.as_deref().unwrap_or("")),
                c.to
            ));
        }
        for c in &self.parents {
            out.push(format!(
                "team {} sits below: {} → {}",
                c.team,
                show(c.from.as_deref().unwrap_or("")),
                c.to
            ));
        }
        out
    }
}

fn show(v: &str) -> &str {
    if v.is_empty() {
        "(none)"
    } else {
        v
    }
}

fn roles_text(r: &[Role]) -> String {
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";")
}

/// What the file changes in `current`. `actor` is the username of whoever imports (they
/// cannot deactivate themselves); `leavers_confirmed` lifts the guard against a truncated
/// file. Every problem is returned, by line, and then the plan is not to be applied.
pub fn plan(
    people: &[Person],
    current: &Current,
    actor: Option<&str>,
    leavers_confirmed: bool,
) -> Result<Plan, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut err = |line: usize, message: String| errors.push(LineError { line, message });
    let existing: BTreeMap<String, &Existing> = current
        .people
        .iter()
        .map(|p| (p.username.to_ascii_lowercase(), p))
        .collect();
    let in_file: BTreeMap<String, &Person> = people
        .iter()
        .map(|p| (p.username.to_ascii_lowercase(), p))
        .collect();
    let teams: BTreeMap<&str, &ExistingTeam> =
        current.teams.iter().map(|t| (t.name.as_str(), t)).collect();
    let sites: BTreeSet<&str> = current.sites.iter().map(String::as_str).collect();
    let mut plan = Plan {
        people_in_file: people.len(),
        ..Plan::default()
    };

    // Teams and sites: a team lives at one site.
    let mut team_site: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for p in people {
        let Some(team) = p.team.as_deref() else {
            if p.site.is_some() {
                err(
                    p.line,
                    "column team is empty: a site is given only with a team".into(),
                );
            }
            continue;
        };
        let site = match (p.site.as_deref(), teams.get(team)) {
            (Some(s), Some(t)) if t.site != s => {
                err(
                    p.line,
                    format!("column site: team {team} is at {}, not {s}", t.site),
                );
                continue;
            }
            (Some(s), _) => s,
            (None, Some(t)) => t.site.as_str(),
            (None, None) => {
                err(
                    p.line,
                    format!("column site is empty: team {team} is new and needs a site"),
                );
                continue;
            }
        };
        match team_site.get(team) {
            Some((s, first)) if *s != site => err(
                p.line,
                format!("column site: line {first} puts team {team} at {s}, not {site}"),
            ),
            Some(_) => {}
            None => {
                team_site.insert(team, (site, p.line));
            }
        }
    }
    for (team, (site, _)) in &team_site {
        if !teams.contains_key(team) {
            plan.new_teams
                .push(((*team).to_owned(), (*site).to_owned()));
            if !sites.contains(site) && !plan.new_sites.iter().any(|s| s == site) {
                plan.new_sites.push((*site).to_owned());
            }
        }
    }

    // Managers exist, and reporting lines do not loop.
    for p in people {
        let Some(m) = &p.profile.manager else {
            continue;
        };
        let key = m.to_ascii_lowercase();
        match (in_file.get(&key), existing.get(&key)) {
            (Some(mp), _) if mp.status() == Status::Left && p.status() != Status::Left => err(
                p.line,
                format!("column manager: {m} has left (line {})", mp.line),
            ),
            (Some(_), _) => {}
            (None, Some(e)) if !e.disabled && !e.service => {}
            _ => err(
                p.line,
                format!("column manager: no one named {m} in the file or the directory"),
            ),
        }
    }
    for p in people {
        let mut seen = BTreeSet::from([p.username.to_ascii_lowercase()]);
        let mut at = p.profile.manager.clone();
        while let Some(m) = at {
            let key = m.to_ascii_lowercase();
            if !seen.insert(key.clone()) {
                if key == p.username.to_ascii_lowercase() {
                    err(
                        p.line,
                        "column manager: the reporting line comes back to this person".into(),
                    );
                }
                break;
            }
            at = in_file.get(&key).and_then(|x| x.profile.manager.clone());
        }
    }

    // People: new, changed, leaving, back.
    for p in people {
        let key = p.username.to_ascii_lowercase();
        let Some(e) = existing.get(&key) else {
            if p.status() != Status::Left {
                plan.create.push(p.clone());
            }
            continue;
        };
        if e.service {
            err(
                p.line,
                format!("column username: {} is a service account", e.username),
            );
            continue;
        }
        let mut changes = Vec::new();
        let mut change = |field: &'static str, from: String, to: String| {
            if from != to {
                changes.push(Change { field, from, to });
            }
        };
        change(
            "display_name",
            e.display_name.clone(),
            p.display_name.clone(),
        );
        if p.team.is_some() {
            change(
                "team",
                e.team.clone().unwrap_or_default(),
                p.team.clone().unwrap_or_default(),
            );
        }
        let before = e.profile.clone().unwrap_or_default();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |d: &Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        change("email", opt(&before.email), opt(&p.profile.email));
        change("manager", opt(&before.manager), opt(&p.profile.manager));
        change(
            "hire_date",
            date(&before.hire_date),
            date(&p.profile.hire_date),
        );
        change(
            "job_level",
            opt(&before.job_level),
            opt(&p.profile.job_level),
        );
        change(
            "employment_status",
            before.status.map(|s| s.as_str()).unwrap_or("").to_owned(),
            p.status().as_str().to_owned(),
        );
        let roles = p.roles.as_ref().and_then(|granted| {
            let mut to: Vec<Role> = e
                .roles
                .iter()
                .copied()
                .filter(|r| !grantable(*r))
                .chain(granted.iter().copied())
                .collect();
            to.sort();
            to.dedup();
            (to != e.roles && !to.is_empty()).then_some(to)
        });
        if let Some(to) = &roles {
            change("roles", roles_text(&e.roles), roles_text(to));
        }
        if p.status() == Status::Left {
            if !e.disabled {
                plan.deactivate.push(Leaver {
                    username: e.username.clone(),
                    why: Leaving::Left,
                });
            }
        } else if e.disabled {
            if e.deactivated_by_import {
                plan.reactivate.push(e.username.clone());
            } else {
                plan.notes.push(format!(
                    "{} was deactivated by an admin and stays so; reactivate them on the Users page",
                    e.username
                ));
            }
        }
        if !changes.is_empty() {
            plan.update.push(Update {
                person: p.clone(),
                changes,
                roles,
            });
        }
    }
    let managed_active = current
        .people
        .iter()
        .filter(|e| e.profile.is_some() && !e.disabled && !e.service)
        .count();
    let mut not_in_file = 0;
    for e in &current.people {
        let key = e.username.to_ascii_lowercase();
        if e.profile.is_some() && !e.disabled && !e.service && !in_file.contains_key(&key) {
            not_in_file += 1;
            plan.deactivate.push(Leaver {
                username: e.username.clone(),
                why: Leaving::NotInFile,
            });
        }
    }
    for l in &plan.deactivate {
        let line = in_file
            .get(&l.username.to_ascii_lowercase())
            .map_or(1, |p| p.line);
        if actor.is_some_and(|a| a.eq_ignore_ascii_case(&l.username)) {
            err(
                line,
                format!("{}: you cannot deactivate yourself", l.username),
            );
        }
        if existing
            .get(&l.username.to_ascii_lowercase())
            .is_some_and(|e| e.last_case_key)
        {
            err(
                line,
                format!(
                    "{} holds the last key to a hotline case: hand their cases over before they leave",
                    l.username
                ),
            );
        }
    }
    if !leavers_confirmed && not_in_file > LEAVER_GUARD_MIN && not_in_file * 4 > managed_active {
        err(
            1,
            format!(
                "the file leaves out {not_in_file} of the {managed_active} people it manages; \
                 if they really left, confirm the leavers and import again"
            ),
        );
    }

    // Team leads from reporting lines, and the team tree from the leads.
    // Someone others report to (or reported to, before they left) speaks, with their own
    // manager, of the team above theirs: they do not count towards their own team's lead,
    // so a team whose members all left keeps its lead.
    let managers: BTreeSet<String> = people
        .iter()
        .filter_map(|p| p.profile.manager.as_deref().map(str::to_ascii_lowercase))
        .collect();
    let mut reports: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for p in people.iter().filter(|p| {
        p.status() != Status::Left && !managers.contains(&p.username.to_ascii_lowercase())
    }) {
        if let (Some(t), Some(m)) = (p.team.as_deref(), p.profile.manager.as_deref()) {
            *reports.entry(t).or_default().entry(m).or_default() += 1;
        }
    }
    // A username as the directory will spell it.
    let spelled = |u: &str| -> String {
        let key = u.to_ascii_lowercase();
        in_file
            .get(&key)
            .map(|p| p.username.clone())
            .or_else(|| existing.get(&key).map(|e| e.username.clone()))
            .unwrap_or_else(|| u.to_owned())
    };
    let team_of = |username: &str| -> Option<String> {
        let key = username.to_ascii_lowercase();
        match in_file.get(&key) {
            Some(p) if p.team.is_some() => p.team.clone(),
            _ => existing.get(&key).and_then(|e| e.team.clone()),
        }
    };
    let manager_of = |username: &str| -> Option<String> {
        let key = username.to_ascii_lowercase();
        match in_file.get(&key) {
            Some(p) => p.profile.manager.clone(),
            None => existing
                .get(&key)
                .and_then(|e| e.profile.as_ref())
                .and_then(|p| p.manager.clone()),
        }
    };
    let mut lead_of: BTreeMap<String, String> = current
        .teams
        .iter()
        .filter_map(|t| t.lead.clone().map(|l| (t.name.clone(), l)))
        .collect();
    for (team, managers) in &reports {
        let Some((lead, n)) = managers
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        else {
            continue;
        };
        let lead = spelled(lead);
        let total: usize = managers.values().sum();
        if *n < total {
            plan.notes.push(format!(
                "team {team}: {n} of its {total} people report to {lead}, who becomes its lead"
            ));
        }
        let now = teams.get(team).and_then(|t| t.lead.clone());
        if now.as_deref() != Some(lead.as_str()) {
            plan.leads.push(TeamChange {
                team: (*team).to_owned(),
                from: now,
                to: lead.clone(),
            });
        }
        lead_of.insert((*team).to_owned(), lead);
    }
    let mut parent: BTreeMap<String, String> = current
        .teams
        .iter()
        .filter_map(|t| t.parent.clone().map(|p| (t.name.clone(), p)))
        .collect();
    for team in reports.keys() {
        let Some(lead) = lead_of.get(*team) else {
            continue;
        };
        // The team sits below the lead's own team; a lead who is a member of the team
        // they lead sits, with it, below their own manager's team (or, for a manager
        // without one, the team that manager leads).
        let above = match team_of(lead).filter(|t| t != team) {
            Some(t) => Some(t),
            None => manager_of(lead).and_then(|m| {
                let m = spelled(&m);
                team_of(&m).filter(|t| t != team).or_else(|| {
                    lead_of
                        .iter()
                        .find(|(t, l)| **l == m && *t != team)
                        .map(|(t, _)| t.clone())
                })
            }),
        };
        let Some(above) = above else { continue };
        if parent.get(*team) == Some(&above) {
            continue;
        }
        // Walking up from the new parent must not reach this team.
        let mut at = Some(above.clone());
        let mut loops = false;
        let mut steps = 0;
        while let Some(t) = at {
            if t == *team || steps > parent.len() {
                loops = true;
                break;
            }
            steps += 1;
            at = parent.get(&t).cloned();
        }
        if loops {
            plan.notes.push(format!(
                "team {team} is not placed below {above}: that team already sits below it"
            ));
            continue;
        }
        plan.parents.push(TeamChange {
            team: (*team).to_owned(),
            from: parent.get(*team).cloned(),
            to: above.clone(),
        });
        parent.insert((*team).to_owned(), above);
    }

    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
