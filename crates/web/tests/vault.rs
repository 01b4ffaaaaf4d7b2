//! The privacy vault, as a QA analyst, an administrator and an agent meet it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{header, StatusCode};
use common::{App, CARD};
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use righttrack_web::WebConfig;

fn line(id: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "voice", "agent_id": "a-17", "started_at": "2026-11-20T08:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": format!("my card is {CARD} and I live at 12 Elm Street")},
            {"speaker": "agent", "text": "thank you, the refund is on its way"}
        ]
    })
    .to_string()
}

fn vault_on() -> WebConfig {
    WebConfig {
        vault_retention: Some(jiff::SignedDuration::from_hours(30 * 24)),
        ..WebConfig::default()
    }
}

async fn ingest(app: &App, id: &str) {
    let bot = app.user(&format!("bot-{id}"), &[Role::QaAnalyst]).await;
    let bearer = app.bearer(&bot, &[Scope::Ingest]).await;
    let r = app
        .post_interactions(&bearer, "application/json", &line(id))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn reason_form(csrf: &str, reason: &str) -> String {
    format!("csrf={csrf}&reason={}", reason.replace(' ', "+"))
}

/// A user whose data-privacy training is current (see `App::user`).
async fn with_training(app: &App, name: &str, role: Role) -> righttrack_store::directory::User {
    app.user(name, &[role]).await
}

const REASON: &str = "customer disputes the refund amount, ticket 4411";

#[tokio::test]
async fn a_trained_analyst_opens_the_original_with_a_reason_and_it_is_audited() {
    for app in App::each_with(vault_on()).await {
        ingest(&app, "ext-v1").await;
        let qa = with_training(&app, "quinn", Role::QaAnalyst).await;
        let (cookie, csrf) = app.session(&qa).await;

        // The redacted page offers the vault, and shows no card number.
        let page = app.get("/interactions/ext-v1", &cookie).await;
        page.assert_answer(StatusCode::OK, &["Open the unredacted original"]);
        page.assert_lacks(CARD);

        let r = app
            .post(
                "/interactions/ext-v1/original",
                &cookie,
                &reason_form(&csrf, REASON),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains(CARD), "the original shows the card number");
        r.assert_contains(REASON);
        assert_eq!(
            r.headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "an original must not be cached"
        );
        assert!(app.audited("interaction.original_opened").await);
    }
}

#[tokio::test]
async fn no_reason_no_training_or_no_role_means_no_original() {
    for app in App::each_with(vault_on()).await {
        ingest(&app, "ext-v2").await;
        let trained = with_training(&app, "quinn", Role::QaAnalyst).await;
        let (cookie, csrf) = app.session(&trained).await;

        let r = app
            .post(
                "/interactions/ext-v2/original",
                &cookie,
                &reason_form(&csrf, "because"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("reason"), "the error names the field");
        r.assert_lacks(CARD);

        let untrained = app.untrained("uma", &[Role::QaAnalyst]).await;
        let (cookie, csrf) = app.session(&untrained).await;
        let page = app.get("/interactions/ext-v2", &cookie).await;
        page.assert_contains("training is not current");
        page.assert_lacks("Open the unredacted original");
        let r = app
            .post(
                "/interactions/ext-v2/original",
                &cookie,
                &reason_form(&csrf, REASON),
            )
            .await;
        r.assert_answer(StatusCode::FORBIDDEN, &["training"]);
        assert!(r.body.contains("training_required"), "a stable code");
        r.assert_lacks(CARD);
        // The gate's refusal is audited with the kind of resource, never content.
        assert!(app.audited("gate.denied").await);

        let lead = with_training(&app, "lee", Role::TeamLead).await;
        let (cookie, csrf) = app.session(&lead).await;
        let page = app.get("/interactions/ext-v2", &cookie).await;
        page.assert_lacks("unredacted original");
        let r = app
            .post(
                "/interactions/ext-v2/original",
                &cookie,
                &reason_form(&csrf, REASON),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        assert!(!app.audited("interaction.original_opened").await);
    }
}

#[tokio::test]
async fn the_vault_is_off_by_default_and_retention_ends_it() {
    for app in App::each().await {
        ingest(&app, "ext-off").await;
        let qa = with_training(&app, "quinn", Role::QaAnalyst).await;
        let (cookie, csrf) = app.session(&qa).await;
        let page = app.get("/interactions/ext-off", &cookie).await;
        page.assert_lacks("unredacted original");
        let r = app
            .post(
                "/interactions/ext-off/original",
                &cookie,
                &reason_form(&csrf, REASON),
            )
            .await;
        r.assert_answer(StatusCode::NOT_FOUND, &["privacy vault"]);
    }
    for app in App::each_with(vault_on()).await {
        ingest(&app, "ext-old").await;
        let qa = with_training(&app, "quinn", Role::QaAnalyst).await;
        app.clock.advance(jiff::SignedDuration::from_hours(31 * 24));
        let (cookie2, csrf2) = app.session(&qa).await;
        let r = app
            .post(
                "/interactions/ext-old/original",
                &cookie2,
                &reason_form(&csrf2, REASON),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "retention ended");
        assert_eq!(
            app.state.db.purge_expired_vault(app.now()).await.unwrap(),
            1
        );
    }
}

#[tokio::test]
async fn the_database_holds_only_ciphertext_of_the_original() {
    for app in App::each_with(vault_on()).await {
        ingest(&app, "ext-raw").await;
        let entry = app
            .state
            .db
            .vault_entry("ext-raw", app.now())
            .await
            .unwrap()
            .expect("sealed original kept");
        assert!(!entry
            .sealed
            .windows(CARD.len())
            .any(|w| w == CARD.as_bytes()));
        app.assert_not_at_rest(&[CARD, "4111111111111111", "12 Elm Street"])
            .await;
    }
}

#[tokio::test]
async fn administrators_see_privacy_training_but_no_longer_set_it() {
    for app in App::each().await {
        let admin = app.user("ada", &[Role::Admin]).await;
        app.user("quinn", &[Role::QaAnalyst]).await;
        let uma = app.untrained("uma", &[Role::QaAnalyst]).await;
        let (cookie, csrf) = app.session(&admin).await;
        let page = app.get("/admin/users", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        // Training records decide; the old yes/no toggle is gone.
        page.assert_contains("current until 2027-11-20");
        page.assert_contains("not completed");
        page.assert_lacks("privacy-training");
        let r = app
            .post(
                &format!("/admin/users/{}/privacy-training", uma.id),
                &cookie,
                &format!("csrf={csrf}&current=yes"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
