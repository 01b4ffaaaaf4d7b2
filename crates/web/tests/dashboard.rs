//! The ethics-health dashboard from its users' side: figures that follow what was
//! ingested and reported, the drill-down to a team, withheld small figures, hotline
//! counts scoped to the cases the viewer can read, and who may see it. Runs on SQLite
//! and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::App;
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use serde_json::{json, Value};

fn line(id: &str, team: &str, started: &str, agent_says: &str) -> String {
    json!({
        "id": id, "channel": "chat", "agent_id": "a-17", "team": team, "started_at": started,
        "turns": [
            {"speaker": "agent", "text": "Hello, thanks for contacting Northwind"},
            {"speaker": "customer", "text": "my parcel is late"},
            {"speaker": "agent", "text": agent_says}
        ]
    })
    .to_string()
}

async fn ingest(app: &App, lines: &[String]) {
    let bot = app.user("ingest-bot", &[Role::QaAnalyst]).await;
    let t = righttrack_web::auth::issue_token(&app.state, "test", &bot, "t", &[Scope::Ingest])
        .await
        .unwrap();
    let r = app
        .send(
            Method::POST,
            "/api/v1/interactions",
            &[
                ("authorization", &format!("Bearer {}", t.expose())),
                ("content-type", "application/x-ndjson"),
            ],
            &lines.join("\n"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn indicator<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no indicator {key}: {d}"))
}

fn last(d: &Value, key: &str) -> Value {
    indicator(d, key)["values"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-6)
}

#[tokio::test]
async fn figures_follow_ingestion_drill_down_to_a_team_and_withhold_small_ones() {
    for app in App::each().await {
        let mut lines = Vec::new();
        for i in 0..30 {
            lines.push(line(
                &format!("oct-{i}"),
                "Cards",
                "2026-10-10T10:00:00Z",
                "It is on its way.",
            ));
        }
        for i in 0..40 {
            let says = if i < 10 {
                "I guarantee it arrives tomorrow."
            } else {
                "It is on its way."
            };
            lines.push(line(
                &format!("nov-{i}"),
                "Cards",
                "2026-11-10T10:00:00Z",
                says,
            ));
        }
        for i in 0..5 {
            lines.push(line(
                &format!("loans-{i}"),
                "Loans",
                "2026-11-11T10:00:00Z",
                "I guarantee approval.",
            ));
        }
        ingest(&app, &lines).await;

        let officer = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&officer).await;
        let r = app.get("/api/v1/dashboard", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d = r.json();
        let months = d["months"].as_array().unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months[11], "2026-11");
        assert_eq!(months[0], "2025-12");
        assert!(close(&last(&d, "interactions_reviewed"), 45.0), "{d}");
        let reviewed = indicator(&d, "interactions_reviewed")["values"]
            .as_array()
            .unwrap()
            .clone();
        assert!(close(&reviewed[10], 30.0));

        // The guarantee rule fired in 15 of the 75 interactions of the year, 15 of the 45
        // of November.
        let rule = d["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "honesty.guarantee")
            .unwrap_or_else(|| panic!("{d}"));
        assert!(close(&rule["per_1000"], 200.0), "{rule}");
        assert!(close(
            rule["monthly"].as_array().unwrap().last().unwrap(),
            1000.0 * 15.0 / 45.0
        ));
        assert!(
            last(&d, "violations_per_1000").as_f64().unwrap() >= 1000.0 * 15.0 / 45.0 - 1e-6,
            "every rule counts towards the total"
        );
        assert_eq!(
            d["teams"],
            json!([{"team": "Cards", "interactions": 70}, {"team": "Loans", "interactions": 5}])
        );

        // Drill-down: Cards alone; Loans has too few interactions for a rate.
        let cards = app
            .get("/api/v1/dashboard?team=Cards", &cookie)
            .await
            .json();
        assert!(close(&last(&cards, "interactions_reviewed"), 40.0));
        let cards_rule = &cards["rules"].as_array().unwrap()[0];
        assert_eq!(cards_rule["rule"], "honesty.guarantee");
        assert!(close(
            cards_rule["monthly"].as_array().unwrap().last().unwrap(),
            250.0
        ));
        let loans = app
            .get("/api/v1/dashboard?team=Loans", &cookie)
            .await
            .json();
        assert!(close(&last(&loans, "interactions_reviewed"), 5.0));
        assert_eq!(last(&loans, "violations_per_1000"), Value::Null);
        assert!(indicator(&loans, "violations_per_1000")["withheld_when"]
            .as_str()
            .unwrap()
            .contains("fewer than 20 interactions"));
        assert!(
            loans["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["key"] != "reports_per_100"),
            "a team's slice carries no hotline figures"
        );
        let nope = app.get("/api/v1/dashboard?team=Nope", &cookie).await;
        assert_eq!(nope.status, StatusCode::NOT_FOUND);

        // The page draws the same figures, with a chart and its table.
        let page = app.get("/dashboard", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<svg class=\"chart\""));
        assert!(page.body.contains("Interactions reviewed in 2026-11: 45."));
        assert!(page.body.contains("href=\"/dashboard?team=Loans\""));
        assert!(page
            .body
            .contains("href=\"/qa/review?rule=honesty.guarantee\""));
        let team_page = app.get("/dashboard?team=Loans", &cookie).await;
        assert!(team_page.body.contains("Ethics health: team Loans"));
        assert!(!team_page.body.contains("Speak-up hotline"));
    }
}

#[tokio::test]
async fn hotline_figures_count_the_cases_the_viewer_can_read() {
    for app in App::each().await {
        let officer = app.user("olga", &[Role::EthicsOfficer]).await;
        let committee = app.user("carl", &[Role::AuditCommittee]).await;
        let agent = app.user("ana", &[Role::Agent]).await;
        // Signing in gives case readers their key pair, so new cases are wrapped for them.
        app.session(&officer).await;
        app.session(&committee).await;
        for i in 0..6 {
            let r = app
                .send(
                    Method::POST,
                    "/api/v1/speakup/reports",
                    &[("content-type", "application/json")],
                    &if i % 2 == 0 {
                        json!({"category": "harassment", "description": format!("report {i}"), "anonymous": true})
                    } else {
                        json!({"category": "harassment", "description": format!("report {i}"), "anonymous": false, "name": "Named Reporter"})
                    }
                    .to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        // A hundred days later the acknowledgements (met at submission) and the
        // three-month feedback deadlines (not met) have both fallen due.
        app.clock
            .advance(jiff::SignedDuration::from_hours(24 * 100));
        let (cookie, _) = app.session(&officer).await;
        let d = app.get("/api/v1/dashboard", &cookie).await.json();
        let headcount = d["headcount"].as_f64().unwrap();
        assert_eq!(headcount, 3.0);
        assert!(
            close(&last(&d, "reports_per_100"), 600.0 / headcount),
            "{d}"
        );
        assert!(close(&last(&d, "anonymous_share"), 50.0));
        assert!(close(&last(&d, "legal_clock_compliance"), 50.0), "{d}");
        assert_eq!(
            last(&d, "substantiation_rate"),
            Value::Null,
            "nothing decided"
        );
        assert_eq!(
            indicator(&d, "reports_per_100")["benchmark"]["source"],
            "NAVEX median 1.57"
        );

        // The audit committee holds no key to harassment cases: none is counted for it.
        let (c_cookie, _) = app.session(&committee).await;
        let c = app.get("/api/v1/dashboard", &c_cookie).await.json();
        assert_eq!(last(&c, "reports_per_100"), Value::Null);

        // Agents do not see the dashboard, by page or by API.
        let (a_cookie, _) = app.session(&agent).await;
        assert_eq!(
            app.get("/api/v1/dashboard", &a_cookie).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/dashboard", &a_cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
}
