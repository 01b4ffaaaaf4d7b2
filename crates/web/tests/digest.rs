//! Staff notifications leak nothing: one line a day, no case, no count, no time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::App;
use righttrack_core::Role;
use serde_json::json;

#[tokio::test]
async fn case_workers_get_one_content_free_line_a_day() {
    for app in App::each().await {
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&olga).await;
        let agent = app.user("ann", &[Role::Agent]).await;
        // Nothing waiting: no notification.
        assert_eq!(
            righttrack_app::jobs::digest::run(&app.state, app.now())
                .await
                .unwrap(),
            0
        );
        let mut refs = Vec::new();
        for text in ["Gift cards sold below cost", "Refunds to a friend"] {
            let r = app
                .post_json(
                    "/api/v1/speakup/reports",
                    &json!({"category": "fraud", "description": text, "anonymous": true}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED);
            refs.push(r.json()["case"].as_str().unwrap().to_owned());
        }
        // Two new cases, two runs: one line for olga, none for the agent.
        assert_eq!(
            righttrack_app::jobs::digest::run(&app.state, app.now())
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            righttrack_app::jobs::digest::run(&app.state, app.now())
                .await
                .unwrap(),
            0
        );
        let day = app
            .state
            .db
            .notifications_of_day("2026-11-20")
            .await
            .unwrap();
        assert_eq!(
            day,
            vec![(
                "olga".to_owned(),
                righttrack_app::jobs::digest::TEXT.to_owned()
            )]
        );
        assert!(app
            .state
            .db
            .unseen_notifications(agent.id)
            .await
            .unwrap()
            .is_empty());
        // The home page shows it once, and it says nothing about the cases.
        let home = app.get("/", &cookie).await;
        home.assert_contains("There is hotline work waiting for you");
        for r in &refs {
            home.assert_lacks(r.as_str());
        }
        home.assert_lacks("fraud");
        let again = app.get("/", &cookie).await;
        again.assert_lacks("There is hotline work waiting for you");
    }
}
