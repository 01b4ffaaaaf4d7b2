//! Coaching from the users' side: a lead records a session on an interaction's scorecard
//! item with goals and dates, the agent sees it, acknowledges it and answers; when a
//! goal's date comes its follow-up appears; the item's later scores show the effect.
//! Agents rate their lead anonymously, once a quarter; the lead sees nothing until the
//! quarter has ended and enough people rated, then averages only. Every attack we could
//! think of is a test here. SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{days, staff, App, Staff};
use righttrack_core::Role;
use serde_json::json;

const FEEDBACK: &str = "You promised a delivery date we cannot keep; say what we know instead";
const GOAL: &str = "Offer a tracked callback instead of a promise";
const COMMENT: &str = "Fair point, but the script pushes us to reassure quickly";

/// Billing (Lena, agents Ana and Ben) under Operations (Sam); Porto (Tom, agent Pia)
/// apart.
struct Org {
    sam: Staff,
    lena: Staff,
    tom: Staff,
    ana: Staff,
    ben: Staff,
}

async fn org(app: &App) -> Org {
    let sam = staff(app, "sam", &[Role::TeamLead]).await;
    let lena = staff(app, "lena", &[Role::TeamLead]).await;
    let tom = staff(app, "tom", &[Role::TeamLead]).await;
    let ana = staff(app, "ana", &[Role::Agent]).await;
    let ben = staff(app, "ben", &[Role::Agent]).await;
    let pia = staff(app, "pia", &[Role::Agent]).await;
    let db = &app.state.db;
    let mut rng = rand::rngs::OsRng;
    let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
    let ops = db
        .create_team("Operations", site, None, app.now(), &mut rng)
        .await
        .unwrap();
    db.set_team_lead(ops, sam.user.id).await.unwrap();
    let billing = db
        .create_team("Billing", site, Some(ops), app.now(), &mut rng)
        .await
        .unwrap();
    db.set_team_lead(billing, lena.user.id).await.unwrap();
    let porto = db
        .create_team("Porto", site, None, app.now(), &mut rng)
        .await
        .unwrap();
    db.set_team_lead(porto, tom.user.id).await.unwrap();
    for (who, team) in [(&ana, billing), (&ben, billing), (&pia, porto)] {
        db.set_user_team(who.user.id, Some(team)).await.unwrap();
    }
    Org {
        sam,
        lena,
        tom,
        ana,
        ben,
    }
}

/// An interaction of `agent` started `at`, failing "honesty" when `promise`.
fn line(id: &str, agent: &str, at: jiff::Timestamp, promise: bool) -> String {
    let said = if promise {
        "I guarantee it arrives tomorrow"
    } else {
        "I cannot promise a date, but I can track it for you"
    };
    json!({
        "id": id, "channel": "chat", "agent_id": agent, "team": "Billing",
        "started_at": at.to_string(),
        "turns": [
            {"speaker": "customer", "text": "my parcel is late"},
            {"speaker": "agent", "text": said}
        ]
    })
    .to_string()
}

fn date_in(app: &App, n: i64) -> String {
    app.now()
        .checked_add(days(n))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string()
}

/// Lena records a session with Ana on `interaction`'s honesty item, one goal due in
/// `due_in` days; the session's id.
async fn record(app: &App, lena: &Staff, interaction: &str, due_in: i64) -> String {
    let due = date_in(app, due_in);
    let r = lena
        .post(
            app,
            "/coaching",
            &[
                ("agent", "ana"),
                ("interaction", interaction),
                ("item", "honesty"),
                ("feedback", FEEDBACK),
                ("goal1", GOAL),
                ("due1", &due),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/coaching/").to_owned()
}

#[tokio::test]
async fn a_lead_coaches_and_the_agent_acknowledges_and_answers() {
    for app in App::each().await {
        let o = org(&app).await;
        let r = app
            .ingest(Role::Admin, &[line("co-1", "ana", app.now(), true)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The interaction's page leads to the form, filled in.
        let page = o.lena.get(&app, "/interactions/co-1").await;
        page.assert_answer(StatusCode::OK, &["Coach on this item"]);
        let form = o
            .lena
            .get(&app, "/coaching?agent=ana&interaction=co-1&item=honesty")
            .await;
        form.assert_answer(
            StatusCode::OK,
            &["value=\"co-1\"", "<option value=\"ana\" selected>"],
        );
        let id = record(&app, &o.lena, "co-1", 14).await;

        let page = o.lena.get(&app, &format!("/coaching/{id}")).await;
        page.assert_answer(StatusCode::OK, &[FEEDBACK, GOAL, "Not acknowledged yet"]);
        o.lena
            .get(&app, "/coaching")
            .await
            .assert_answer(StatusCode::OK, &["ana Person", "not yet"]);

        // The agent sees it, acknowledges it and answers in her own words.
        let mine = o.ana.get(&app, "/my-coaching").await;
        mine.assert_answer(StatusCode::OK, &[FEEDBACK, GOAL, "Acknowledge"]);
        let r = o
            .ana
            .post(&app, &format!("/my-coaching/{id}/acknowledge"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = o
            .ana
            .post(
                &app,
                &format!("/my-coaching/{id}/comment"),
                &[("comment", COMMENT)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        o.lena
            .get(&app, &format!("/coaching/{id}"))
            .await
            .assert_contains(COMMENT);
        // Once: a second comment is refused, and says so.
        let r = o
            .ana
            .post(
                &app,
                &format!("/my-coaching/{id}/comment"),
                &[("comment", "again")],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["already commented"]);

        // The API says the same.
        let bearer = app
            .bearer(&o.ana.user, &[righttrack_core::authz::Scope::Read])
            .await;
        let j = app.api_get("/api/v1/my/coaching", &bearer).await.json();
        assert_eq!(j["sessions"][0]["comment"], COMMENT);
        assert_eq!(j["sessions"][0]["goals"][0]["text"], GOAL);

        // The trail has who did what, never the words.
        let entries = app.audit_entries("coaching.").await;
        let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        // Newest first.
        assert_eq!(
            actions,
            [
                "coaching.commented",
                "coaching.acknowledged",
                "coaching.recorded"
            ]
        );
        for (_, _, detail) in &entries {
            assert!(
                !detail.contains("promise") && !detail.contains("script"),
                "{detail}"
            );
        }
        app.assert_not_at_rest(&[FEEDBACK, GOAL, COMMENT]).await;
    }
}

#[tokio::test]
async fn nobody_outside_the_line_reads_or_answers_a_session() {
    for app in App::each().await {
        let o = org(&app).await;
        app.ingest(
            Role::Admin,
            &[
                line("co-2", "ana", app.now(), true),
                line("co-3", "pia", app.now(), true),
            ],
        )
        .await;
        let id = record(&app, &o.lena, "co-2", 14).await;

        // A lead of another team: the same "not found" as for an id that does not exist.
        for path in [format!("/coaching/{id}"), format!("/api/v1/coaching/{id}")] {
            assert_eq!(o.tom.get(&app, &path).await.status, StatusCode::NOT_FOUND);
        }
        let r = o
            .tom
            .post(
                &app,
                &format!("/coaching/{id}/follow-up"),
                &[("goal", "1"), ("outcome", "met")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        o.tom.get(&app, "/coaching").await.assert_lacks(FEEDBACK);
        // Nor may he coach her, and a lead cannot tie a session to another agent's
        // interaction.
        let due = date_in(&app, 10);
        let r = o
            .tom
            .post(
                &app,
                "/coaching",
                &[
                    ("agent", "ana"),
                    ("feedback", "x"),
                    ("goal1", "y"),
                    ("due1", &due),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Agent: not an agent of your teams"],
        );
        let r = o
            .lena
            .post(
                &app,
                "/coaching",
                &[
                    ("agent", "ana"),
                    ("interaction", "co-3"),
                    ("feedback", "x"),
                    ("goal1", "y"),
                    ("due1", &due),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Interaction: not an interaction of this agent"],
        );

        // Another agent can neither read, acknowledge nor answer it.
        o.ben.get(&app, "/my-coaching").await.assert_lacks(FEEDBACK);
        for what in ["acknowledge", "comment"] {
            let r = o
                .ben
                .post(
                    &app,
                    &format!("/my-coaching/{id}/{what}"),
                    &[("comment", "mine now")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}");
        }
        let ben = app
            .bearer(&o.ben.user, &[righttrack_core::authz::Scope::Admin])
            .await;
        let r = app
            .api_post(
                &format!("/api/v1/my/coaching/{id}/comment"),
                &ben,
                &json!({"comment": "mine now"}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // An agent has no lead's page.
        assert_eq!(
            o.ana.get(&app, &format!("/coaching/{id}")).await.status,
            StatusCode::FORBIDDEN
        );

        // The lead above Lena reads it, and that is on the trail.
        o.sam
            .get(&app, &format!("/coaching/{id}"))
            .await
            .assert_answer(StatusCode::OK, &[FEEDBACK]);
        assert!(app.audited("coaching.viewed").await);
    }
}

#[tokio::test]
async fn a_refused_session_keeps_what_was_typed_and_names_the_field() {
    for app in App::each().await {
        let o = org(&app).await;
        let typed = "Slow down before promising anything";
        let r = o
            .lena
            .post(
                &app,
                "/coaching",
                &[
                    ("agent", "ana"),
                    ("item", "honesty"),
                    ("feedback", typed),
                    ("goal1", GOAL),
                    ("due1", "next week"),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "Goal 1 date: a date as YYYY-MM-DD",
                typed,
                GOAL,
                "aria-invalid",
            ],
        );
        let today = date_in(&app, 0);
        let r = o
            .lena
            .post(
                &app,
                "/coaching",
                &[
                    ("agent", "ana"),
                    ("feedback", typed),
                    ("goal1", GOAL),
                    ("due1", &today),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Goal 1 date: must be after today"],
        );
        let r = o
            .lena
            .post(&app, "/coaching", &[("agent", "ana"), ("feedback", " ")])
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["Feedback: required"]);
        let long = "x".repeat(2001);
        let r = o
            .lena
            .post(
                &app,
                "/coaching",
                &[
                    ("agent", "ana"),
                    ("feedback", &long),
                    ("goal1", GOAL),
                    ("due1", &date_in(&app, 3)),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Feedback: at most 2000 characters"],
        );
        let r = o
            .lena
            .post(
                &app,
                "/coaching",
                &[("agent", "ana"), ("item", "nonsense"), ("feedback", typed)],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Scorecard item: not an item"],
        );
        // Over the API: the same message, as JSON.
        let bearer = app
            .bearer(&o.lena.user, &[righttrack_core::authz::Scope::Admin])
            .await;
        let r = app
            .api_post(
                "/api/v1/coaching",
                &bearer,
                &json!({"agent": "ana", "feedback": typed, "goals": [{"text": GOAL, "due_on": "soon"}]})
                    .to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("Goal 1 date"), "{}", r.body);
        // An agent's comment that is refused is kept too.
        app.ingest(Role::Admin, &[line("co-9", "ana", app.now(), true)])
            .await;
        let id = record(&app, &o.lena, "co-9", 5).await;
        let r = o
            .ana
            .post(
                &app,
                &format!("/my-coaching/{id}/comment"),
                &[("comment", &"y".repeat(2001))],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["Your comment: at most 2000 characters", "yyyyyyyy"],
        );
    }
}

#[tokio::test]
async fn the_follow_up_comes_with_the_goal_date_and_later_scores_show_the_effect() {
    for app in App::each().await {
        let mut o = org(&app).await;
        // Before the session: 20 promises the agent could not keep.
        let before: Vec<String> = (0..20)
            .map(|i| {
                let at = app.now().checked_sub(days(30 - i)).unwrap();
                line(&format!("b-{i}"), "ana", at, true)
            })
            .collect();
        let r = app.ingest(Role::Admin, &before).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = record(&app, &o.lena, "b-19", 10).await;

        // Not due yet: no follow-up, and recording one early is refused.
        o.lena
            .get(&app, "/coaching")
            .await
            .assert_contains("No goal is due for its follow-up");
        let r = o
            .lena
            .post(
                &app,
                &format!("/coaching/{id}/follow-up"),
                &[("goal", "1"), ("outcome", "met"), ("note", "early")],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["has not come yet"]);

        // After it: 20 honest answers, and the goal's date comes.
        let after: Vec<String> = (0..20)
            .map(|i| {
                let at = app
                    .now()
                    .checked_add(jiff::SignedDuration::from_hours(1 + i))
                    .unwrap();
                line(&format!("a-{i}"), "ana", at, false)
            })
            .collect();
        let r = app.ingest(Role::Admin, &after).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.clock.advance(days(11));
        o.lena.again(&app).await;
        o.lena
            .get(&app, "/coaching")
            .await
            .assert_answer(StatusCode::OK, &["id=\"follow-ups\"", GOAL]);
        let page = o.lena.get(&app, &format!("/coaching/{id}")).await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "1000 per 1,000 interactions (20 interactions)",
                "0 per 1,000 interactions (20 interactions)",
                "-100 %",
                "(so far)",
                "Record the follow-up",
            ],
        );
        let bearer = app
            .bearer(&o.lena.user, &[righttrack_core::authz::Scope::Read])
            .await;
        let j = app
            .api_get(&format!("/api/v1/coaching/{id}"), &bearer)
            .await
            .json();
        assert_eq!(j["effect"]["before"]["failed"], 20);
        assert_eq!(j["effect"]["after"]["failed"], 0);
        assert_eq!(j["effect"]["change"], -100.0);

        let r = o
            .lena
            .post(
                &app,
                &format!("/coaching/{id}/follow-up"),
                &[
                    ("goal", "1"),
                    ("outcome", "met"),
                    ("note", "Callbacks offered every time"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        o.lena
            .get(&app, "/coaching")
            .await
            .assert_contains("No goal is due for its follow-up");
        o.ana.again(&app).await;
        o.ana
            .get(&app, "/my-coaching")
            .await
            .assert_contains("Callbacks offered every time");
        let r = o
            .lena
            .post(
                &app,
                &format!("/coaching/{id}/follow-up"),
                &[("goal", "1"), ("outcome", "not_met")],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["already been followed up"],
        );
        let outcomes = app.audit_entries("coaching.followed_up").await;
        assert_eq!(outcomes.len(), 1);
        assert!(!outcomes[0].2.contains("Callbacks"), "{:?}", outcomes[0]);
    }
}

/// `n` agents in a new team led by `lead`, each signed in.
async fn agents_of(app: &App, team: &str, lead: &Staff, n: usize) -> Vec<Staff> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(staff(app, &format!("{team}-{i}"), &[Role::Agent]).await);
    }
    let users: Vec<&righttrack_store::directory::User> = out.iter().map(|s| &s.user).collect();
    app.team(team, &lead.user, &users).await;
    out
}

async fn rate(app: &App, who: &Staff, lead: &str, c: &str, f: &str) -> common::Resp {
    who.post(
        app,
        "/my-coaching/rate",
        &[("lead", lead), ("coaching", c), ("fairness", f)],
    )
    .await
}

#[tokio::test]
async fn upward_feedback_is_shown_only_after_the_quarter_and_above_the_survey_floor() {
    for app in App::each().await {
        let lena = staff(&app, "lena", &[Role::TeamLead]).await;
        let tom = staff(&app, "tom", &[Role::TeamLead]).await;
        let billing = agents_of(&app, "billing", &lena, 6).await;
        let porto = agents_of(&app, "porto", &tom, 2).await;
        let ethics = staff(&app, "olga", &[Role::EthicsOfficer]).await;

        let mine = billing[0].get(&app, "/my-coaching").await;
        mine.assert_answer(
            StatusCode::OK,
            &["Rate your lead (2026-Q4)", "Send my rating of lena"],
        );
        for (i, a) in billing.iter().take(5).enumerate() {
            let score = if i == 0 { "2" } else { "5" };
            let r = rate(&app, a, "lena", score, "4").await;
            r.assert_answer(StatusCode::OK, &["stored without your name"]);
        }
        // Ballot stuffing: the same person again, by form or API, is refused.
        rate(&app, &billing[0], "lena", "5", "5")
            .await
            .assert_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                &["already rated this lead"],
            );
        let bearer = app
            .bearer(&billing[0].user, &[righttrack_core::authz::Scope::Admin])
            .await;
        let r = app
            .api_post(
                "/api/v1/upward-feedback",
                &bearer,
                &json!({"lead": "lena", "coaching": 5, "fairness": 5}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        // Nobody rates a lead who is not theirs; a bad answer names its question.
        assert_eq!(
            rate(&app, &porto[0], "lena", "1", "1").await.status,
            StatusCode::NOT_FOUND
        );
        rate(&app, &billing[5], "lena", "9", "1")
            .await
            .assert_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                &["Coaching: choose an answer from 1 to 5"],
            );
        for a in &porto {
            rate(&app, a, "tom", "1", "1").await;
        }

        // While the quarter runs, a lead learns nothing, not even a count that moves
        // when someone rates.
        let lead_bearer = app
            .bearer(&lena.user, &[righttrack_core::authz::Scope::Read])
            .await;
        let open = app
            .api_get("/api/v1/upward-feedback?round=2026-Q4", &lead_bearer)
            .await;
        assert_eq!(open.status, StatusCode::OK, "{}", open.body);
        assert_eq!(
            open.json()["leads"][0]["released"],
            json!({"status": "open"})
        );
        lena.get(&app, "/upward-feedback?round=2026-Q4")
            .await
            .assert_answer(StatusCode::OK, &["round still open"]);

        // The quarter ends: averages for Lena (5 raters); nothing for Tom's team of two.
        app.clock.advance(days(45));
        let mut lena = lena;
        lena.again(&app).await;
        let page = lena.get(&app, "/upward-feedback").await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "2026-Q4",
                "4.4 of 5 (80 % favourable)",
                "4.0 of 5 (100 % favourable)",
            ],
        );
        page.assert_lacks("tom Person");
        let lead_bearer = app
            .bearer(&lena.user, &[righttrack_core::authz::Scope::Read])
            .await;
        let j = app
            .api_get("/api/v1/upward-feedback", &lead_bearer)
            .await
            .json();
        assert_eq!(j["leads"].as_array().unwrap().len(), 1);
        assert_eq!(j["leads"][0]["released"]["raters"], 5);
        let mut ethics = ethics;
        ethics.again(&app).await;
        ethics.get(&app, "/upward-feedback").await.assert_answer(
            StatusCode::OK,
            &["lena", "tom", "fewer than 5 ratings: not shown"],
        );
        let mut tom = tom;
        tom.again(&app).await;
        tom.get(&app, "/upward-feedback")
            .await
            .assert_answer(StatusCode::OK, &["fewer than 5 ratings: not shown"]);

        // Nothing joins a rating to its rater: no column of the ratings names a person
        // or a time, and rating leaves nothing on the trail.
        let cols = app.state.db.schema_columns().await.unwrap();
        let rating_cols: Vec<&str> = cols
            .iter()
            .filter(|(t, _)| t == "upward_ratings")
            .map(|(_, c)| c.as_str())
            .collect();
        let mut sorted = rating_cols.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["coaching", "fairness", "id", "lead", "round"]);
        assert!(app.audit_entries("upward").await.is_empty());
        assert!(app.audit_entries("coaching").await.is_empty());
    }
}
