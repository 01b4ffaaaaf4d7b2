//! The demo organisation: three sites, twelve teams (a site operations team with three
//! floor teams under it per site), about 150 agents and every role. Passwords are random
//! and returned once, to be printed at creation.

use crate::{Ctx, Result};
use rand::seq::SliceRandom;
use rand::Rng;
use righttrack_core::{password, Role, Secret};
use righttrack_store::directory::{NewUser, User};
use serde_json::json;

use super::broken;

const FIRST: &[&str] = &[
    "Ana", "Bruno", "Carla", "Diego", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Luis", "Maya", "Nikhil", "Olga", "Paolo", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bea", "Chidi", "Dara", "Emil", "Fatima", "Gabe",
    "Hana", "Ivo", "Jade",
];
const LAST: &[&str] = &[
    "Silva",
    "Reyes",
    "Okafor",
    "Novak",
    "Tanaka",
    "Haddad",
    "Moreau",
    "Kowalski",
    "Santos",
    "Lindqvist",
    "Mensah",
    "Ortiz",
    "Park",
    "Rossi",
    "Schmidt",
    "Dubois",
    "Nguyen",
    "Costa",
    "Ibrahim",
    "Fischer",
];

fn password() -> Secret<String> {
    // Four words of a small list would be friendlier, but 16 base32 characters (80 bits)
    // need no word list in the binary.
    let mut b = [0u8; 10];
    rand::thread_rng().fill(&mut b);
    Secret::new(data_encoding::BASE32_NOPAD.encode(&b).to_lowercase())
}

/// The next person from the shuffled name pool, with the shared demo password.
async fn person(
    db: &righttrack_store::Db,
    names: &mut impl Iterator<Item = (String, String)>,
    password_hash: &str,
    team: righttrack_core::ids::TeamId,
    roles: Vec<Role>,
    now: jiff::Timestamp,
) -> Result<User> {
    let (f, l) = names.next().unwrap_or_default();
    let user = NewUser {
        username: format!("{}.{}", f.to_lowercase(), l.to_lowercase()),
        display_name: format!("{f} {l}"),
        password_hash: Some(password_hash.to_owned()),
        team: Some(team),
        roles,
    };
    Ok(db.create_user(user, now, &mut rand::rngs::OsRng).await?)
}

/// A demo account whose password is shown once.
pub struct DemoAccount {
    pub username: &'static str,
    pub role: &'static str,
    pub password: Secret<String>,
}

/// The organisation just created: the accounts to print, the named staff, and the
/// password every other demo user shares (and its hash, for people added later).
pub struct Org {
    pub accounts: Vec<DemoAccount>,
    pub staff: Vec<(&'static str, User)>,
    pub shared: Secret<String>,
    pub shared_hash: String,
}

impl Org {
    /// The named staff member `name` ("ethics", "investigator", ...).
    pub fn user(&self, name: &str) -> Option<&User> {
        self.staff.iter().find(|(n, _)| *n == name).map(|(_, u)| u)
    }

    /// The password of the named account `name`.
    pub fn password(&self, name: &str) -> Option<Secret<String>> {
        self.accounts
            .iter()
            .find(|a| a.username == name)
            .map(|a| a.password.clone())
    }
}

/// The named demo accounts, one role each: (username, display name, role, what the
/// sign-in list calls them).
const SPECIALS: [(&str, &str, Role, &str); 8] = [
    ("admin", "Avery Admin", Role::Admin, "admin"),
    (
        "ethics",
        "Eshe Ethics-Officer",
        Role::EthicsOfficer,
        "ethics officer",
    ),
    (
        "investigator",
        "Ivan Investigator",
        Role::Investigator,
        "investigator",
    ),
    (
        "custodian",
        "Cora Custodian",
        Role::IdentityCustodian,
        "identity custodian",
    ),
    (
        "committee",
        "Ada Audit-Committee",
        Role::AuditCommittee,
        "audit committee",
    ),
    ("qa", "Quinn QA-Analyst", Role::QaAnalyst, "QA analyst"),
    (
        "lead",
        "Lena Team-Lead",
        Role::TeamLead,
        "team lead (Lisbon Billing)",
    ),
    ("agent", "Alex Agent", Role::Agent, "agent (Lisbon Billing)"),
];

/// Creates the organisation when the database has no users yet (`None` otherwise).
pub async fn seed_people(ctx: &Ctx) -> Result<Option<Org>> {
    if ctx.db.count_users().await? > 0 {
        return Ok(None);
    }
    let now = ctx.now();
    let mut rng = rand::rngs::OsRng;
    let db = &ctx.db;
    let mut accounts = Vec::new();
    let mut named = |username: &'static str, role: &'static str| -> Result<String> {
        let pw = password();
        let phc = password::hash(&pw, &mut rng).map_err(broken)?;
        accounts.push(DemoAccount {
            username,
            role,
            password: pw,
        });
        Ok(phc)
    };
    let mut hashes = Vec::new();
    for (u, _, _, label) in &SPECIALS {
        hashes.push(named(u, label)?);
    }
    let shared = password();
    let shared_hash = password::hash(&shared, &mut rng).map_err(broken)?;

    let mut gen = rand::thread_rng();
    let mut name_pool: Vec<(String, String)> = FIRST
        .iter()
        .flat_map(|f| LAST.iter().map(move |l| (f.to_string(), l.to_string())))
        .collect();
    name_pool.shuffle(&mut gen);
    let mut names = name_pool.into_iter();

    let mut first_floor_team = None;
    for site in ["Lisbon", "Manila", "Austin"] {
        let site_id = db.create_site(site, now, &mut rng).await?;
        let ops = db
            .create_team(&format!("{site} Operations"), site_id, None, now, &mut rng)
            .await?;
        let manager = person(db, &mut names, &shared_hash, ops, vec![Role::TeamLead], now).await?;
        db.set_team_lead(ops, manager.id).await?;
        for floor in ["Billing", "Retention", "Technical Support"] {
            let team = db
                .create_team(
                    &format!("{site} {floor}"),
                    site_id,
                    Some(ops),
                    now,
                    &mut rng,
                )
                .await?;
            first_floor_team.get_or_insert(team);
            // Floor leads report into the site's operations team.
            let lead = person(
                db,
                &mut names,
                &shared_hash,
                ops,
                vec![Role::TeamLead, Role::Agent],
                now,
            )
            .await?;
            db.set_team_lead(team, lead.id).await?;
            for _ in 0..16 {
                person(db, &mut names, &shared_hash, team, vec![Role::Agent], now).await?;
            }
        }
    }
    let mut staff: Vec<(&'static str, righttrack_store::directory::User)> = Vec::new();
    for ((username, display, role, _), phc) in SPECIALS.into_iter().zip(hashes) {
        let team = if role == Role::Agent {
            first_floor_team
        } else {
            None
        };
        let u = db
            .create_user(
                NewUser {
                    username: username.into(),
                    display_name: display.into(),
                    password_hash: Some(phc),
                    team,
                    roles: vec![role],
                },
                now,
                &mut rng,
            )
            .await?;
        if username == "lead" {
            if let Some(t) = first_floor_team {
                db.set_team_lead(t, u.id).await?;
            }
        }
        staff.push((username, u));
    }
    Ok(Some(Org {
        accounts,
        staff,
        shared,
        shared_hash,
    }))
}

/// A deputy ethics officer (with the shared password), so policy versions can be approved
/// by someone other than their author, and a code of ethics a year into use.
pub async fn seed_policies(ctx: &Ctx, org: &Org, ethics: &User) -> Result<()> {
    let deputy = ctx
        .db
        .create_user(
            NewUser {
                username: "dana.deputy".into(),
                display_name: "Dana Deputy-Officer".into(),
                password_hash: Some(org.shared_hash.clone()),
                team: None,
                roles: vec![Role::EthicsOfficer],
            },
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    super::policies::seed(ctx, ethics, &deputy).await
}

/// Records that the demo was seeded, with how many users it has.
pub async fn record(ctx: &Ctx) -> Result<()> {
    ctx.audit(
        "cli",
        "demo.seeded",
        "",
        json!({"users": ctx.db.count_users().await?}),
    )
    .await?;
    Ok(())
}

/// Three narratives of the evidence binder, as the demo ethics officer wrote them (the
/// figures beside them are computed from the seeded data).
pub async fn seed_binder(ctx: &Ctx) -> Result<()> {
    const NARRATIVES: [(&str, &str); 3] = [
        (
            "policies.communication",
            "The code of ethics is assigned to every employee on their first day and again at each material revision. Attestation is due within 30 days; overdue people receive weekly reminders and their team lead is told after the second one.\n\nEvidence: the attestation report per policy (coverage by team, site and role) and the evidence CSV with the SHA-256 of the version each person attested.",
        ),
        (
            "reporting.channel",
            "The speak-up hotline is reachable without an account, from any phone, and never records addresses or cookies. Reporters may stay anonymous and follow up with their receipt. Reporting volume is compared with the NAVEX median every quarter and presented to the audit committee.",
        ),
        (
            "analytics.access",
            "Every customer interaction is scanned on arrival: conduct and disclosure rules, customer data redacted before storage, commitments tracked to their due date. QA analysts review what the engine flags; nothing is sampled.",
        ),
    ];
    for (key, text) in NARRATIVES {
        ctx.db
            .put_binder_narrative(key, text, "ethics", ctx.now())
            .await?;
        ctx.audit(
            "cli",
            "binder.narrative_saved",
            key,
            json!({"chars": text.chars().count(), "demo": true}),
        )
        .await?;
    }
    Ok(())
}
