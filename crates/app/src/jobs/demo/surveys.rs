//! Demo climate surveys for `righttrack serve --demo`: one survey (the built-in
//! instrument and a custom question) with two closed waves four and one months ago,
//! answered by a synthetic share of the agents per team, so that most teams show,
//! some are suppressed (too few answers, or withheld to protect them), one team is a
//! hot-spot, one team's climate falls between the waves (Lisbon Billing, the demo
//! lead's: the leadership story), comments are redacted, and the trend has two points; and a third wave,
//! open now, that the demo agent can answer.
//!
//! Answers are stored through the same store call as a real answer (invitation flipped,
//! anonymous response inserted), with the respondent's real reporting dimensions and
//! comments redacted by the same function; only the choice of answers is synthetic.

use crate::program::surveys::{dims_of, people_names, released};
use crate::{Ctx, Error, Result};
use rand::seq::SliceRandom;
use rand::Rng;
use righttrack_core::audience::Audience;
use righttrack_core::surveys::instrument::{builtin, parse_custom, redact_comment};
use righttrack_core::surveys::{Answers, Question, QuestionKind, Thresholds};
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::surveys::NewWave;
use serde_json::json;
use std::collections::BTreeMap;

const COMMENTS: &[&str] = &[
    "Targets at month end make people rush the disclosures.",
    "I trust my lead, but I am not sure HR would protect me.",
    "The speak-up poster in the break room helped me know where to go.",
    "Please stop the pressure to upsell to elderly customers.",
    "Good team, clear rules, and we talk about them.",
    "Call me on 415-555-0142 if you want details, I saw a refund promised that never came.",
    "{name} told us to skip the recording notice to save time.",
    "Mostly fine. Coaching on tricky calls would help.",
    "Someone who reported last year was moved to nights soon after.",
    "Write to me at jo.example@mailbox.test, I have more to say.",
];

fn pick_answer(q: &Question, favourable: bool, rng: &mut impl Rng) -> Option<String> {
    let choices: Vec<String> = q
        .choices()
        .into_iter()
        .filter(|c| q.favourable(c).is_none_or(|f| f == favourable))
        .collect();
    choices
        .choose(rng)
        .cloned()
        .or_else(|| q.choices().first().cloned())
}

fn synthetic(
    questions: &[Question],
    p: f64,
    comment: Option<String>,
    rng: &mut impl Rng,
) -> Answers {
    let mut a = Answers::new();
    for q in questions {
        if q.kind == QuestionKind::Comment {
            if let Some(c) = &comment {
                a.insert(q.key.clone(), c.clone());
            }
            continue;
        }
        // "Did you report it?" follows "did you see any?": most saw none.
        let fav = rng.gen_bool(p);
        if let Some(v) = pick_answer(q, fav, rng) {
            a.insert(q.key.clone(), v);
        }
    }
    a
}

/// Seeds the surveys. `officer` is the demo ethics officer.
pub async fn seed(ctx: &Ctx, officer: &User) -> Result<()> {
    let db = &ctx.db;
    let now = ctx.now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let days = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .unwrap_or(today)
    };
    let mut rng = rand::thread_rng();
    let mut questions = builtin();
    questions.extend(
        parse_custom("likert: Our schedules leave enough time to handle calls properly.")
            .map_err(|e| Error::internal(&e.join("; ")))?,
    );
    let survey = db
        .create_survey(
            "Ethics climate",
            &questions,
            &officer.username,
            now,
            &mut rng,
        )
        .await?;
    ctx.audit(
        "cli",
        "survey.created",
        &survey,
        json!({"questions": questions.len(), "builtin": true, "demo": true}),
    )
    .await?;

    let teams = db.list_teams().await?;
    let team_of: BTreeMap<_, _> = teams.iter().map(|t| (t.id, t)).collect();
    let audience = Audience {
        roles: vec![Role::Agent],
        ..Audience::default()
    };
    let members = db.audience_members(&audience).await?;
    let users = db.list_users().await?;
    let names = people_names(&users);
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let views: Vec<String> = ["site", "team", "role", "site_role"]
        .map(String::from)
        .to_vec();

    // (name, opens, closes, improvement): two closed waves, then one open now.
    let plan: [(&str, i64, i64, f64); 3] = [
        ("Spring pulse", -125, -111, 0.0),
        ("Summer pulse", -35, -21, 0.06),
        ("Autumn pulse", 0, 14, 0.0),
    ];
    for (wi, (name, opens, closes, better)) in plan.into_iter().enumerate() {
        let wave = NewWave {
            survey_id: survey.clone(),
            name: name.into(),
            opens_on: days(opens),
            closes_on: days(closes),
            audience: audience.clone(),
            views: views.clone(),
            thresholds: Thresholds::default(),
            created_by: officer.username.clone(),
        };
        let id = db.create_wave(&wave, now, &mut rng).await?;
        let invited: Vec<_> = members.iter().map(|u| u.id).collect();
        db.launch_wave(&id, &invited, now).await?;
        ctx.audit(
            "cli",
            "survey.wave_launched",
            &id,
            json!({"invited": invited.len(), "demo": true}),
        )
        .await?;
        if wi == 2 {
            continue;
        }
        // Per team: how many answer and how good the climate is.
        let mut by_team: BTreeMap<String, Vec<&User>> = BTreeMap::new();
        for u in &members {
            if u.username == "agent" {
                continue;
            }
            let team = u
                .team_id
                .and_then(|t| team_of.get(&t))
                .map_or(String::new(), |t| t.name.clone());
            by_team.entry(team).or_default().push(u);
        }
        for (team, people) in by_team {
            let (answering, p) = if team.ends_with("Manila Retention") {
                (14, 0.35)
            } else if team.ends_with("Austin Technical Support") {
                (3, 0.8)
            } else if team.ends_with("Operations") {
                (2, 0.8)
            } else if team.ends_with("Lisbon Billing") {
                // The leadership story: the demo lead's team, whose climate fell between
                // the two waves (her leadership view points the fall out).
                // 15 answer: more than any sibling, so never the one withheld to protect them.
                (15, if wi == 0 { 0.88 } else { 0.5 })
            } else if team.ends_with("Lisbon Retention") {
                (if wi == 0 { 4 } else { 9 }, 0.72)
            } else {
                (rng.gen_range(9..=14), rng.gen_range(0.72..0.86))
            };
            let mut people = people;
            people.shuffle(&mut rng);
            for u in people.into_iter().take(answering) {
                let team = u.team_id.and_then(|t| team_of.get(&t)).copied();
                let dims = dims_of(u, team, now);
                let comment = rng.gen_bool(0.45).then(|| {
                    let raw = COMMENTS.choose(&mut rng).copied().unwrap_or_default();
                    let named = users
                        .choose(&mut rng)
                        .map_or("A colleague", |x| x.display_name.as_str());
                    redact_comment(&engine, &raw.replace("{name}", named), &names)
                });
                let answers = synthetic(&questions, (p + better).min(0.97), comment, &mut rng);
                let day = days(rng.gen_range(opens..=closes));
                db.submit_survey_response(&id, u.id, day, &dims, &answers, &mut rng)
                    .await?;
            }
        }
        db.close_wave(&id, now).await?;
        ctx.audit(
            "cli",
            "survey.wave_closed",
            &id,
            json!({"why": "demo", "demo": true}),
        )
        .await?;
        if let Some(w) = db.wave(&id).await? {
            released(ctx, &w).await?;
        }
    }
    Ok(())
}
