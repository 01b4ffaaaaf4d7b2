//! Hotline analytics as an ethics officer meets them: only the cases they can read are
//! counted, destroyed cases' statistics are, groups under five show no number, and the
//! figures are the ones computed by hand below.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::App;
use jiff::{SignedDuration, Timestamp};
use righttrack_core::hotline_stats::{CaseFacts, CaseStatus as S};
use righttrack_core::Role;
use serde_json::Value;

const YEAR: &str = "/api/v1/speakup/analytics?from=2026-01-01&to=2026-12-31";

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn case(cat: &str, anonymous: bool, returned: bool, status: S, submitted: &str) -> CaseFacts {
    CaseFacts {
        category: cat.into(),
        anonymous,
        status,
        submitted_at: at(submitted),
        closed_at: None,
        reporter_returned: returned,
    }
}

fn closed(mut c: CaseFacts, days: i64) -> CaseFacts {
    c.closed_at = Some(c.submitted_at + SignedDuration::from_hours(24 * days));
    c
}

fn has_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Array(a) => a.iter().any(has_number),
        Value::Object(o) => o.values().any(has_number),
        _ => false,
    }
}

fn near(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

struct Seeded {
    eo: (String, String),
    eo2: (String, String),
    agent: (String, String),
}

/// Ten active employees (a disabled eleventh); for `eo`: seven fraud cases (one of them
/// destroyed), two harassment, five accounting; one fraud case only `eo2` may read.
async fn seed(app: &App) -> Seeded {
    let eo = app.user("eo", &[Role::EthicsOfficer]).await;
    let eo2 = app.user("eo2", &[Role::EthicsOfficer]).await;
    let mut agent = None;
    for i in 0..8 {
        agent = Some(app.user(&format!("agent{i}"), &[Role::Agent]).await);
    }
    app.user("gone", &[Role::Agent]).await;
    app.t
        .raw("UPDATE users SET disabled = TRUE WHERE username = 'gone'")
        .await
        .unwrap();

    let mine = [
        closed(
            case(
                "fraud",
                true,
                true,
                S::Substantiated,
                "2026-02-01T10:00:00Z",
            ),
            10,
        ),
        closed(
            case(
                "fraud",
                true,
                true,
                S::Unsubstantiated,
                "2026-02-02T10:00:00Z",
            ),
            20,
        ),
        closed(
            case(
                "fraud",
                true,
                false,
                S::Substantiated,
                "2026-02-03T10:00:00Z",
            ),
            30,
        ),
        closed(
            case("fraud", true, false, S::Closed, "2026-02-04T10:00:00Z"),
            40,
        ),
        closed(
            case(
                "fraud",
                false,
                false,
                S::Substantiated,
                "2026-02-05T10:00:00Z",
            ),
            50,
        ),
        case(
            "fraud",
            false,
            false,
            S::Investigating,
            "2026-02-06T10:00:00Z",
        ),
        case(
            "harassment",
            false,
            false,
            S::Received,
            "2026-05-01T10:00:00Z",
        ),
        case(
            "harassment",
            false,
            false,
            S::Received,
            "2026-05-02T10:00:00Z",
        ),
    ];
    for c in &mine {
        app.t.seed_speakup_case(c, &[eo.id]).await.unwrap();
    }
    for d in 1..=5 {
        let c = case(
            "accounting",
            false,
            false,
            S::Received,
            &format!("2026-06-0{d}T10:00:00Z"),
        );
        app.t.seed_speakup_case(&c, &[eo.id]).await.unwrap();
    }
    // Destroyed: counted for everyone.
    let destroyed = closed(
        case(
            "fraud",
            true,
            true,
            S::Substantiated,
            "2026-03-01T10:00:00Z",
        ),
        60,
    );
    app.t
        .seed_speakup_stats(&destroyed, at("2026-09-01T00:00:00Z"))
        .await
        .unwrap();
    // eo is excluded from this one: no wrap, not counted for eo.
    let excluded = case(
        "fraud",
        true,
        true,
        S::Substantiated,
        "2026-04-01T10:00:00Z",
    );
    app.t.seed_speakup_case(&excluded, &[eo2.id]).await.unwrap();
    // Before the period.
    let old = case("fraud", false, false, S::Received, "2025-12-31T10:00:00Z");
    app.t.seed_speakup_case(&old, &[eo.id]).await.unwrap();

    Seeded {
        eo: app.session(&eo).await,
        eo2: app.session(&eo2).await,
        agent: app.session(&agent.unwrap()).await,
    }
}

#[tokio::test]
async fn figures_match_a_hand_computation_and_count_only_readable_cases() {
    for app in App::each().await {
        let s = seed(&app).await;
        let b = app.t.db.backend_name();
        let r = app.get(YEAR, &s.eo.0).await;
        assert_eq!(r.status, StatusCode::OK, "{b} {}", r.body);
        let v = r.json();
        assert_eq!(v["days"], 365);
        assert_eq!(v["headcount"], 10, "{b}: the disabled user is not counted");
        assert!(v["counted"]
            .as_str()
            .unwrap()
            .contains("Only the cases you can read"));

        // Overall: 6 live fraud + 1 destroyed + 2 harassment + 5 accounting = 14 (not
        // the excluded case, not the one from 2025).
        let o = &v["overall"];
        assert_eq!(o["suppressed"], false, "{b} {o}");
        assert_eq!(o["cases"], 14, "{b}");
        // 14 / 10 employees × 100 over exactly a year.
        assert!(near(&o["reports_per_100_employees"], 140.0), "{o}");
        // Anonymous: fraud 1–4 and the destroyed one.
        assert!(near(&o["anonymous_share"], 5.0 / 14.0), "{o}");
        // Of those five, 1, 2 and the destroyed one came back.
        assert!(near(&o["anonymous_follow_up_rate"], 0.6), "{o}");
        // Substantiated 1, 3, 5, destroyed; unsubstantiated 2 → 4 / 5.
        assert!(near(&o["substantiation_rate"], 0.8), "{o}");
        // Closed after 10, 20, 30, 40, 50, 60 days: median 35; p90 rank ⌈5.4⌉ = 6 → 60.
        assert!(near(&o["median_days_to_close"], 35.0), "{o}");
        assert!(near(&o["p90_days_to_close"], 60.0), "{o}");

        let cats = v["categories"].as_array().unwrap();
        let names: Vec<&str> = cats
            .iter()
            .map(|c| c["category"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["accounting", "fraud", "harassment"]);
        let fraud = &cats[1];
        assert_eq!(fraud["cases"], 7, "{b} {fraud}");
        assert!(near(&fraud["reports_per_100_employees"], 70.0));
        assert!(near(&fraud["anonymous_share"], 5.0 / 7.0));
        assert!(near(&fraud["median_days_to_close"], 35.0));
        // Harassment has two cases: words, no number. Accounting has five, but the
        // total minus fraud and accounting would be harassment's two: withheld.
        for c in [&cats[0], &cats[2]] {
            assert_eq!(c["suppressed"], true, "{c}");
            assert!(!has_number(c), "a suppressed row carries a number: {c}");
        }
        assert_eq!(cats[2]["reason"], "fewer than 5 cases");
        assert!(cats[0]["reason"].as_str().unwrap().starts_with("withheld"));

        // The page shows the same figures and says what is counted.
        let page = app
            .get("/speakup/analytics?from=2026-01-01&to=2026-12-31", &s.eo.0)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let h = &page.body;
        assert!(h.contains("Only the cases you can read are counted"), "{h}");
        assert!(h.contains("conflict of interest"));
        assert!(h.contains("destroyed cases"));
        assert!(h.contains(r#"<strong id="stat-cases">14</strong>"#), "{h}");
        assert!(h.contains(r#"<strong id="stat-per100">140.00</strong>"#));
        assert!(h.contains(r#"<strong id="stat-anonymous">36%</strong>"#));
        assert!(h.contains(r#"<strong id="stat-follow-up">60%</strong>"#));
        assert!(h.contains(r#"<strong id="stat-substantiated">80%</strong>"#));
        assert!(h.contains(r#"<strong id="stat-median">35.0</strong>"#));
        assert!(h.contains(r#"<strong id="stat-p90">60.0</strong>"#));
        assert!(
            h.contains(r#"<th scope="row">Fraud</th><td>7</td><td>70.00</td><td>71%</td>"#),
            "{h}"
        );
        assert!(
            h.contains(r#"<th scope="row">Harassment</th><td colspan="7">fewer than 5 cases</td>"#),
            "{h}"
        );
        assert!(
            h.contains(r#"<th scope="row">Accounting</th><td colspan="7">withheld"#),
            "{h}"
        );
        assert!(
            h.contains(r#"href="/speakup/analytics" aria-current="page""#),
            "nav entry"
        );
    }
}

#[tokio::test]
async fn a_viewer_with_fewer_than_five_readable_cases_sees_no_number() {
    for app in App::each().await {
        let s = seed(&app).await;
        // eo2 can read the excluded case only; with the destroyed one that is two.
        let v = app.get(YEAR, &s.eo2.0).await.json();
        assert_eq!(
            v["overall"],
            serde_json::json!({"suppressed": true, "reason": "fewer than 5 cases"})
        );
        assert_eq!(
            v["categories"],
            serde_json::json!([{"category": "fraud", "suppressed": true, "reason": "fewer than 5 cases"}])
        );
        let page = app
            .get("/speakup/analytics?from=2026-01-01&to=2026-12-31", &s.eo2.0)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("No figures for this period: fewer than 5 cases.");
        page.assert_lacks("stat-cases");
    }
}

#[tokio::test]
async fn period_defaults_to_a_year_and_bad_dates_name_the_field() {
    for app in App::each().await {
        let s = seed(&app).await;
        // Default: the 365 days up to today (2026-11-20), so the 2025-12-31 case counts.
        let v = app.get("/api/v1/speakup/analytics", &s.eo.0).await.json();
        assert_eq!(v["from"], "2025-11-21");
        assert_eq!(v["to"], "2026-11-20");
        assert_eq!(v["overall"]["cases"], 15);

        let bad = app
            .get("/api/v1/speakup/analytics?from=yesterday", &s.eo.0)
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.json()["message"].as_str().unwrap().contains("`from`"));
        let backwards = app
            .get("/speakup/analytics?from=2026-05-01&to=2026-04-01", &s.eo.0)
            .await;
        backwards.assert_answer(StatusCode::BAD_REQUEST, &["`from`: must not be after `to`"]);

        // Agents have no analytics, and no navigation entry to them.
        for path in ["/speakup/analytics", "/api/v1/speakup/analytics"] {
            assert_eq!(
                app.get(path, &s.agent.0).await.status,
                StatusCode::FORBIDDEN
            );
        }
        assert!(!app
            .get("/", &s.agent.0)
            .await
            .body
            .contains("/speakup/analytics"));
        assert!(app
            .get("/", &s.eo.0)
            .await
            .body
            .contains("/speakup/analytics"));
    }
}
