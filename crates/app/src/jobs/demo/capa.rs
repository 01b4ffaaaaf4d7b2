//! Demo data of the program's audits, corrective actions, discipline and kudos: a monthly
//! PCI checklist per site (last month's Lisbon audit with one failed item and its
//! finding), a corrective action from a QA trend implemented long enough ago for its
//! metric to be judged, discipline decisions (enough comparable cases to show a
//! distribution, one deviation awaiting a second approver) and kudos (consented,
//! pending).
//!
//! Seeding acts as the demo people through the same functions as their pages; their
//! [`Caller`] is built here (a token caller with no real token: nothing here reads it).

use super::{broken, days_ago};
use crate::{Caller, Ctx, Result, Via};
use jiff::SignedDuration;
use rand::seq::SliceRandom;
use rand::Rng;
use righttrack_core::authz::Scope;
use righttrack_core::capa::{SourceKind, State, Step};
use righttrack_core::discipline::Sanction;
use righttrack_core::ids::TokenId;
use righttrack_store::capa::{Audit, Finding, Move, NewCapa, NewSchedule};
use righttrack_store::directory::User;
use righttrack_store::discipline::NewRecord;
use std::collections::BTreeMap;

const VALUES: &[&str] = &[
    "Integrity",
    "Respect",
    "Customer care",
    "Speaking up",
    "Fairness",
];
const CLASSES: &[&str] = &[
    "Data handling",
    "Customer mistreatment",
    "Fraud",
    "Harassment",
    "Attendance and conduct",
];
const PCI: &[&str] = &[
    "Clean desk: no card data on paper",
    "Call recording pauses during card capture",
    "No personal phones on the floor",
    "Card numbers masked in stored recordings",
    "Access badges worn and checked at the door",
];

/// `n` days.
pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n * 24)
}

/// The demo person `u` acting (see the module documentation).
pub fn caller(u: &User) -> Caller {
    Caller {
        user: u.clone(),
        via: Via::Token {
            id: TokenId::new_v7(jiff::Timestamp::UNIX_EPOCH, &mut rand::rngs::OsRng),
            scopes: vec![Scope::Admin],
            held_roles: u.roles.clone(),
        },
    }
}

/// The demo people who act here, and every user.
pub struct People {
    pub qa: User,
    pub lead: User,
    pub ethics: User,
    pub agent: User,
    pub users: Vec<User>,
}

/// Loads the demo people (an error when one is missing).
pub async fn people(ctx: &Ctx) -> Result<People> {
    let users = ctx.db.list_users().await?;
    let get = |n: &str| {
        users
            .iter()
            .find(|u| u.username == n)
            .cloned()
            .ok_or_else(|| broken(format!("demo user {n} missing")))
    };
    Ok(People {
        qa: get("qa")?,
        lead: get("lead")?,
        ethics: get("ethics")?,
        agent: get("agent")?,
        users,
    })
}

/// The conduct values and violation classes, the monthly PCI checklist scheduled at every
/// site a month ago and the audits that creates; returns the audits.
pub async fn seed_audits(ctx: &Ctx, p: &People) -> Result<Vec<Audit>> {
    let now = ctx.now();
    let db = &ctx.db;
    let mut rng = rand::rngs::OsRng;
    let qa = &p.qa;
    for v in VALUES {
        db.add_conduct_value(v, now).await?;
    }
    for c in CLASSES {
        db.add_violation_class(c, now).await?;
    }

    // Audits: a monthly PCI checklist per site, started a month ago.
    let tid = crate::program::capa::audits::create_template(
        ctx,
        &caller(qa),
        "Monthly PCI checklist",
        &PCI.join("\n"),
    )
    .await?;
    for site in db.list_sites().await? {
        db.create_audit_schedule(
            &NewSchedule {
                template_id: tid.clone(),
                site_name: Some(site.name.clone()),
                every_months: 1,
                first_due: days_ago(now, 25),
                auditor: Some("qa".into()),
                by_user: "qa".into(),
                at: now,
            },
            &mut rng,
        )
        .await?;
    }
    crate::program::capa::sweep(ctx, now).await?;
    Ok(db.audits(now, 100).await?)
}

/// Completes audit `a` as the QA analyst: every item passes except, in Lisbon, the phones
/// on desks. Returns the findings that leaves (the Lisbon audit's one).
pub async fn complete_audit(ctx: &Ctx, qa: &User, a: &Audit) -> Result<Vec<Finding>> {
    let lisbon = a.site_name.as_deref() == Some("Lisbon");
    let mut answers = BTreeMap::new();
    for i in 0..PCI.len() {
        let pos = i64::try_from(i).unwrap_or(0);
        answers.insert(
            pos,
            if lisbon && i == 2 {
                (
                    "fail".to_owned(),
                    "Two personal phones on desks in row 3 during card capture".to_owned(),
                )
            } else {
                ("pass".to_owned(), String::new())
            },
        );
    }
    crate::program::capa::audits::complete(ctx, &caller(qa), &a.id, &answers).await?;
    if !lisbon {
        return Ok(Vec::new());
    }
    Ok(ctx
        .db
        .audit(&a.id, ctx.now())
        .await?
        .map(|(_, _, findings)| findings)
        .unwrap_or_default())
}

/// The corrective action from a QA trend, the discipline decisions and the kudos. Returns
/// how many corrective actions and discipline decisions were made.
pub async fn seed_the_rest(ctx: &Ctx, p: &People) -> Result<(usize, usize)> {
    let now = ctx.now();
    let db = &ctx.db;
    let mut rng = rand::rngs::OsRng;
    let (qa, lead, ethics, agent) = (&p.qa, &p.lead, &p.ethics, &p.agent);
    let users = &p.users;
    let mut capas = 0;
    // A CAPA from a QA trend, implemented 70 days ago with a 60-day metric: the verdict
    // is computed from the demo interactions.
    let (n, hits) = db.rule_hits(days_ago(now, 90), now).await?;
    if let Some((rule, _)) = hits.iter().max_by_key(|(_, h)| **h) {
        let created = days_ago(now, 75);
        let before = db
            .rule_count(
                rule,
                created.checked_sub(days(15)).unwrap_or(created),
                created,
            )
            .await?;
        let base = righttrack_core::capa::rate_per_1000(before.1, before.0)
            .or(righttrack_core::capa::rate_per_1000(
                *hits.get(rule).unwrap_or(&0),
                n,
            ))
            .unwrap_or(10.0);
        let (id, _) = db
            .create_capa(
                &NewCapa {
                    title: format!("Coach the floor on rule {rule}"),
                    source_kind: SourceKind::QaTrend,
                    source_ref: rule.clone(),
                    source_label: format!("Violation rate of rule {rule}"),
                    subject: rule.clone(),
                    site_name: None,
                    rule: Some(rule.clone()),
                    owner: "qa".into(),
                    due_at: now.checked_add(days(10)).unwrap_or(now),
                    metric: Some((rule.clone(), (base * 1.25).max(1.0), 60)),
                    created_by: "qa".into(),
                    created_at: created,
                },
                &mut rng,
            )
            .await?;
        let steps = [
            (
                Step::Analyse,
                State::Open,
                State::Analysed,
                74,
                "Agents skip the step under time pressure.",
            ),
            (
                Step::Plan,
                State::Analysed,
                State::Planned,
                72,
                "Refresher module and a reminder in the call script.",
            ),
            (
                Step::Implement,
                State::Planned,
                State::Implemented,
                70,
                "Module delivered to every team.",
            ),
        ];
        for (step, from, to, ago, text) in steps {
            let m = match step {
                Step::Analyse => Move {
                    root_cause: Some(text.into()),
                    ..Default::default()
                },
                Step::Plan => Move {
                    plan: Some(text.into()),
                    ..Default::default()
                },
                _ => Move {
                    note: Some(text.into()),
                    ..Default::default()
                },
            };
            db.move_capa(&id, from, to, step, &m, "qa", days_ago(now, ago), &mut rng)
                .await?;
        }
        capas += 1;
    }

    // Discipline: earlier decisions by the floor leads, then one deviation by `lead`.
    let leads: Vec<&User> = users
        .iter()
        .filter(|u| u.has(righttrack_core::Role::TeamLead) && u.username != "lead")
        .collect();
    let agents: Vec<&User> = users
        .iter()
        .filter(|u| u.roles == vec![righttrack_core::Role::Agent] && u.username != "agent")
        .collect();
    let teams = db.list_teams().await?;
    let mut g = rand::thread_rng();
    let mut records = 0;
    let plan: [(&str, i64, &[Sanction]); 3] = [
        (
            "Data handling",
            2,
            &[
                Sanction::VerbalWarning,
                Sanction::VerbalWarning,
                Sanction::WrittenWarning,
                Sanction::VerbalWarning,
                Sanction::Coaching,
                Sanction::WrittenWarning,
                Sanction::VerbalWarning,
                Sanction::VerbalWarning,
            ],
        ),
        ("Attendance and conduct", 1, &[Sanction::Coaching; 7]),
        (
            "Customer mistreatment",
            3,
            &[
                Sanction::WrittenWarning,
                Sanction::FinalWarning,
                Sanction::WrittenWarning,
                Sanction::FinalWarning,
                Sanction::WrittenWarning,
                Sanction::FinalWarning,
            ],
        ),
    ];
    for (class, severity, sanctions) in plan {
        for s in sanctions {
            let (Some(subject), Some(maker)) = (agents.choose(&mut g), leads.choose(&mut g)) else {
                continue;
            };
            let team = subject
                .team_id
                .and_then(|t| teams.iter().find(|x| x.id == t));
            let at = days_ago(now, g.gen_range(20..170));
            db.record_discipline(
                &NewRecord {
                    subject: subject.username.clone(),
                    site_name: team.map(|t| t.site_name.clone()),
                    team_name: team.map(|t| t.name.clone()),
                    role_level: "agent".into(),
                    violation_class: class.into(),
                    severity,
                    aggravating: Vec::new(),
                    mitigating: vec!["cooperated".into()],
                    prior_records: 0,
                    sanction: *s,
                    comparable_cases: 0,
                    comparable_median: None,
                    deviation: false,
                    rationale: None,
                    decided_by: maker.username.clone(),
                    decided_at: at,
                },
                &mut rng,
            )
            .await?;
            records += 1;
        }
    }
    let r = crate::program::discipline::record(
        ctx,
        &caller(lead),
        &crate::program::discipline::Input {
            subject: "agent".into(),
            class: "Data handling".into(),
            severity: "2".into(),
            aggravating: vec!["customer_harm".into()],
            mitigating: Vec::new(),
            sanction: "final_warning".into(),
            rationale: "Card details were written down and left on the desk overnight.".into(),
        },
    )
    .await?;
    if r.is_ok() {
        records += 1;
    }

    // Kudos: one consented, one pending the recipient's consent.
    let k = crate::program::kudos::give(
        ctx,
        &caller(qa),
        "agent",
        "Customer care",
        "Stayed on the line until the customer's refund was confirmed.",
    )
    .await?;
    crate::program::kudos::set_visibility(ctx, &caller(agent), &k, "visible").await?;
    crate::program::kudos::give(
        ctx,
        &caller(ethics),
        "agent",
        "Integrity",
        "Corrected a colleague's note that overctxd a customer's consent.",
    )
    .await?;
    Ok((capas, records))
}
