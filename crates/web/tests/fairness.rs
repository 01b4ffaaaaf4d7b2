//! Fairness analytics from their users' side: the ethics officer's and QA analyst's
//! view of workload spread, QA scores by team with intervals and the four-fifths
//! screen, evaluators' leniency; the agent's own numbers with their inputs; training
//! effectiveness from behaviour; who may see what; bad input. SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{App, Resp};
use righttrack_core::Role;
use serde_json::{json, Value};

const HOSTILE: &str = "You idiot, I have told you three times already!";
const CALM: &str = "my parcel is late";

fn line(
    id: &str,
    agent: &str,
    team: &str,
    started: &str,
    customer: &str,
    agent_says: &str,
) -> String {
    json!({
        "id": id, "channel": "chat", "agent_id": agent, "team": team, "started_at": started,
        "turns": [
            {"speaker": "agent", "text": "Hello, thanks for contacting Northwind"},
            {"speaker": "customer", "text": customer},
            {"speaker": "agent", "text": agent_says}
        ]
    })
    .to_string()
}

async fn ingest(app: &App, lines: &[String]) {
    for chunk in lines.chunks(200) {
        let r = app.ingest(Role::QaAnalyst, chunk).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// Weekdays of early November 2026 (the 7th and 8th are a weekend).
const DAYS: [u32; 10] = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13];

/// Two teams of five agents, ten chats each on weekdays of November 2026. Cards: clean chats
/// (100 %), and c1 takes six hostile customers where the others take one; two of c5's
/// chats are at 22:00. Loans: every chat carries a guarantee (64 %: 45 of 70 applicable points, not passing).
fn november() -> Vec<String> {
    let mut lines = Vec::new();
    for a in 1..=5 {
        for (i, day) in DAYS.iter().enumerate() {
            let hostile = if a == 1 { i < 6 } else { i < 1 };
            let hour = if a == 5 && i < 2 { 22 } else { 10 };
            lines.push(line(
                &format!("c{a}-{i}"),
                &format!("c{a}"),
                "Cards",
                &format!("2026-11-{:02}T{hour}:00:00Z", day),
                if hostile { HOSTILE } else { CALM },
                "It is on its way.",
            ));
            lines.push(line(
                &format!("l{a}-{i}"),
                &format!("l{a}"),
                "Loans",
                &format!("2026-11-{:02}T10:00:00Z", day),
                CALM,
                "I guarantee approval.",
            ));
        }
    }
    lines
}

/// The QA analyst quinn overrides the guarantee of interaction `id` to met, through
/// the review form; returns quinn's session cookie.
async fn lift(app: &App, id: &str) -> String {
    let quinn = app.user("quinn", &[Role::QaAnalyst]).await;
    let (cookie, csrf) = app.session(&quinn).await;
    let o = app
        .post(
            &format!("/interactions/{id}/override"),
            &cookie,
            &format!("csrf={csrf}&item=honesty&outcome=met&justification=the+guarantee+quoted+the+written+policy"),
        )
        .await;
    assert_eq!(o.status, StatusCode::SEE_OTHER, "{}", o.body);
    cookie
}

fn group<'a>(v: &'a Value, list: &str, label: &str) -> &'a Value {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {list}: {v}"))
}

#[tokio::test]
async fn officers_see_workload_spread_score_intervals_the_four_fifths_screen_and_evaluators() {
    for app in App::each().await {
        ingest(&app, &november()).await;
        // A QA analyst lifts one Loans chat: the guarantee was a quoted policy.
        let qc = lift(&app, "l1-0").await;

        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&olga).await;
        let r = app.get("/api/v1/fairness", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let f = r.json();
        assert_eq!(f["months"], 3);
        assert_eq!(f["to"], "2026-11", "{f}");

        // Workload: ten agents, ten difficult contacts, six of them on c1.
        let org = &f["organisation"];
        assert_eq!(org["agents"], 10, "{f}");
        assert_eq!(org["interactions"], 100);
        assert_eq!(org["difficult"], 10);
        assert_eq!(org["unsocial"], 2);
        let cards = f["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == "Cards")
            .unwrap();
        assert!(cards["gini_difficult"].as_f64().unwrap() > 0.3, "{cards}");
        assert_eq!(cards["gini_interactions"], 0.0);
        assert_eq!(cards["top_difficult_share"], 60.0);
        assert_eq!(f["most_difficult"][0]["agent"], "c1");
        assert_eq!(f["most_difficult"][0]["difficult_share"], 60.0);

        // Scores: Cards 100 % with a zero-width interval, Loans 64 % but one lifted
        // chat; Loans fails the four-fifths screen.
        let c = group(&f, "scores_by_team", "Cards");
        assert_eq!(c["mean"]["mean"], 100.0);
        assert_eq!(c["impact_ratio"], 1.0);
        assert_eq!(c["below_four_fifths"], false);
        let l = group(&f, "scores_by_team", "Loans");
        assert_eq!(l["moments"]["n"], 50);
        assert_eq!(l["moments"]["passed"], 1, "the lifted chat passes: {l}");
        let mean = l["mean"]["mean"].as_f64().unwrap();
        assert!((mean - (49.0 * 64.0 + 100.0) / 50.0).abs() < 1e-9, "{l}");
        assert!(l["mean"]["low"].as_f64().unwrap() < mean);
        assert_eq!(l["below_four_fifths"], true, "{l}");
        // Neither team is in the directory, so both fall under one site row.
        let s = group(&f, "scores_by_site", "(team not in the directory)");
        assert_eq!(s["moments"]["n"], 100);

        // Agents' means by team: Cards' five agents all at 100, Loans' spread by the one
        // lifted chat (l1 at 67.6, the others at 64).
        let dist = f["agent_means_by_team"].as_array().unwrap();
        assert_eq!(dist.len(), 2, "{f}");
        assert_eq!(dist[1][0], "Loans");
        let q = &dist[1][1];
        assert_eq!(
            (q["n"].clone(), q["min"].clone(), q["median"].clone()),
            (json!(5), json!(64.0), json!(64.0))
        );
        assert!((q["max"].as_f64().unwrap() - 67.6).abs() < 1e-9);
        // The evaluator: one review, +36 points.
        let e = f["evaluators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["evaluator"] == "quinn")
            .unwrap_or_else(|| panic!("{f}"));
        assert_eq!(e["reviewed"], 1);
        assert!(
            e["mean_change"].is_null(),
            "one review is too few for a mean"
        );
        assert!(f["definitions"].as_array().unwrap().len() >= 5);

        // The page shows the same, with the screen's warning.
        let page = app.get("/fairness", &cookie).await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "below 0.8: look closer",
                "<th scope=\"row\">c1</th>",
                "Four-fifths screen",
                "<svg class=\"chart boxplot\"",
            ],
        );
        // The interaction page says why c1-0 counts as difficult, and the score is whole.
        let i = app.get("/interactions/c1-0", &qc).await;
        i.assert_contains("The customer was hostile in turn 2: a difficult contact");
        assert!(!app
            .get("/interactions/c1-9", &qc)
            .await
            .body
            .contains("About the contact"));
        // QA analysts may look too; agents and team leads may not.
        assert_eq!(app.get("/fairness", &qc).await.status, StatusCode::OK);
        for role in [Role::Agent, Role::TeamLead, Role::Admin] {
            let u = app.user(&format!("u-{role:?}"), &[role]).await;
            let (ck, _) = app.session(&u).await;
            assert_eq!(
                app.get("/api/v1/fairness", &ck).await.status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            assert_eq!(
                app.get("/fairness/training", &ck).await.status,
                StatusCode::FORBIDDEN
            );
        }
        // A period out of range is refused, naming the field.
        for bad in ["0", "25", "three"] {
            let r = app
                .get(&format!("/api/v1/fairness?months={bad}"), &cookie)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(r.json()["message"].as_str().unwrap().contains("months"));
        }
        // The evidence binder counts the flagged group (Loans) under data analytics.
        let b = app.get("/api/v1/binder", &cookie).await.json();
        let flags = b["topics"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["questions"].as_array().unwrap())
            .flat_map(|q| q["figures"].as_array().unwrap())
            .find(|f| f["key"] == "analytics.four_fifths_flags")
            .unwrap_or_else(|| panic!("{b}"))
            .clone();
        assert_eq!(flags["value"], 1.0, "{flags}");
        // Twelve months hold the same November.
        let y = app.get("/api/v1/fairness?months=12", &cookie).await.json();
        assert_eq!(y["organisation"]["interactions"], 100);
        assert_eq!(y["from"], "2025-12");
    }
}

#[tokio::test]
async fn agents_see_their_own_numbers_with_the_formula_and_every_input() {
    for app in App::each().await {
        ingest(&app, &november()).await;
        lift(&app, "l1-3").await;

        let l1 = app.user("l1", &[Role::Agent]).await;
        let (cookie, _) = app.session(&l1).await;
        let r = app.get("/api/v1/me/numbers", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let n = r.json();
        assert_eq!(n["team"], "Loans");
        assert_eq!(n["interactions"], 10);
        assert_eq!(n["moments"]["sum"], 9 * 64 + 100, "{n}");
        assert_eq!(n["moments"]["passed"], 1);
        assert!((n["mean"]["mean"].as_f64().unwrap() - 67.6).abs() < 1e-9);
        // The inputs are exactly this agent's ten chats; the lifted one names its
        // evaluator, the rest the engine.
        let inputs = n["inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), 10);
        assert!(inputs
            .iter()
            .all(|i| i["ext_id"].as_str().unwrap().starts_with("l1-")));
        let lifted = inputs.iter().find(|i| i["ext_id"] == "l1-3").unwrap();
        assert_eq!(
            (lifted["pct"].clone(), lifted["evaluator"].clone()),
            (json!(100), json!("quinn"))
        );
        assert!(inputs.iter().filter(|i| i["evaluator"] == "engine").count() == 9);
        assert_eq!(
            inputs
                .iter()
                .map(|i| i["pct"].as_i64().unwrap())
                .sum::<i64>(),
            n["moments"]["sum"].as_i64().unwrap(),
            "the listed inputs add up to the number"
        );
        assert_eq!(n["inputs_truncated"], false);
        // The team: five agents, so team averages show.
        assert_eq!(n["team_difficult_per_agent"], 0.0);

        let page = app.get("/my/numbers", &cookie).await;
        page.assert_answer(
            StatusCode::OK,
            &["Explain this number", "676 ÷ 10", "/my/interactions/l1-3"],
        );
        assert!(!page.body.contains("l2-"), "nobody else's interactions");
        // The period can be chosen; a year holds the same ten chats.
        let y = app
            .get("/api/v1/me/numbers?months=12", &cookie)
            .await
            .json();
        assert_eq!(
            (y["months"].clone(), y["interactions"].clone()),
            (json!(12), json!(10))
        );
        assert!(app
            .get("/my/numbers?months=12", &cookie)
            .await
            .body
            .contains("<option value=\"12\" selected>"));
        // My work links to it.
        assert!(app
            .get("/my/work", &cookie)
            .await
            .body
            .contains("href=\"/my/numbers\""));

        // c1 sees the difficult contacts carried against the team's average.
        let c1 = app.user("c1", &[Role::Agent]).await;
        let (c1c, _) = app.session(&c1).await;
        let n = app.get("/api/v1/me/numbers", &c1c).await.json();
        assert_eq!(n["difficult"], 6);
        assert_eq!(n["team_difficult_per_agent"], 2.0);
        // Someone who handled nothing gets empty numbers, not an error.
        let (tc, _) = app.session(&app.user("newbie", &[Role::Agent]).await).await;
        let n = app.get("/api/v1/me/numbers", &tc).await.json();
        assert_eq!(n["interactions"], 0);
        assert!(n["mean"].is_null());
    }
}

/// The training-effectiveness API for `course`, with `more` query parameters.
async fn effect(app: &App, cookie: &str, course: impl std::fmt::Display, more: &str) -> Resp {
    let path = format!("/api/v1/fairness/training?course={course}{more}");
    app.get(&path, cookie).await
}

#[tokio::test]
async fn training_effectiveness_compares_the_same_agents_before_and_after_and_cohorts() {
    for app in App::each().await {
        let rng = &mut rand::thread_rng();
        let now = app.now();
        let course = app
            .state
            .db
            .create_training_course(
                &righttrack_store::training::CourseInput {
                    code: "honest-selling".into(),
                    title: "Honest selling".into(),
                    content: "Promise only what the company can deliver.".into(),
                    quiz: righttrack_core::training::Quiz { questions: vec![] },
                    pass_mark: 80,
                    validity_months: None,
                    grants_data_access: false,
                    external: false,
                },
                now,
                rng,
            )
            .await
            .unwrap();
        // Five agents complete in July; five never do. Before (April–June) the trained
        // five give guarantees in 4 of 10 chats a month, after (August–October) in 1.
        let mut lines = Vec::new();
        for a in 1..=5 {
            let u = app.user(&format!("t{a}"), &[Role::Agent]).await;
            app.state
                .db
                .add_training_completion(
                    &righttrack_store::training::NewCompletion {
                        course_id: course.clone(),
                        user_id: u.id,
                        completed_at: "2026-07-15T10:00:00Z".parse().unwrap(),
                        expires_at: None,
                        score: Some(100),
                        source: "manual",
                        note: String::new(),
                        recorded_by: "olga".into(),
                        verification: format!("v-{a}"),
                    },
                    now,
                    rng,
                )
                .await
                .unwrap();
            for (m, bad) in [
                ("04", 4),
                ("05", 4),
                ("06", 4),
                ("07", 9),
                ("08", 1),
                ("09", 1),
                ("10", 1),
            ] {
                for i in 0..10 {
                    for (agent, bad) in [(format!("t{a}"), bad), (format!("u{a}"), 3)] {
                        lines.push(line(
                            &format!("{agent}-{m}-{i}"),
                            &agent,
                            "Cards",
                            &format!("2026-{m}-{:02}T10:00:00Z", 10 + i),
                            CALM,
                            if i < bad {
                                "I guarantee approval."
                            } else {
                                "It is on its way."
                            },
                        ));
                    }
                }
            }
        }
        ingest(&app, &lines).await;

        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&olga).await;
        let r = effect(&app, &cookie, &course, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let e = r.json();
        assert_eq!(e["agents"], 5, "{e}");
        assert_eq!(
            (
                e["interactions_before"].clone(),
                e["interactions_after"].clone()
            ),
            (json!(150), json!(150))
        );
        let g = e["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "honesty.guarantee")
            .unwrap();
        assert_eq!(
            (g["before"].clone(), g["after"].clone()),
            (json!(400.0), json!(100.0)),
            "{g}"
        );
        assert_eq!(g["change"], -75.0);
        // Cohorts: from August the five trained agents form their own cohort.
        let cohorts = e["cohorts"].as_array().unwrap();
        let aug = cohorts.iter().find(|c| c["month"] == "2026-08").unwrap();
        assert_eq!(
            (
                aug["trained_agents"].clone(),
                aug["untrained_agents"].clone()
            ),
            (json!(5), json!(5))
        );
        assert_eq!(aug["trained"], 100.0);
        assert_eq!(aug["untrained"], 300.0);
        let jul = cohorts.iter().find(|c| c["month"] == "2026-07").unwrap();
        assert_eq!(jul["trained_agents"], 0, "July is the month of training");
        assert!(jul["trained"].is_null(), "no trained cohort yet");

        let page = app
            .get(&format!("/fairness/training?course={course}"), &cookie)
            .await;
        page.assert_answer(
            StatusCode::OK,
            &["Honest selling", "<td>400</td><td>100</td><td>-75 %</td>"],
        );
        // One month on each side: June against August, the same rates from half the
        // interactions. Four months: the "after" months run to the end of November,
        // which has not ended, so nobody counts yet.
        let one = effect(&app, &cookie, &course, "&window=1").await.json();
        assert_eq!(one["window_months"], 1);
        assert_eq!(
            (
                one["interactions_before"].clone(),
                one["interactions_after"].clone()
            ),
            (json!(50), json!(50)),
            "{one}"
        );
        let four = effect(&app, &cookie, &course, "&window=4").await.json();
        assert_eq!(four["agents"], 0, "{four}");
        let bad = app
            .get(
                &format!("/fairness/training?course={course}&window=7"),
                &cookie,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("window: must be a whole number of months from 1 to 6");
        // An unknown course is a 404, not an empty page.
        assert_eq!(
            app.get("/fairness/training?course=nope", &cookie)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}
