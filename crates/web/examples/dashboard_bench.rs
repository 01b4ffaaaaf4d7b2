//! Latency of the dashboard, fairness, evidence-binder and my-numbers pages with a
//! large store: `bench/dashboard.sh` (or `cargo run --release -p righttrack-web
//! --example dashboard_bench -- [INTERACTIONS] [EMPLOYEES] [REQUESTS]`, defaults
//! 1,000,000, 10,000, 200).
//!
//! Builds a fresh SQLite store in a temporary directory: EMPLOYEES users over 100 teams
//! on 4 sites, INTERACTIONS interactions spread over the last 14 months (stored through
//! `store_interactions`, so the monthly and per-agent totals are maintained exactly as
//! in production; 8 % with a hostile customer, a quarter in unsocial hours), 2,000
//! reviews by ten evaluators, 600 hotline reports filed through the public API (an
//! officer signed in afterwards holds no key to them, so the hotline queries run but
//! count none), and the ethics program of every employee: three policies published
//! over the last months, each assigned to everyone and attested by most, two required
//! courses assigned to everyone and completed by most (one with yearly renewals), and
//! 200 corrective actions. Then signs in an ethics officer and one agent and times
//! REQUESTS requests of each route through the real router (middleware, session,
//! authorization, templates), sequentially, and prints p50/p95/max per route.
//!
//! `RIGHTTRACK_BENCH_DB=/path/bench.db` keeps the store: the first run seeds it, later
//! runs migrate it (timing the migrations, which is how an upgrade's rebuild of derived
//! totals is measured) and only time the routes. `RIGHTTRACK_BENCH_ROUTES=fairness,binder`
//! times only the routes containing one of those words.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use righttrack_core::clock::{Clock, FixedClock, SystemClock};
use righttrack_core::crypto::Keyring;
use righttrack_core::interactions::Prepared;
use righttrack_core::Role;
use righttrack_store::directory::NewUser;
use righttrack_store::Db;
use righttrack_web::state::{AppState, WebConfig};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

const RULES: [&str; 7] = [
    "context.hostile_customer",
    "honesty.guarantee",
    "honesty.pressure",
    "respect.abusive",
    "disclosure.recording_notice",
    "disclosure.before_verification",
    "commitment.callback",
];

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn days_before(now: Timestamp, days: i64) -> Timestamp {
    Timestamp::from_millisecond(now.as_millisecond() - days * 86_400_000).unwrap_or(now)
}

/// Three policies published 300, 150 and 40 days ago, each assigned to everyone and
/// attested by about 90 % over the weeks after; two courses assigned to everyone 330
/// days ago, completed by about 85 %, the first valid a year (so some lapse); 200
/// corrective actions over the last year, some closed, some recurring.
async fn program(
    db: &Db,
    people: &[righttrack_core::ids::UserId],
    now: Timestamp,
    rng: &mut rand::rngs::StdRng,
) -> anyhow::Result<()> {
    use righttrack_core::capa::{SourceKind, State, Step};
    use righttrack_core::policies::Status;
    for (k, age) in [300_i64, 150, 40].into_iter().enumerate() {
        let published = days_before(now, age);
        let (_, vid) = db
            .create_policy(
                &righttrack_store::policies::NewPolicy {
                    slug: format!("policy-{k}"),
                    title: format!("Policy {k}"),
                    audience: righttrack_core::audience::Audience::default(),
                    attest_days: 30,
                    pass_mark: 80,
                    by: "bench".into(),
                    body: "Text.".into(),
                    summary: String::new(),
                    quiz: Vec::new(),
                },
                published,
                rng,
            )
            .await?;
        db.step_version(&vid, Status::Draft, Status::InReview, "bench", published)
            .await?;
        db.step_version(&vid, Status::InReview, Status::Approved, "bench", published)
            .await?;
        let due = days_before(now, age - 30);
        db.publish_version(&vid, "bench", published, "hash", Some(due))
            .await?;
        db.assign(&vid, people, published, due).await?;
        let v = db
            .version(&vid)
            .await?
            .ok_or_else(|| anyhow::anyhow!("version"))?;
        for u in people {
            if rng.gen_bool(0.9) {
                let at = days_before(now, age - rng.gen_range(0..age.min(60)));
                db.attest(&vid, *u, &v, "read", None, None, at, rng).await?;
            }
        }
    }
    let everyone = righttrack_core::audience::Audience::default();
    for (k, validity) in [Some(12), None].into_iter().enumerate() {
        let course = db
            .create_training_course(
                &righttrack_store::training::CourseInput {
                    code: format!("course-{k}"),
                    title: format!("Course {k}"),
                    content: "Text.".into(),
                    quiz: righttrack_core::training::Quiz::default(),
                    pass_mark: 80,
                    validity_months: validity,
                    grants_data_access: false,
                    external: false,
                },
                days_before(now, 340),
                rng,
            )
            .await?;
        db.create_training_rule(
            &righttrack_store::training::NewRule {
                course_id: &course,
                audience: &everyone,
                due_days: 30,
                on_hire: false,
                created_by: "bench",
            },
            days_before(now, 340),
            rng,
        )
        .await?;
    }
    db.sync_training_assignments(days_before(now, 330)).await?;
    for course in db.training_courses().await? {
        if course.code == "data-privacy" {
            continue;
        }
        for u in people {
            if rng.gen_bool(0.85) {
                let at = days_before(now, rng.gen_range(300..=420));
                db.add_training_completion(
                    &righttrack_store::training::NewCompletion {
                        course_id: course.id.clone(),
                        user_id: *u,
                        completed_at: at,
                        expires_at: righttrack_core::training::expires_at(
                            at,
                            course.validity_months,
                        ),
                        score: Some(100),
                        source: "import",
                        note: String::new(),
                        recorded_by: "bench".into(),
                        verification: righttrack_core::training::verification_code(rng),
                    },
                    at,
                    rng,
                )
                .await?;
            }
        }
    }
    for i in 0..200 {
        let created = days_before(now, rng.gen_range(0..360));
        let rule = ["honesty.guarantee", "respect.abusive"][i % 2];
        let (id, _) = db
            .create_capa(
                &righttrack_store::capa::NewCapa {
                    title: format!("Action {i}"),
                    source_kind: SourceKind::QaTrend,
                    source_ref: rule.into(),
                    source_label: rule.into(),
                    subject: rule.into(),
                    site_name: Some(format!("Site {}", i % 4)),
                    rule: Some(rule.into()),
                    owner: "officer".into(),
                    due_at: Timestamp::from_millisecond(created.as_millisecond() + 30 * 86_400_000)
                        .unwrap_or(created),
                    metric: None,
                    created_by: "bench".into(),
                    created_at: created,
                },
                rng,
            )
            .await?;
        let closed = Timestamp::from_millisecond(created.as_millisecond() + 20 * 86_400_000)
            .unwrap_or(created);
        if closed < now && rng.gen_bool(0.6) {
            let m = righttrack_store::capa::Move::default();
            db.move_capa(
                &id,
                State::Open,
                State::Verified,
                Step::Verify,
                &m,
                "bench",
                closed,
                rng,
            )
            .await?;
            db.move_capa(
                &id,
                State::Verified,
                State::Closed,
                Step::Close,
                &m,
                "bench",
                closed,
                rng,
            )
            .await?;
        }
    }
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Seeds the store: the directory, the ethics program, the interactions and reviews.
async fn seed(
    db: &Db,
    interactions: u64,
    employees: u64,
    now: Timestamp,
    rng: &mut rand::rngs::StdRng,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let mut teams = Vec::new();
    for s in 0..4 {
        let site = db.create_site(&format!("Site {s}"), now, rng).await?;
        for k in 0..25 {
            teams.push(
                db.create_team(&format!("Team {s}-{k}"), site, None, now, rng)
                    .await?,
            );
        }
    }
    let mut people = Vec::with_capacity(employees as usize);
    for e in 0..employees {
        let u = db
            .create_user(
                NewUser {
                    username: format!("u{e}"),
                    display_name: format!("User {e}"),
                    password_hash: None,
                    team: Some(teams[(e as usize) % teams.len()]),
                    roles: vec![Role::Agent],
                },
                now,
                rng,
            )
            .await?;
        people.push(u.id);
    }
    eprintln!("{employees} employees in {:.1?}", t.elapsed());

    let t = Instant::now();
    program(db, &people, now, rng).await?;
    eprintln!(
        "policies, training and corrective actions for {employees} employees in {:.1?}",
        t.elapsed()
    );

    let t = Instant::now();
    let span = 14 * 30 * 86_400_000_i64;
    let mut id = 0u64;
    while id < interactions {
        let n = (interactions - id).min(1_000);
        let batch: Vec<Prepared> = (0..n)
            .map(|k| {
                let i = id + k;
                let mut fired: Vec<&str> = RULES
                    .iter()
                    .copied()
                    .filter(|_| rng.gen_bool(0.08))
                    .collect();
                fired.sort_unstable();
                let agent = rng.gen_range(0..employees);
                Prepared {
                    ext_id: format!("bench-{i}"),
                    channel: "voice",
                    agent_ref: format!("u{agent}"),
                    team_ref: Some(format!("Team {}-{}", agent % 4, (agent / 4) % 25)),
                    started_at: Timestamp::from_millisecond(
                        now.as_millisecond() - rng.gen_range(0..span),
                    )
                    .unwrap_or(now),
                    redacted_json: "{}".into(),
                    findings_json: "{}".into(),
                    score: rng.gen_range(40..=100),
                    score_max: 100,
                    flagged: !fired.is_empty(),
                    severity: 0,
                    pii_spans: i64::from(rng.gen_bool(0.3)),
                    rules: format!(",{},", fired.join(",")),
                    commitments: Vec::new(),
                    vault: None,
                    customer_ref_hash: None,
                    content_hash: None,
                    unsocial: rng.gen_bool(0.25),
                }
            })
            .collect();
        db.store_interactions(&batch, now, rng).await?;
        id += n;
    }
    eprintln!("{interactions} interactions in {:.1?}", t.elapsed());

    // Reviews: 2,000 overrides by ten evaluators, for the fairness page's evaluator rows.
    let t = Instant::now();
    for k in 0..2_000u64.min(interactions) {
        let i = rng.gen_range(0..interactions);
        db.add_score_override(
            &format!("bench-{i}"),
            &righttrack_store::interactions::ScoreOverride {
                item: "honesty".into(),
                failed: k % 3 == 0,
                justification: "bench review".into(),
                by_user: format!("evaluator-{}", k % 10),
                at: Timestamp::from_millisecond(now.as_millisecond() - rng.gen_range(0..span))
                    .unwrap_or(now),
            },
            rng.gen_range(40..=100),
            rng,
        )
        .await?;
    }
    eprintln!("2,000 reviews in {:.1?}", t.elapsed());

    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let interactions = arg(1, 1_000_000);
    let employees = arg(2, 10_000);
    let requests = arg(3, 200);
    // RIGHTTRACK_BENCH_DB keeps the store between runs (seeded once, reused after:
    // seeding a million interactions takes minutes); otherwise a temporary directory.
    let tmp = tempfile::tempdir()?;
    let path = std::env::var_os("RIGHTTRACK_BENCH_DB")
        .map_or_else(|| tmp.path().join("bench.db"), std::path::PathBuf::from);
    let reuse = path.exists();
    let db = Db::open_sqlite(&path).await?;
    let t = Instant::now();
    db.migrate().await?;
    eprintln!("migrations in {:.1?}", t.elapsed());
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let now = SystemClock.now();
    // RIGHTTRACK_BENCH_ROUTES: only the routes containing one of these (comma-separated).
    let only: Vec<String> = std::env::var("RIGHTTRACK_BENCH_ROUTES")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    if !reuse {
        seed(&db, interactions, employees, now, &mut rng).await?;
    }

    // A clock the benchmark moves: the hotline's submission limiter allows one report
    // per 20 s from one client, so the reports are spread over five simulated hours.
    let clock = FixedClock::new(now);
    let state = AppState::new(
        db.clone(),
        Keyring::generate(&mut rand::rngs::OsRng),
        SigningKey::from_bytes(&[5u8; 32]),
        Arc::new(clock.clone()) as Arc<dyn Clock>,
        WebConfig::default(),
    );
    let router = righttrack_web::routes::router(state.clone());

    let t = Instant::now();
    for i in 0..if reuse { 0 } else { 600 } {
        let body = serde_json::json!({"category": "fraud", "description": format!("bench report {i}"), "anonymous": true});
        let r = router
            .clone()
            .oneshot(
                Request::post("/api/v1/speakup/reports")
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))?,
            )
            .await?;
        anyhow::ensure!(r.status() == StatusCode::CREATED, "report: {}", r.status());
        clock.advance(jiff::SignedDuration::from_secs(30));
    }
    eprintln!("600 reports in {:.1?}", t.elapsed());

    let officer = match db.user_by_username("officer").await? {
        Some(u) => u,
        None => {
            db.create_user(
                NewUser {
                    username: "officer".into(),
                    display_name: "Officer".into(),
                    password_hash: None,
                    team: None,
                    roles: vec![Role::EthicsOfficer],
                },
                now,
                &mut rng,
            )
            .await?
        }
    };
    let sid = righttrack_web::auth::start_session(&state, &officer, true, None)
        .await
        .map_err(|e| anyhow::anyhow!("session: {}", e.message))?;
    let cookie = format!("rt_session={}", sid.expose());

    // What the program cards show (so a run that withholds everything is noticed).
    let r = router
        .clone()
        .oneshot(
            Request::get("/api/v1/dashboard")
                .header("cookie", &cookie)
                .body(Body::empty())?,
        )
        .await?;
    let d: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(r.into_body(), usize::MAX).await?)?;
    for i in d["indicators"].as_array().into_iter().flatten() {
        eprintln!("{}: latest {}", i["key"], i["latest"]);
    }

    // An agent for their own numbers.
    let agent = db
        .user_by_username("u7")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no agent u7"))?;
    let agent_sid = righttrack_web::auth::start_session(&state, &agent, true, None)
        .await
        .map_err(|e| anyhow::anyhow!("session: {}", e.message))?;
    let agent_cookie = format!("rt_session={}", agent_sid.expose());

    // Training effectiveness of a course most agents completed (the default course,
    // the first by title, has no completions here).
    let course = db
        .training_courses()
        .await?
        .into_iter()
        .find(|c| c.title == "Course 0")
        .ok_or_else(|| anyhow::anyhow!("no course 0"))?;
    let training = format!("/fairness/training?course={}", course.id);

    // The evidence binder is generated on demand (POST /binder/generate) and the page
    // reads the stored generation: time one generation, through the form with its
    // CSRF token, before the page is timed.
    if only.is_empty() || only.iter().any(|o| "/binder".contains(o.as_str())) {
        let r = router
            .clone()
            .oneshot(
                Request::get("/binder")
                    .header("cookie", &cookie)
                    .body(Body::empty())?,
            )
            .await?;
        let html = String::from_utf8(
            axum::body::to_bytes(r.into_body(), usize::MAX)
                .await?
                .to_vec(),
        )?;
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| anyhow::anyhow!("no CSRF token on /binder"))?
            .to_owned();
        let t = Instant::now();
        let r = router
            .clone()
            .oneshot(
                Request::post("/binder/generate")
                    .header("cookie", &cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}")))?,
            )
            .await?;
        anyhow::ensure!(r.status().is_redirection(), "generate: {}", r.status());
        eprintln!(
            "generating the evidence binder: {:.1} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }

    println!("| route | p50 ms | p95 ms | max ms |");
    println!("| --- | ---: | ---: | ---: |");
    for (path, cookie) in [
        ("/dashboard", &cookie),
        ("/api/v1/dashboard", &cookie),
        ("/dashboard?team=Team%202-7", &cookie),
        ("/fairness", &cookie),
        ("/fairness?months=12", &cookie),
        ("/api/v1/fairness", &cookie),
        (training.as_str(), &cookie),
        ("/policies/reports", &cookie),
        ("/training/reports", &cookie),
        ("/binder", &cookie),
        ("/my/numbers", &agent_cookie),
        ("/my/numbers?months=12", &agent_cookie),
    ] {
        if !only.is_empty() && !only.iter().any(|o| path.contains(o.as_str())) {
            continue;
        }
        let mut ms = Vec::with_capacity(requests as usize);
        for _ in 0..requests {
            let t = Instant::now();
            let r = router
                .clone()
                .oneshot(
                    Request::get(path)
                        .header("cookie", cookie)
                        .body(Body::empty())?,
                )
                .await?;
            let status = r.status();
            let _ = axum::body::to_bytes(r.into_body(), usize::MAX).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status == StatusCode::OK, "{path}: {status}");
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "| `{path}` | {:.1} | {:.1} | {:.1} |",
            pct(&ms, 50.0),
            pct(&ms, 95.0),
            ms[ms.len() - 1]
        );
    }

    if reuse {
        return Ok(());
    }
    let t = Instant::now();
    db.rebuild_agent_monthly().await?;
    eprintln!(
        "rebuilding the per-agent totals from {interactions} interactions: {:.1?}",
        t.elapsed()
    );
    let t = Instant::now();
    db.rebuild_interaction_monthly().await?;
    eprintln!(
        "rebuilding the monthly totals from {interactions} interactions: {:.1?}",
        t.elapsed()
    );
    Ok(())
}
