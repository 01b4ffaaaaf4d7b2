//! Demo training: the built-in yearly data-privacy course and a code-of-conduct course
//! assigned by rules two months ago, an anti-money-laundering course taken in an
//! "external LMS" whose completions arrive by CSV import, a year of realistic
//! completions (so the trend has a shape), some people overdue, and one QA analyst,
//! `petra.lapsed`, whose data-privacy training expired last month: the privacy vault
//! and case content refuse her until she retakes it.

use super::{broken, days_ago as ago};
use crate::{Ctx, Result};
use jiff::Timestamp;
use rand::Rng;
use righttrack_core::audience::Audience;
use righttrack_core::ids::UserId;
use righttrack_core::training::{expires_at, verification_code, Quiz};
use righttrack_core::Role;
use righttrack_store::directory::NewUser;

use righttrack_store::training::{CourseInput, NewCompletion, NewRule};
use std::fmt::Write;

const CONDUCT: &str = "Our code of conduct in one page: treat customers and colleagues fairly, tell the truth about our products, never pressure a customer, and speak up when something is wrong.

## Speaking up
You can report a concern to your team lead, to the ethics office, or anonymously through the **speak-up hotline**. Retaliation against anyone who reports in good faith is itself a breach of this code.

## Gifts and conflicts
- Do not accept gifts worth more than a meal.
- Tell the ethics office about any relationship that could look like a conflict of interest.";

const CONDUCT_QUIZ: &str = "? A customer offers you a gift card for good service. What do you do?
- Accept it; you earned it
* Politely decline, and tell your team lead if they insist
- Accept it and share it with the team

? Who may report a concern through the speak-up hotline?
- Only team leads
* Anyone, also anonymously

? A colleague is treated badly after reporting a concern. What is that?
- A private matter between them
* Retaliation, itself a breach of the code
";

/// A demo completion: a quiz passed at `at` with `score`, valid for `months`.
pub(super) fn record(
    course: String,
    user: UserId,
    at: Timestamp,
    months: Option<i64>,
    score: Option<i64>,
) -> NewCompletion {
    NewCompletion {
        course_id: course,
        user_id: user,
        completed_at: at,
        expires_at: expires_at(at, months),
        score,
        source: "quiz",
        note: String::new(),
        recorded_by: "demo".into(),
        verification: verification_code(&mut rand::rngs::OsRng),
    }
}

/// Seeds courses, rules and a year of completions (before the hotline cases: their
/// workers need current privacy training).
pub async fn seed(ctx: &Ctx) -> Result<()> {
    let db = &ctx.db;
    let now = ctx.now();
    let mut rng = rand::rngs::OsRng;
    let mut gen = rand::thread_rng();
    let privacy = db
        .training_course("data-privacy")
        .await?
        .ok_or_else(|| broken("the built-in data-privacy course is missing"))?;
    let conduct = db
        .create_training_course(
            &CourseInput {
                code: "code-of-conduct".into(),
                title: "Code of conduct".into(),
                content: CONDUCT.into(),
                quiz: Quiz::parse(CONDUCT_QUIZ).map_err(broken)?,
                pass_mark: 100,
                validity_months: Some(24),
                grants_data_access: false,
                external: false,
            },
            ago(now, 70),
            &mut rng,
        )
        .await?;
    db.create_training_course(
        &CourseInput {
            code: "aml-basics".into(),
            title: "Anti-money-laundering basics (external LMS)".into(),
            content: "Taken in the group's learning platform; completions are imported nightly."
                .into(),
            quiz: Quiz::default(),
            pass_mark: 70,
            validity_months: Some(12),
            grants_data_access: false,
            external: true,
        },
        ago(now, 70),
        &mut rng,
    )
    .await?;
    // Rules made two months ago, so those who never completed are now overdue.
    let assigned = ago(now, 60);
    let floor = Audience {
        roles: vec![Role::Agent, Role::TeamLead],
        ..Default::default()
    };
    // Privacy for everyone and conduct for the floor within 30 days; privacy within 14
    // days of a hire.
    for (course_id, audience, due_days, on_hire) in [
        (&privacy.id, &Audience::everyone(), 30, false),
        (&conduct, &floor, 30, false),
        (&privacy.id, &Audience::everyone(), 14, true),
    ] {
        db.create_training_rule(
            &NewRule {
                course_id,
                audience,
                due_days,
                on_hire,
                created_by: "ethics",
            },
            assigned,
            &mut rng,
        )
        .await?;
    }
    db.sync_training_assignments(assigned).await?;

    let staff = [
        "admin",
        "ethics",
        "investigator",
        "custodian",
        "committee",
        "qa",
        "lead",
        "agent",
    ];
    let mut lms = String::from("username,course,completed_at,score\n");
    for u in db.list_users().await? {
        let named = staff.contains(&u.username.as_str());
        // Data privacy: the named demo accounts completed it a few weeks ago; of the
        // rest, most completed it during the year, some let it lapse, some never did.
        let roll: u32 = gen.gen_range(0..100);
        let privacy_at = if named {
            Some(ago(now, gen.gen_range(20..50)))
        } else if roll < 72 {
            Some(ago(now, gen.gen_range(5..330)))
        } else if roll < 82 {
            Some(ago(now, gen.gen_range(370..420)))
        } else {
            None
        };
        if let Some(at) = privacy_at {
            let score = Some([67, 100, 100, 100][gen.gen_range(0..4)].max(privacy.pass_mark));
            db.add_training_completion(
                &record(privacy.id.clone(), u.id, at, privacy.validity_months, score),
                now,
                &mut rng,
            )
            .await?;
        }
        if u.has(Role::Agent) || u.has(Role::TeamLead) {
            if gen.gen_range(0..100) < 65 && u.username != "agent" {
                let at = ago(now, gen.gen_range(3..55));
                db.add_training_completion(
                    &record(conduct.clone(), u.id, at, Some(24), Some(100)),
                    now,
                    &mut rng,
                )
                .await?;
            }
            if gen.gen_range(0..100) < 50 {
                let at = ago(now, gen.gen_range(10..200));
                let _ = writeln!(
                    lms,
                    "{},aml-basics,{},{}",
                    u.username,
                    at.strftime("%Y-%m-%d"),
                    gen.gen_range(70..101)
                );
            }
        }
    }
    let report = crate::program::training::import_csv(ctx, "demo", &lms).await?;
    if !report.errors.is_empty() {
        return Err(broken(format!(
            "demo LMS import refused lines: {:?}",
            report.errors
        )));
    }

    Ok(())
}

/// One QA analyst, `petra.lapsed` (the password of every other demo user), whose yearly
/// data-privacy training expired a month ago: the vault refuses her originals. Made after
/// the demo's disputes, which would otherwise be routed to her. Then today's reminders.
pub async fn seed_lapsed(ctx: &Ctx) -> Result<()> {
    let db = &ctx.db;
    let now = ctx.now();
    let mut rng = rand::rngs::OsRng;
    let privacy = db
        .training_course("data-privacy")
        .await?
        .ok_or_else(|| broken("the built-in data-privacy course is missing"))?;
    // Any generated agent carries the shared password's hash.
    let Some(peer) = db
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.username.contains('.') && u.has(Role::Agent))
    else {
        return Ok(());
    };
    let hash = db
        .credentials(peer.id)
        .await?
        .password_hash
        .map(|h| h.expose().clone());
    let lapsed = db
        .create_user(
            NewUser {
                username: "petra.lapsed".into(),
                display_name: "Petra Lapsed".into(),
                password_hash: hash,
                team: None,
                roles: vec![Role::QaAnalyst],
            },
            ago(now, 400),
            &mut rng,
        )
        .await?;
    db.sync_training_assignments(ago(now, 60)).await?;
    let done = ago(now, 396);
    db.add_training_completion(
        &record(
            privacy.id.clone(),
            lapsed.id,
            done,
            privacy.validity_months,
            Some(100),
        ),
        now,
        &mut rng,
    )
    .await?;
    // Today's reminders and escalations, so the home pages show them.
    crate::program::training::remind(ctx, now).await?;
    Ok(())
}
