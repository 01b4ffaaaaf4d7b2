//! `--demo`: the code of ethics a year into use. Version 1 (material) was published a
//! year ago and nearly everyone attested it; version 2 (material: a lower gift limit,
//! AI tools, vulnerable customers; a clause on personal phones dropped) was published
//! 40 days ago with 30 days to attest, so most people have attested, some failed the
//! quiz first, and the rest are overdue. The gift question is the one people get wrong.
//! Version 3 (editorial) waits for approval by the other officer. Written through the
//! store with explicit past times (the handlers would stamp everything "now").

use super::{broken, days_ago};
use crate::{Ctx, Result};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use righttrack_core::audience::Audience;
use righttrack_core::ids::UserId;
use righttrack_core::policies::{self as rules, Kind, Status};
use righttrack_store::directory::User;
use righttrack_store::policies::{NewPolicy, Version};
use righttrack_store::Db;
use serde_json::json;

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

/// What a version says: the text its author saves before sending it for review.
struct Draft<'a> {
    kind: Kind,
    summary: &'a str,
    body: &'a str,
    quiz: &'a [rules::Question],
}

/// Saves `draft` into version `id` as `author` and sends it for review at `at`.
async fn submit(db: &Db, id: &str, draft: &Draft<'_>, author: &User, at: Timestamp) -> Result<()> {
    let by = &author.username;
    db.save_draft(id, draft.kind, draft.summary, draft.body, draft.quiz, by)
        .await?;
    db.step_version(id, Status::Draft, Status::InReview, by, at)
        .await?;
    Ok(())
}

/// Approves version `id` (who, when), publishes it (who, when) with 30 days to attest
/// and assigns it to `people`; returns the published version.
async fn publish(
    db: &Db,
    id: &str,
    draft: &Draft<'_>,
    (approver, approved): (&User, Timestamp),
    (publisher, published): (&User, Timestamp),
    people: &[UserId],
) -> Result<Version> {
    db.step_version(
        id,
        Status::InReview,
        Status::Approved,
        &approver.username,
        approved,
    )
    .await?;
    let due = rules::due(published, 30);
    let hash = rules::version_hash(draft.body);
    db.publish_version(id, &publisher.username, published, &hash, Some(due))
        .await?;
    db.assign(id, people, published, due).await?;
    db.version(id)
        .await?
        .ok_or_else(|| broken(format!("published version {id} missing")))
}

/// Records `user`'s quiz `answers` to version `v` at `when`, and their attestation if
/// they passed (the pass mark the demo policy uses); returns whether they passed.
async fn take_quiz(
    db: &Db,
    v: &Version,
    quiz: &[rules::Question],
    user: &User,
    answers: &[Option<usize>],
    when: Timestamp,
    rng: &mut impl rand::RngCore,
) -> Result<bool> {
    let score = rules::score(quiz, answers, 80).map_err(broken)?;
    let attempt = db
        .record_attempt(&v.id, user.id, &score, "web", when, rng)
        .await?;
    if score.passed {
        let percent = Some(score.percent);
        db.attest(&v.id, user.id, v, "web", percent, Some(&attempt), when, rng)
            .await?;
    }
    Ok(score.passed)
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
    let v1_draft = Draft {
        kind: Kind::Material,
        summary: "First code of ethics.",
        body: &v1_text(),
        quiz: &v1_quiz,
    };
    submit(db, &v1.id, &v1_draft, deputy, at).await?;
    let ids: Vec<_> = members.iter().map(|u| u.id).collect();
    let published = days_ago(now, 365);
    let v1 = publish(
        db,
        &v1.id,
        &v1_draft,
        (ethics, at),
        (ethics, published),
        &ids,
    )
    .await?;
    for u in &members {
        if gen.gen_bool(0.04) {
            continue; // Never attested version 1.
        }
        let when = published
            .checked_add(SignedDuration::from_mins(gen.gen_range(60..(34 * 24 * 60))))
            .unwrap_or(published);
        // Everyone who attested version 1 answered its quiz right.
        let answers: Vec<Option<usize>> = v1_quiz.iter().map(|q| Some(q.correct)).collect();
        take_quiz(db, &v1, &v1_quiz, u, &answers, when, &mut rng).await?;
    }

    // Version 2, 40 days ago: the sample text, material, with the gift question.
    let v2_id = db
        .new_draft(&policy.id, &ethics.username, days_ago(now, 60), &mut rng)
        .await?;
    let v2_draft = Draft {
        kind: Kind::Material,
        summary: "Gift limit lowered from 50 to 25; no AI tools for customer data; new clause on vulnerable customers; personal-phone rule moved to the floor procedures.",
        body: rules::SAMPLE_CODE,
        quiz: &quiz,
    };
    submit(db, &v2_id, &v2_draft, ethics, days_ago(now, 45)).await?;
    let published = days_ago(now, 40);
    let approved = (deputy, days_ago(now, 42));
    let v2 = publish(db, &v2_id, &v2_draft, approved, (ethics, published), &ids).await?;
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
            if take_quiz(db, &v2, &quiz, u, &answers, when, &mut rng).await? {
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
    let v3_draft = Draft {
        kind: Kind::Editorial,
        summary: "Says where to find the speak-up hotline.",
        body: &v3_text,
        quiz: &quiz,
    };
    submit(db, &v3, &v3_draft, deputy, days_ago(now, 1)).await?;
    ctx.audit(
        "cli",
        "demo.policies_seeded",
        &policy.id,
        json!({"versions": 3, "assigned": members.len(), "attested_v2": attested}),
    )
    .await?;
    Ok(())
}
