//! `--demo`: the code of ethics a year into use. Version 1 (material) was published a
//! year ago and nearly everyone attested it; version 2 (material: a lower gift limit,
//! AI tools, vulnerable customers; a clause on personal phones dropped) was published
//! 40 days ago with 30 days to attest, so most people have attested, some failed the
//! quiz first, and the rest are overdue. The gift question is the one people get wrong.
//! Version 3 (editorial) waits for approval by the other officer. Written through the
//! store with explicit past times (the handlers would stamp everything "now").

use super::broken;
use crate::{Ctx, Result};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use righttrack_core::audience::Audience;
use righttrack_core::policies::{self as rules, Kind, Status};
use righttrack_store::directory::User;
use righttrack_store::policies::NewPolicy;
use serde_json::json;

fn days_ago(now: Timestamp, d: i64) -> Timestamp {
    now.checked_sub(SignedDuration::from_hours(d * 24))
        .unwrap_or(now)
}

/// Version 1: the sample as it read before version 2.
fn v1_text() -> String {
    rules::SAMPLE_CODE
        .replace(
            "a token value of 25 (in local currency)",
            "a token value of 50 (in local currency)",
        )
        .replace(
            "messaging apps or unapproved tools, including AI tools.",
            "messaging apps or unapproved tools.\n\n3.6 Personal phones stay in the lockers on the contact-centre floor.",
        )
        .replace(
            "4.2 We take extra care with customers who may be vulnerable (bereaved, ill, in financial\ndifficulty, or confused), and offer them the support our procedures describe.\n\n",
            "",
        )
}

/// Seeds the demo's code of ethics history. `ethics` and `deputy` are the two officers.
pub async fn seed(ctx: &Ctx, ethics: &User, deputy: &User) -> Result<()> {
    let db = &ctx.db;
    let now = ctx.now();
    let mut rng = rand::rngs::OsRng;
    let mut gen = rand::thread_rng();
    let quiz = rules::parse_quiz(rules::SAMPLE_QUIZ).map_err(broken)?;
    let v1_quiz: Vec<_> = quiz.iter().take(4).cloned().collect();
    let slug = rules::slug(rules::SAMPLE_CODE_TITLE);
    // A fresh start seeded the sample as a draft; the demo replaces it with a history.
    let policy = match db.policy(&slug).await? {
        Some(p) => p,
        None => {
            db.create_policy(
                &NewPolicy {
                    slug: slug.clone(),
                    title: rules::SAMPLE_CODE_TITLE.into(),
                    audience: Audience::everyone(),
                    attest_days: 30,
                    pass_mark: rules::DEFAULT_PASS_MARK,
                    by: "system".into(),
                    body: rules::SAMPLE_CODE.into(),
                    summary: String::new(),
                    quiz: quiz.clone(),
                },
                days_ago(now, 400),
                &mut rng,
            )
            .await?;
            db.policy(&slug)
                .await?
                .ok_or_else(|| broken("demo policy missing"))?
        }
    };
    let Some(v1) = db
        .versions(&policy.id)
        .await?
        .into_iter()
        .find(|v| v.number == 1 && v.status == Status::Draft)
    else {
        return Ok(()); // Already has a history.
    };
    let members = db.audience_members(&policy.audience).await?;

    // Version 1, a year ago: written from the sample by the deputy, approved and
    // published by the ethics officer.
    let at = days_ago(now, 366);
    db.save_draft(
        &v1.id,
        Kind::Material,
        "First code of ethics.",
        &v1_text(),
        &v1_quiz,
        &deputy.username,
    )
    .await?;
    db.step_version(
        &v1.id,
        Status::Draft,
        Status::InReview,
        &deputy.username,
        at,
    )
    .await?;
    db.step_version(
        &v1.id,
        Status::InReview,
        Status::Approved,
        &ethics.username,
        at,
    )
    .await?;
    let published = days_ago(now, 365);
    let due = rules::due(published, 30);
    db.publish_version(
        &v1.id,
        &ethics.username,
        published,
        &rules::version_hash(&v1_text()),
        Some(due),
    )
    .await?;
    let ids: Vec<_> = members.iter().map(|u| u.id).collect();
    db.assign(&v1.id, &ids, published, due).await?;
    let v1 = db.version(&v1.id).await?.ok_or_else(|| broken("v1"))?;
    for u in &members {
        if gen.gen_bool(0.04) {
            continue; // Never attested version 1.
        }
        let when = published
            .checked_add(SignedDuration::from_mins(gen.gen_range(60..(34 * 24 * 60))))
            .unwrap_or(published);
        let answers: Vec<Option<usize>> = v1_quiz.iter().map(|q| Some(q.correct)).collect();
        let score = rules::score(&v1_quiz, &answers, 80).map_err(broken)?;
        let attempt = db
            .record_attempt(&v1.id, u.id, &score, "web", when, &mut rng)
            .await?;
        db.attest(
            &v1.id,
            u.id,
            &v1,
            "web",
            Some(score.percent),
            Some(&attempt),
            when,
            &mut rng,
        )
        .await?;
    }

    // Version 2, 40 days ago: the sample text, material, with the gift question.
    let v2_id = db
        .new_draft(&policy.id, &ethics.username, days_ago(now, 60), &mut rng)
        .await?;
    let summary = "Gift limit lowered from 50 to 25; no AI tools for customer data; new clause on vulnerable customers; personal-phone rule moved to the floor procedures.";
    db.save_draft(
        &v2_id,
        Kind::Material,
        summary,
        rules::SAMPLE_CODE,
        &quiz,
        &ethics.username,
    )
    .await?;
    db.step_version(
        &v2_id,
        Status::Draft,
        Status::InReview,
        &ethics.username,
        days_ago(now, 45),
    )
    .await?;
    db.step_version(
        &v2_id,
        Status::InReview,
        Status::Approved,
        &deputy.username,
        days_ago(now, 42),
    )
    .await?;
    let published = days_ago(now, 40);
    let due = rules::due(published, 30);
    db.publish_version(
        &v2_id,
        &ethics.username,
        published,
        &rules::version_hash(rules::SAMPLE_CODE),
        Some(due),
    )
    .await?;
    db.assign(&v2_id, &ids, published, due).await?;
    let v2 = db.version(&v2_id).await?.ok_or_else(|| broken("v2"))?;
    let mut attested = 0;
    for u in &members {
        // The demo's own agent is left to do it (and is overdue).
        if u.username == "agent" || gen.gen_bool(0.22) {
            continue;
        }
        let mut when = published
            .checked_add(SignedDuration::from_mins(gen.gen_range(60..(38 * 24 * 60))))
            .unwrap_or(published);
        loop {
            // Half of first answers to the gift question (the fifth) are wrong; the
            // others are mostly right.
            let answers: Vec<Option<usize>> = quiz
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    let p_wrong = if i == 4 { 0.5 } else { 0.06 };
                    if gen.gen_bool(p_wrong) {
                        Some((q.correct + 1) % q.choices.len())
                    } else {
                        Some(q.correct)
                    }
                })
                .collect();
            let score = rules::score(&quiz, &answers, 80).map_err(broken)?;
            let attempt = db
                .record_attempt(&v2_id, u.id, &score, "web", when, &mut rng)
                .await?;
            if score.passed {
                db.attest(
                    &v2_id,
                    u.id,
                    &v2,
                    "web",
                    Some(score.percent),
                    Some(&attempt),
                    when,
                    &mut rng,
                )
                .await?;
                attested += 1;
                break;
            }
            when = when
                .checked_add(SignedDuration::from_mins(gen.gen_range(5..600)))
                .unwrap_or(when);
        }
    }

    // Version 3: an editorial fix by the deputy, waiting for the ethics officer.
    let v3 = db
        .new_draft(&policy.id, &deputy.username, days_ago(now, 2), &mut rng)
        .await?;
    let v3_text = rules::SAMPLE_CODE.replace(
        "or the speak-up hotline, which you can use\nanonymously.",
        "or the speak-up hotline (Speak up, in the menu), which you can use\nanonymously.",
    );
    db.save_draft(
        &v3,
        Kind::Editorial,
        "Says where to find the speak-up hotline.",
        &v3_text,
        &quiz,
        &deputy.username,
    )
    .await?;
    db.step_version(
        &v3,
        Status::Draft,
        Status::InReview,
        &deputy.username,
        days_ago(now, 1),
    )
    .await?;
    ctx.audit(
        "cli",
        "demo.policies_seeded",
        &policy.id,
        json!({"versions": 3, "assigned": members.len(), "attested_v2": attested}),
    )
    .await?;
    Ok(())
}
