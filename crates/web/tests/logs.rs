//! Secrets never reach the logs. Its own test binary, so the global subscriber
//! captures everything the server logs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{logs, App, PW};
use righttrack_core::authz::Scope;
use righttrack_core::Role;

/// Drives sign-in, second factor, token issue and token use with every log line
/// captured, then looks for each secret in the logs.
#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let cap = logs();
    {
        let app = App::each().await.remove(0);
        let admin = app.user("logadmin", &[Role::Admin]).await;
        let (r, session) = app.login("logadmin", PW).await;
        assert_eq!(r.location(), "/account/2fa");
        let (key, csrf) = app.enrolment(&session).await;
        let secret = data_encoding::BASE32_NOPAD.encode(&key);
        let code = app.code(&key);
        app.post(
            "/account/2fa",
            &session,
            &format!("csrf={csrf}&code={code}"),
        )
        .await;
        app.login("logadmin", "a wrong password that is long").await;
        let token =
            righttrack_web::auth::issue_token(&app.state, "t", &admin, "bot", &[Scope::Read])
                .await
                .unwrap();
        app.api_get("/api/v1/me", &format!("Bearer {}", token.expose()))
            .await;
        app.get("/api/v1/me?email=someone@example.com", "").await;

        // Customer feedback: the link's token, the comment and the client's address.
        let crm = app
            .state
            .db
            .create_service_account(
                "crm",
                "CRM",
                &[Role::QaAnalyst],
                app.now(),
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap();
        let ingest =
            righttrack_web::auth::issue_token(&app.state, "t", &crm, "crm", &[Scope::Ingest])
                .await
                .unwrap();
        let bearer = format!("Bearer {}", ingest.expose());
        let one = serde_json::json!({"id": "log-1", "channel": "chat", "agent_id": "a-1",
            "started_at": "2026-11-19T10:00:00Z", "turns": [{"speaker": "agent", "text": "hello"}]});
        app.api_post("/api/v1/interactions", &bearer, &one.to_string())
            .await;
        let minted = app
            .api_post("/api/v1/interactions/log-1/feedback-link", &bearer, "")
            .await;
        let survey = minted.json()["path"].as_str().unwrap().to_owned();
        let mut req = axum::http::Request::builder()
            .uri(&survey)
            .body(axum::body::Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::connect_info::ConnectInfo(
                "198.51.100.23:4242"
                    .parse::<std::net::SocketAddr>()
                    .unwrap(),
            ));
        let form = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .unwrap();
        let cookie = form.headers()["set-cookie"].to_str().unwrap();
        let fb_csrf = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("rt_login_csrf=")
            .to_owned();
        let answered = app
            .post(
                &survey,
                &format!("rt_login_csrf={fb_csrf}"),
                &format!("csrf={fb_csrf}&csat=5&nps=10&comment=card+4111+1111+1111+1111+thanks"),
            )
            .await;
        assert_eq!(
            answered.status,
            axum::http::StatusCode::OK,
            "{}",
            answered.body
        );
        let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
        assert!(
            logs.contains("/api/v1/me") && logs.contains("/f/{token}"),
            "the logger did capture requests: {logs}"
        );
        let sid = session.trim_start_matches("rt_session=");
        for (what, s) in [
            ("password", PW),
            ("wrong password", "a wrong password that is long"),
            ("session", sid),
            ("csrf", &csrf),
            ("totp secret", &secret),
            ("api token", token.expose()),
            ("query data", "someone@example.com"),
            ("feedback token", survey.trim_start_matches("/f/")),
            ("feedback comment", "4111 1111"),
            ("client address", "198.51.100.23"),
        ] {
            assert!(!logs.contains(s), "{what} leaked into the logs");
        }
    }
}
