//! Demo interactions: about 9,000 calls, chats and emails over the last twelve months
//! (5,000 of them in the last 90 days), handled by the demo agents, with the mix of good
//! and bad conduct a real floor has (missing recording notices, account details before
//! verification, guarantees, pressure, the odd rude remark, card numbers read out,
//! promises to call back). They go through the same pipeline as ingestion: scanned,
//! redacted, scored, commitments extracted.
//!
//! The year tells a story the dashboard and fairness pages can show: five months ago
//! half the agents took an "Honest selling" course, and their guarantees fell from one
//! call in ten to one in fifty; the second floor team takes most of the hostile
//! customers, and one agent of the first team takes far more than anyone; one agent in
//! five works evenings.
//!
//! About 60% of them were followed by a customer survey, and about one in five of those
//! was answered: CSAT follows the interaction's score (a rude or pushy call gets a poor
//! rating), NPS follows CSAT, and some answers carry a comment, scrubbed and screened
//! like a real one (a few customers type their card number into the box).

use crate::interactions::prepare_line;
use crate::{Ctx, Error, Result};
use rand::seq::SliceRandom;
use rand::Rng;
use righttrack_core::feedback::{new_token, screen_comment, token_hash};
use righttrack_core::interactions::Prepared;
use righttrack_store::feedback::NewFeedback;

const REASONS: &[&str] = &[
    "I was charged twice for the same order",
    "my refund still hasn't arrived",
    "I want to close my account",
    "I need to update my address on file",
    "there's a fee on my statement I don't recognise",
    "my card was declined at the store yesterday",
    "I'd like to dispute a transaction",
    "I never received the replacement card",
];

const RESOLUTIONS: &[&str] = &[
    "Thanks for your patience, I've raised a dispute for the duplicate charge.",
    "I've updated that for you and added a note to the account.",
    "I've escalated this to our billing team with all the details.",
    "I've cancelled the old card and ordered a new one.",
];

const BAD: &[&str] = &[
    "I guarantee you'll have the money back by Friday, no question about it.",
    "This offer is only available if you sign up right now, today only, so you need to decide now.",
    "Honestly, that's a stupid question, just read the letter we sent.",
];

const PROMISES: &[&str] = &[
    "I'll call you back tomorrow before 5pm to confirm.",
    "The refund will post within 5 business days.",
    "I'll email you the confirmation by end of day today.",
    "You'll hear from us within 48 hours.",
];

const HAPPY: &[&str] = &[
    "Sorted in one call, thank you!",
    "Very patient and explained everything clearly.",
    "Quick and friendly, much better than last time.",
    "Great service, the new card arrived two days later.",
];

const MIXED: &[&str] = &[
    "Fine in the end, but the wait before I got through was long.",
    "Helpful, though I had to repeat my details twice.",
    "OK. I'm still waiting for the confirmation email.",
];

const UNHAPPY: &[&str] = &[
    "Still waiting for the refund I was promised.",
    "I was pushed to sign up for something I did not want.",
    "Nobody called me back as promised.",
    "The agent told me it was a stupid question. Pathetic.",
];

/// Fraction of demo interactions followed by a survey, and of surveys answered.
const SURVEYED: f64 = 0.6;
const ANSWERED: f64 = 0.2;

/// A survey for one demo interaction, perhaps answered, or `None` (no survey sent).
fn survey(
    rng: &mut impl Rng,
    engine: &righttrack_scan::Engine,
    p: &Prepared,
    link_days: i64,
    now: jiff::Timestamp,
) -> Option<NewFeedback> {
    if !rng.gen_bool(SURVEYED) {
        return None;
    }
    let minted = p
        .started_at
        .checked_add(jiff::SignedDuration::from_mins(rng.gen_range(5..120)))
        .ok()?
        .min(now);
    let expires = minted
        .checked_add(jiff::SignedDuration::from_hours(link_days * 24))
        .ok()?;
    let submitted = minted
        .checked_add(jiff::SignedDuration::from_mins(rng.gen_range(3..72 * 60)))
        .ok()?;
    let answer = if rng.gen_bool(ANSWERED) && submitted < now && submitted < expires {
        let pct = p.score as f64 / p.score_max.max(1) as f64;
        let base = match pct {
            x if x >= 0.95 => 4.6,
            x if x >= 0.8 => 3.9,
            x if x >= 0.6 => 2.8,
            _ => 1.7,
        };
        let csat = (base + rng.gen_range(-1.2..1.2_f64))
            .round()
            .clamp(1.0, 5.0) as i64;
        let nps = (csat as f64 * 2.0 + rng.gen_range(-2.5..1.5_f64))
            .round()
            .clamp(0.0, 10.0) as i64;
        let comment = if rng.gen_bool(0.45) {
            let pool = match csat {
                4.. => HAPPY,
                3 => MIXED,
                _ => UNHAPPY,
            };
            let mut c = pool.choose(rng).copied().unwrap_or(MIXED[0]).to_owned();
            if rng.gen_bool(0.05) {
                c = format!("{c} My card is {} if you need it.", luhn_card(rng));
            }
            Some(screen_comment(engine, &c))
        } else {
            None
        };
        let flagged = comment.as_ref().is_some_and(|c| c.flagged);
        Some((submitted, csat, nps, comment.map(|c| c.text), flagged))
    } else {
        None
    };
    Some(NewFeedback {
        ext_id: p.ext_id.clone(),
        token_hash: token_hash(new_token(rng).expose()),
        minted_at: minted,
        expires_at: expires,
        answer,
    })
}

fn luhn_card(rng: &mut impl Rng) -> String {
    let mut d: Vec<u32> = vec![4];
    while d.len() < 15 {
        d.push(rng.gen_range(0..10));
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    d.push((10 - sum % 10) % 10);
    let s: String = d
        .iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// A demo agent and how their contacts go.
#[derive(Clone)]
struct DemoAgent {
    username: String,
    first: String,
    team: String,
    /// When they completed "Honest selling", if they did.
    trained_at: Option<jiff::Timestamp>,
    /// Share of their contacts with a hostile customer.
    hostile: f64,
    /// Works 14:00–22:00 instead of 08:00–18:00.
    evening: bool,
}

impl DemoAgent {
    /// Share of their contacts where they guarantee what cannot be promised.
    fn guarantees(&self, at: jiff::Timestamp) -> f64 {
        match self.trained_at {
            Some(t) if at >= t => 0.02,
            Some(_) => 0.10,
            None => 0.04,
        }
    }
}

const HOSTILE: &[&str] = &[
    "You idiot, I have told you three times already!",
    "This is bullshit, I want my money back.",
    "I'll have you fired for this.",
    "Are you useless or what? Youre useless.",
];

/// A start instant `days_ago` days back, in the agent's shift.
fn started(
    rng: &mut impl Rng,
    a: &DemoAgent,
    days: std::ops::Range<i64>,
    now: jiff::Timestamp,
) -> jiff::Timestamp {
    let day = rng.gen_range(days);
    let hour = if a.evening {
        rng.gen_range(14..22)
    } else {
        rng.gen_range(8..18)
    };
    let midnight = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(now);
    let t = midnight
        .checked_sub(jiff::SignedDuration::from_hours(24 * day))
        .and_then(|t| {
            t.checked_add(jiff::SignedDuration::from_secs(
                hour * 3600 + rng.gen_range(0..3600),
            ))
        })
        .unwrap_or(now);
    t.min(now)
}

fn one(rng: &mut impl Rng, a: &DemoAgent, n: usize, started: jiff::Timestamp) -> serde_json::Value {
    let (agent, first, team) = (a.username.as_str(), a.first.as_str(), a.team.as_str());
    let channel = match rng.gen_range(0..10) {
        0..=5 => "voice",
        6..=8 => "chat",
        _ => "email",
    };
    let mut turns = Vec::new();
    let mut say = |speaker: &str, text: String| {
        turns.push(serde_json::json!({"speaker": speaker, "text": text}))
    };
    let greeting = if channel == "voice" && rng.gen_bool(0.88) {
        format!("Thank you for calling Northwind Bank, this call may be recorded for quality and training. My name is {first}, how can I help?")
    } else {
        format!("Hi, thanks for contacting Northwind Bank. My name is {first}, how can I help you today?")
    };
    say("agent", greeting);
    say(
        "customer",
        format!(
            "Hi, {}.",
            REASONS.choose(rng).copied().unwrap_or(REASONS[0])
        ),
    );
    if rng.gen_bool(a.hostile) {
        say(
            "customer",
            HOSTILE
                .choose(rng)
                .copied()
                .unwrap_or(HOSTILE[0])
                .to_owned(),
        );
        say(
            "agent",
            "I understand this is frustrating, and I'm going to help you sort it out.".into(),
        );
    }
    if rng.gen_bool(0.9) {
        say(
            "agent",
            "Before we go on, can you confirm your date of birth please?".into(),
        );
        say(
            "customer",
            format!(
                "Sure, it's {}/{}/{}.",
                rng.gen_range(1..13),
                rng.gen_range(1..29),
                rng.gen_range(1950..2004)
            ),
        );
    } else {
        say(
            "agent",
            format!(
                "I can see your current balance is ${}.{:02} and the card on file ends in {:04}.",
                rng.gen_range(20..5000),
                rng.gen_range(0..100),
                rng.gen_range(0..10000)
            ),
        );
    }
    if rng.gen_bool(0.15) {
        say(
            "customer",
            format!("The card number is {}.", luhn_card(rng)),
        );
        say(
            "agent",
            "Thank you, you don't need to read the full number, I have it now.".into(),
        );
    }
    // BAD[0] is the guarantee; pressure and rudeness are the others.
    let bad = if rng.gen_bool(a.guarantees(started)) {
        Some(BAD[0])
    } else if rng.gen_bool(0.06) {
        BAD[1..].choose(rng).copied()
    } else {
        None
    };
    say(
        "agent",
        if let Some(b) = bad {
            b.to_owned()
        } else {
            RESOLUTIONS
                .choose(rng)
                .copied()
                .unwrap_or(RESOLUTIONS[0])
                .to_owned()
        },
    );
    if rng.gen_bool(0.45) {
        say(
            "agent",
            PROMISES
                .choose(rng)
                .copied()
                .unwrap_or(PROMISES[0])
                .to_owned(),
        );
    }
    say("customer", "Okay, thank you.".into());
    say("agent", "You're welcome, have a good day.".into());
    serde_json::json!({
        "id": format!("demo-{n:05}"), "channel": channel, "agent_id": agent, "team": team,
        "started_at": started.to_string(), "turns": turns, "timezone": "Europe/Lisbon"
    })
}

/// The "Honest selling" course: taken five months ago by every other agent, the ones
/// who gave the most guarantees.
async fn honest_selling(ctx: &Ctx) -> Result<Option<String>> {
    let now = ctx.now();
    let ago = |d: i64| super::days_ago(now, d);
    let id = ctx
        .db
        .create_training_course(
            &righttrack_store::training::CourseInput {
                code: "honest-selling".into(),
                title: "Honest selling".into(),
                content: "Promise only what the company can deliver. Say what will happen and when, never guarantee an outcome someone else decides (a refund, an approval, a credit score).".into(),
                quiz: righttrack_core::training::Quiz::default(),
                pass_mark: 80,
                validity_months: None,
                grants_data_access: false,
                external: false,
            },
            ago(180),
            &mut rand::rngs::OsRng,
        )
        .await?;
    Ok(Some(id))
}

/// Generates and stores about 9,000 interactions for the demo agents: 5,000 in the last
/// 90 days and 4,000 in the nine months before. Returns how many were stored.
pub async fn seed(ctx: &Ctx) -> Result<usize> {
    let engine = ctx
        .engine()
        .map_err(|e| Error::internal(&format!("rule pack: {e}")))?;
    let teams = ctx.db.list_teams().await?;
    let now = ctx.now();
    let course = honest_selling(ctx).await?;
    let mut rng = rand::thread_rng();
    let users: Vec<_> = ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.has(righttrack_core::Role::Agent))
        .collect();
    let mut agents: Vec<DemoAgent> = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let team_index = u.team_id.and_then(|t| teams.iter().position(|x| x.id == t));
        let team = team_index
            .and_then(|i| teams.get(i))
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let first = u
            .display_name
            .split_whitespace()
            .next()
            .unwrap_or("Sam")
            .to_owned();
        // Every other agent took "Honest selling" between 140 and 160 days ago.
        let trained_at = match (&course, i % 2) {
            (Some(c), 0) => {
                let at = now
                    .checked_sub(jiff::SignedDuration::from_hours(
                        24 * rng.gen_range(140..160),
                    ))
                    .unwrap_or(now);
                ctx.db
                    .add_training_completion(
                        // A course that never expires.
                        &super::training::record(
                            c.clone(),
                            u.id,
                            at,
                            None,
                            Some(rng.gen_range(80..101)),
                        ),
                        now,
                        &mut rand::rngs::OsRng,
                    )
                    .await?;
                Some(at)
            }
            _ => None,
        };
        agents.push(DemoAgent {
            hostile: match team_index {
                _ if i == 1 => 0.25,
                Some(1) => 0.08,
                _ => 0.02,
            },
            evening: i % 5 == 1,
            username: u.username.clone(),
            first,
            team,
            trained_at,
        });
    }
    if agents.is_empty() {
        return Ok(0);
    }
    let mut stored = seed_range(ctx, &engine, &agents, 4_000, 90..365, 0).await?;
    stored += seed_range(ctx, &engine, &agents, 5_000, 0..90, 4_000).await?;
    keep_promises(ctx, &agents, now).await?;
    Ok(stored)
}

/// Stores `count` interactions started `days` days ago, numbered from `first`.
async fn seed_range(
    ctx: &Ctx,
    engine: &righttrack_scan::Engine,
    agents: &[DemoAgent],
    count: usize,
    days: std::ops::Range<i64>,
    first: usize,
) -> Result<usize> {
    let now = ctx.now();
    let link_days = ctx.config.feedback_link_days.max(1);
    let mut stored = 0;
    let mut n = 0;
    while n < count {
        let take = (count - n).min(500);
        let engine = engine.clone();
        let agents = agents.to_vec();
        let start = first + n;
        let st = ctx.clone();
        let days = days.clone();
        let (batch, surveys) = tokio::task::spawn_blocking(move || {
            let mut rng = rand::thread_rng();
            let batch = (start..start + take)
                .filter_map(|i| {
                    let a = agents.choose(&mut rng)?;
                    let at = started(&mut rng, a, days.clone(), now);
                    let v = one(&mut rng, a, i, at);
                    // The same path as every other ingestion (vault included).
                    prepare_line(&st, &engine, &v.to_string()).ok()
                })
                .collect::<Vec<_>>();
            let surveys = batch
                .iter()
                .filter_map(|p| survey(&mut rng, &engine, p, link_days, now))
                .collect::<Vec<_>>();
            (batch, surveys)
        })
        .await
        .map_err(|e| Error::internal(&e))?;
        let out = ctx
            .db
            .store_interactions(&batch, now, &mut rand::rngs::OsRng)
            .await?;
        stored += out
            .iter()
            .filter(|o| **o == righttrack_store::interactions::Outcome::Stored)
            .count();
        ctx.db
            .store_feedback_batch(&surveys, &mut rand::rngs::OsRng)
            .await?;
        n += take;
    }
    Ok(stored)
}

/// Most demo promises were kept: each agent keeps a share (mostly 80–98%, a few lower),
/// marked kept some hours before the due instant, so the kept-rate tables show a
/// realistic spread. Promises still ahead are mostly open.
async fn keep_promises(ctx: &Ctx, agents: &[DemoAgent], now: jiff::Timestamp) -> Result<()> {
    let mut rng = rand::thread_rng();
    let mut kept = Vec::new();
    for a in agents {
        let agent = &a.username;
        let share: f64 = if rng.gen_bool(0.1) {
            rng.gen_range(0.55..0.8)
        } else {
            rng.gen_range(0.8..0.98)
        };
        let f = righttrack_store::interactions::LedgerFilter {
            agent_ref: Some(agent.clone()),
            limit: 1000,
            ..Default::default()
        };
        for c in ctx.db.commitments(&f, now).await? {
            let Some(due) = c.due else { continue };
            let early = jiff::SignedDuration::from_mins(rng.gen_range(30..20 * 60));
            let at = due.checked_sub(early).unwrap_or(due);
            if at < now && rng.gen_bool(share) {
                kept.push((c.id, at));
            }
        }
    }
    ctx.db.mark_kept_at(&kept, "demo").await?;
    Ok(())
}

/// How one demo participant departs from the engine: (interaction index, item) → points
/// (`None` = N/A). Everything not listed follows the engine.
type Departures = &'static [(usize, &'static str, Option<i64>)];

/// Two calibration sessions over the demo interactions, run by the QA analyst with the
/// team lead and a floor lead: one closed with realistic disagreement (the lead forgives
/// a guarantee and a missed recording notice, the analyst docks partial points, the
/// floor lead calls verification differently), so the results page has something to
/// show; and one open, with one submission and one draft.
pub async fn seed_calibration(ctx: &Ctx) -> Result<()> {
    use righttrack_store::calibration::{CalibrationRating, NewCalibration};
    let users = ctx.db.list_users().await?;
    let Some(floor_lead) = users
        .iter()
        .find(|u| u.has(righttrack_core::Role::TeamLead) && u.username != "lead")
        .map(|u| u.username.clone())
    else {
        return Ok(());
    };
    let pick = |flagged_only: bool, limit: i64| righttrack_store::interactions::InteractionFilter {
        flagged_only,
        limit,
        ..Default::default()
    };
    let mut ids: Vec<String> = Vec::new();
    for f in [pick(true, 3), pick(false, 20)] {
        for i in ctx.db.list_interactions(&f).await? {
            if ids.len() < 8 && !ids.contains(&i.ext_id) {
                ids.push(i.ext_id);
            }
        }
    }
    if ids.len() < 8 {
        return Ok(());
    }
    let engine = ctx
        .engine()
        .map_err(|e| Error::internal(&format!("rule pack: {e}")))?;
    let now = ctx.now();
    let people = ["qa".to_owned(), "lead".to_owned(), floor_lead];
    let departures: [Departures; 3] = [
        // The analyst: strict, partial points for a half-hearted notice and tone.
        &[
            (1, "honesty", Some(15)),
            (2, "recording_notice", Some(8)),
            (4, "no_pressure", Some(10)),
        ],
        // The team lead: forgives the guarantee and the missed recording notice.
        &[
            (0, "honesty", Some(25)),
            (2, "recording_notice", Some(15)),
            (3, "recording_notice", Some(15)),
        ],
        // The floor lead: reads verification as applicable where the engine saw no disclosure.
        &[
            (1, "verification", Some(15)),
            (3, "verification", Some(0)),
            (4, "no_pressure", Some(10)),
        ],
    ];
    let engine_points = |findings: &serde_json::Value| -> Vec<(String, Option<i64>)> {
        findings["scorecard"]["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|it| {
                        let na = it["na"].as_bool().unwrap_or(false);
                        (
                            it["item"].as_str().unwrap_or_default().to_owned(),
                            (!na).then(|| it["points"].as_i64().unwrap_or(0)),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut scored = Vec::new();
    for id in &ids {
        if let Some(i) = ctx.db.interaction(id).await? {
            scored.push((id.clone(), engine_points(&i.findings)));
        }
    }
    let ratings_of = |who: usize, range: std::ops::Range<usize>| -> Vec<CalibrationRating> {
        let mut out = Vec::new();
        for (n, (ext_id, items)) in scored[range].iter().enumerate() {
            for (item, engine) in items {
                let points = departures[who]
                    .iter()
                    .find(|(i, it, _)| *i == n && it == item)
                    .map(|(_, _, p)| *p)
                    .unwrap_or(*engine);
                out.push(CalibrationRating {
                    username: people[who].clone(),
                    ext_id: ext_id.clone(),
                    item: item.clone(),
                    points,
                    comment: String::new(),
                });
            }
        }
        out
    };
    let due = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 7))
        .unwrap_or(now);
    let closed = NewCalibration {
        name: "Billing calls, week 46".into(),
        created_by: "qa".into(),
        due_at: due,
        interactions: scored[..5].iter().map(|(id, _)| id.clone()).collect(),
        participants: people.to_vec(),
    };
    let sid = ctx
        .db
        .create_calibration(&closed, now, &mut rand::rngs::OsRng)
        .await?;
    ctx.audit(
        "cli",
        "calibration.created",
        &sid,
        serde_json::json!({"demo": true}),
    )
    .await?;
    for (who, username) in people.iter().enumerate() {
        let mut r = ratings_of(who, 0..5);
        if who == 1 {
            if let Some(x) = r.iter_mut().find(|x| x.item == "honesty") {
                x.comment = righttrack_core::interactions::scrub(
                    &engine,
                    "He was confident, not misleading; I'd coach it, not fail it.",
                );
            }
        }
        ctx.db
            .save_calibration_ratings(&sid, username, &r, true, now)
            .await?;
        ctx.audit(
            "cli",
            "calibration.submitted",
            &sid,
            serde_json::json!({"demo": true}),
        )
        .await?;
    }
    ctx.audit(
        "cli",
        "calibration.closed",
        &sid,
        serde_json::json!({"by": "last submission"}),
    )
    .await?;

    let open = NewCalibration {
        name: "Chat and email, week 47".into(),
        created_by: "qa".into(),
        due_at: due,
        interactions: scored[5..8].iter().map(|(id, _)| id.clone()).collect(),
        participants: people.to_vec(),
    };
    let oid = ctx
        .db
        .create_calibration(&open, now, &mut rand::rngs::OsRng)
        .await?;
    ctx.audit(
        "cli",
        "calibration.created",
        &oid,
        serde_json::json!({"demo": true}),
    )
    .await?;
    ctx.db
        .save_calibration_ratings(&oid, &people[2], &ratings_of(2, 5..8), true, now)
        .await?;
    ctx.audit(
        "cli",
        "calibration.submitted",
        &oid,
        serde_json::json!({"demo": true}),
    )
    .await?;
    ctx.db
        .save_calibration_ratings(&oid, &people[1], &ratings_of(1, 5..8), false, now)
        .await?;
    Ok(())
}

/// A handful of disputes by the demo agent `agent` in every state: open, overdue,
/// unassigned (the only QA analyst scored the item), upheld and accepted (with a
/// negative rule example). Returns how many were opened.
pub async fn seed_disputes(ctx: &Ctx) -> Result<usize> {
    use crate::qa::disputes::{open, resolve, Decision};
    let mine = ctx
        .db
        .list_interactions(&righttrack_store::interactions::InteractionFilter {
            agent_ref: Some("agent".into()),
            limit: 100,
            ..Default::default()
        })
        .await?;
    // Interactions with a failed item first: those are the ones agents contest.
    let mut picks = Vec::new();
    for i in &mine {
        let Some(stored) = ctx.db.interaction(&i.ext_id).await? else {
            continue;
        };
        let items: Vec<righttrack_scan::ItemResult> =
            serde_json::from_value(stored.findings["scorecard"]["items"].clone())
                .unwrap_or_default();
        let failed = items.iter().find(|it| it.failed && !it.na);
        if let Some(it) = failed.or_else(|| items.iter().find(|it| !it.na)) {
            let rules: Vec<String> = it
                .evidence
                .iter()
                .filter(|e| !e.evidence.trim().is_empty())
                .map(|e| e.rule.clone())
                .take(1)
                .collect();
            picks.push((i.ext_id.clone(), it.item.clone(), it.failed, rules));
        }
    }
    picks.sort_by_key(|p| !p.2);
    let now = ctx.now();
    let ago = |days: i64| super::days_ago(now, days);
    let err = |e: Error| Error {
        message: format!("demo dispute: {}", e.message),
        ..e
    };
    let mut opened = 0;
    for (n, (ext_id, item, _, rules)) in picks.into_iter().take(5).enumerate() {
        let reason = match item.as_str() {
            "honesty" => "The customer asked for a firm date; I only repeated what billing had confirmed in writing.",
            "no_pressure" => "The customer had already decided; I was reading out the offer's closing date.",
            "respect" => "I was quoting the customer back to them, not saying it myself.",
            "recording_notice" => "The notice was given; the recording started a few seconds late.",
            "verification" => "The customer was verified in the IVR before the call reached me.",
            _ => "I think this item was scored wrongly; please listen to the call.",
        };
        if n == 2 {
            // The QA analyst scored this item by hand, so nobody is left to route it to.
            let o = righttrack_store::interactions::ScoreOverride {
                item: item.clone(),
                failed: true,
                justification: "Listened to the call: the item is failed.".into(),
                by_user: "qa".into(),
                at: ago(3),
            };
            let Some(stored) = ctx.db.interaction(&ext_id).await? else {
                continue;
            };
            let items: Vec<righttrack_scan::ItemResult> =
                serde_json::from_value(stored.findings["scorecard"]["items"].clone())
                    .unwrap_or_default();
            let (score, _) = righttrack_core::interactions::rescore(
                &items,
                &std::collections::BTreeMap::from([(item.clone(), true)]),
            );
            ctx.db
                .add_score_override(&ext_id, &o, score, &mut rand::rngs::OsRng)
                .await?;
        }
        let at = match n {
            1 => ago(6),
            3 | 4 => ago(4),
            _ => ago(1),
        };
        let id = open(ctx, "agent", &ext_id, &item, reason, at)
            .await
            .map_err(err)?;
        opened += 1;
        let decision = match n {
            3 => Some(Decision {
                outcome: "upheld",
                note: "The promise was unconditional; coaching note added.",
                examples: vec![],
            }),
            4 => Some(Decision {
                outcome: "accepted",
                note: "Agreed: the rule matched a quoted sentence.",
                examples: rules,
            }),
            _ => None,
        };
        if let Some(d) = decision {
            resolve(ctx, "qa", &id, d, ago(2)).await.map_err(err)?;
        }
    }
    Ok(opened)
}

/// Reviews by two QA analysts over recent flagged interactions, so the evaluator
/// analytics have something to compare: `qa` confirms most failures and lifts a few;
/// `petra.lapsed` lifts nearly every failure she looks at (the lenient one).
pub async fn seed_reviews(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let flagged = ctx
        .db
        .list_interactions(&righttrack_store::interactions::InteractionFilter {
            flagged_only: true,
            from: now
                .checked_sub(jiff::SignedDuration::from_hours(24 * 60))
                .ok(),
            limit: 200,
            ..Default::default()
        })
        .await?;
    let mut done = 0;
    for (n, i) in flagged.iter().skip(10).take(24).enumerate() {
        let Some(stored) = ctx.db.interaction(&i.ext_id).await? else {
            continue;
        };
        let items: Vec<righttrack_scan::ItemResult> =
            serde_json::from_value(stored.findings["scorecard"]["items"].clone())
                .unwrap_or_default();
        let Some(item) = items.iter().find(|it| it.failed && !it.na) else {
            continue;
        };
        let (by, lift) = if n < 12 {
            ("qa", n % 3 == 0)
        } else {
            ("petra.lapsed", n % 6 != 0)
        };
        let (score, _) = righttrack_core::interactions::rescore(
            &items,
            &std::collections::BTreeMap::from([(item.item.clone(), !lift)]),
        );
        let o = righttrack_store::interactions::ScoreOverride {
            item: item.item.clone(),
            failed: !lift,
            justification: if lift {
                "Listened to the call: the wording was a quoted policy, not a promise.".into()
            } else {
                "Listened to the call: the item is failed.".into()
            },
            by_user: by.into(),
            at: super::days_ago(now, 1 + n as i64),
        };
        ctx.db
            .add_score_override(&i.ext_id, &o, score, &mut rand::rngs::OsRng)
            .await?;
        done += 1;
    }
    Ok(done)
}
