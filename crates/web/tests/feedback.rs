//! Customer feedback as the integration client, the customer and QA meet it: minting a
//! single-use link, answering it on the public form, and the CSAT/NPS reports.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use common::{value_of, App, Resp, CARD, EMAIL};
use jiff::SignedDuration;
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use righttrack_web::WebConfig;
use std::net::SocketAddr;

fn interaction(id: &str, agent: &str, team: &str, started: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "chat", "agent_id": agent, "team": team, "started_at": started,
        "turns": [
            {"speaker": "agent", "text": "Hi, my name is Zebediah Quill, how can I help you today?"},
            {"speaker": "customer", "text": "my parcel with the blue lamp never arrived"},
            {"speaker": "agent", "text": "I have reordered it for you, sorry about that."}
        ]
    })
    .to_string()
}

/// Ingests interactions (id, agent, team, started_at).
async fn ingest(app: &App, bearer: &str, items: &[(&str, &str, &str, &str)]) {
    let body: Vec<String> = items
        .iter()
        .map(|(id, agent, team, at)| interaction(id, agent, team, at))
        .collect();
    let r = app
        .post_interactions(bearer, "application/x-ndjson", &body.join("\n"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stored"].as_u64(), Some(items.len() as u64));
}

async fn mint(app: &App, bearer: &str, id: &str) -> Resp {
    app.api_post(
        &format!("/api/v1/interactions/{id}/feedback-link"),
        bearer,
        "",
    )
    .await
}

/// Mints a link and returns its path (`/f/TOKEN`).
async fn link(app: &App, bearer: &str, id: &str) -> String {
    let r = mint(app, bearer, id).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["path"].as_str().unwrap().to_owned()
}

/// Opens the form as a customer's browser would: returns (cookie pair, csrf token).
async fn open_form(app: &App, path: &str) -> (String, String) {
    let r = app.get(path, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Behind TLS (a public_url with https) our cookies carry the `__Host-` prefix.
    let cookie = r
        .cookie("rt_login_csrf")
        .or_else(|| r.cookie("__Host-rt_login_csrf"))
        .expect("a double-submit cookie");
    let pair = cookie.split(';').next().unwrap().to_owned();
    (pair, value_of(&r.body, "name=\"csrf\" value=\"").to_owned())
}

fn form(csrf: &str, csat: &str, nps: &str, comment: &str) -> String {
    let mut s = format!("csrf={csrf}&csat={csat}&nps={nps}&comment=");
    for b in comment.bytes() {
        match b {
            b' ' => s.push('+'),
            b if b.is_ascii_alphanumeric() => s.push(b as char),
            b => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

/// Opens the form and answers it. Returns the response to the submission.
async fn answer(app: &App, path: &str, csat: &str, nps: &str, comment: &str) -> Resp {
    let (cookie, csrf) = open_form(app, path).await;
    app.post(path, &cookie, &form(&csrf, csat, nps, comment))
        .await
}

#[tokio::test]
async fn a_customer_answers_once_and_the_link_is_used_up() {
    for app in App::each_with(WebConfig {
        public_url: Some("https://care.example.com/".into()),
        ..WebConfig::default()
    })
    .await
    {
        let b = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        ingest(
            &app,
            &b,
            &[("fb-1", "a-17", "Blue", "2026-11-19T10:00:00Z")],
        )
        .await;

        let r = mint(&app, &b, "fb-1").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let j = r.json();
        let path = j["path"].as_str().unwrap().to_owned();
        let token = path.strip_prefix("/f/").unwrap();
        assert_eq!(token.len(), 52, "32 bytes of base32");
        assert_eq!(
            j["url"].as_str().unwrap(),
            format!("https://care.example.com{path}")
        );
        assert_eq!(
            j["expires_at"], "2026-12-04T09:00:00Z",
            "14 days by default"
        );
        assert!(app.audited("feedback.link_created").await);

        // The form shows the channel and the date, nothing about the agent or the talk.
        let page = app.get(&path, "").await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("About your chat with us on 19 November 2026.");
        for secret in ["Zebediah", "Quill", "blue lamp", "a-17", "Blue", "fb-1"] {
            assert!(!page.body.contains(secret), "{secret} on the public form");
        }
        page.assert_contains("<legend>How satisfied");
        assert!(!page.body.contains("Sign out"), "no staff navigation");

        let (cookie, csrf) = open_form(&app, &path).await;
        let done = app
            .post(&path, &cookie, &form(&csrf, "4", "9", "Quick and friendly"))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        done.assert_contains("Thank you");

        // Single use: the same link again, by GET or POST, says so politely.
        let again = app.get(&path, "").await;
        again.assert_answer(StatusCode::GONE, &["already been answered"]);
        let twice = app
            .post(&path, &cookie, &form(&csrf, "1", "0", "changed my mind"))
            .await;
        assert_eq!(twice.status, StatusCode::GONE, "{}", twice.body);
        let stored = app.state.db.feedback_for("fb-1").await.unwrap().unwrap();
        assert_eq!((stored.csat, stored.nps), (Some(4), Some(9)));
        assert_eq!(stored.comment.as_deref(), Some("Quick and friendly"));
        assert_eq!(
            (stored.agent_ref.as_str(), stored.team_ref.as_deref()),
            ("a-17", Some("Blue"))
        );

        // Minting again for an answered interaction is a conflict naming the field.
        let conflict = mint(&app, &b, "fb-1").await;
        assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
        assert!(conflict.json()["message"]
            .as_str()
            .unwrap()
            .contains("`id`"));
        // An unknown interaction is a 404 naming the field, not a 500.
        let unknown = mint(&app, &b, "no-such-interaction").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
        assert_eq!(unknown.json()["code"], "not_found");
        assert!(unknown.json()["message"].as_str().unwrap().contains("`id`"));
        // Minting needs the ingest scope.
        let read_only = app.bot_bearer(Role::QaAnalyst, &[Scope::Read]).await;
        assert_eq!(
            mint(&app, &read_only, "fb-1").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn minting_again_replaces_an_unanswered_link_and_links_expire() {
    for app in App::each().await {
        let b = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        ingest(
            &app,
            &b,
            &[
                ("fb-2", "a-1", "Red", "2026-11-19T10:00:00Z"),
                ("fb-3", "a-1", "Red", "2026-11-19T11:00:00Z"),
            ],
        )
        .await;
        let first = link(&app, &b, "fb-2").await;
        let second = link(&app, &b, "fb-2").await;
        assert_ne!(first, second);
        assert_eq!(app.get(&first, "").await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&second, "").await.status, StatusCode::OK);

        // A link open in the browser when it expires: the answer is refused, nothing kept.
        let path = link(&app, &b, "fb-3").await;
        let (cookie, csrf) = open_form(&app, &path).await;
        app.clock.advance(SignedDuration::from_hours(14 * 24));
        let late = app.post(&path, &cookie, &form(&csrf, "5", "10", "")).await;
        assert_eq!(late.status, StatusCode::GONE, "{}", late.body);
        late.assert_contains("expired");
        let page = app.get(&path, "").await;
        page.assert_answer(StatusCode::GONE, &["expired"]);
        let row = app.state.db.feedback_for("fb-3").await.unwrap().unwrap();
        assert_eq!((row.submitted_at, row.csat), (None, None));
        // An expired, unanswered link may be replaced by a fresh one.
        let fresh = link(&app, &b, "fb-3").await;
        assert_eq!(
            answer(&app, &fresh, "5", "10", "").await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn bad_answers_name_the_field_and_keep_the_link_open() {
    for app in App::each().await {
        let b = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        ingest(&app, &b, &[("fb-4", "a-2", "Red", "2026-11-19T10:00:00Z")]).await;
        let path = link(&app, &b, "fb-4").await;
        let (cookie, csrf) = open_form(&app, &path).await;

        let r = app
            .post(&path, &cookie, &form(&csrf, "", "11", "kept text"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        r.assert_contains("data-field=\"csat\"");
        r.assert_contains("data-field=\"nps\"");
        r.assert_contains("Satisfaction: choose a score from 1 to 5.");
        r.assert_contains("Recommendation: the score must be a whole number from 0 to 10.");
        assert!(
            r.body.contains(">kept text</textarea>"),
            "the comment is kept"
        );

        let long = "x".repeat(2_001);
        let r = app
            .post(&path, &cookie, &form(&csrf, "3", "5", &long))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("data-field=\"comment\"");
        assert!(r.body.contains("value=\"3\" checked"), "choices are kept");

        // Without the CSRF token nothing happens either.
        let r = app.post(&path, "", &form("", "3", "5", "")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let row = app.state.db.feedback_for("fb-4").await.unwrap().unwrap();
        assert_eq!(row.submitted_at, None, "nothing stored");
        let ok = app.post(&path, &cookie, &form(&csrf, "3", "5", "")).await;
        assert_eq!(
            ok.status,
            StatusCode::OK,
            "the link still works: {}",
            ok.body
        );
        let row = app.state.db.feedback_for("fb-4").await.unwrap().unwrap();
        assert_eq!((row.csat, row.nps, row.comment), (Some(3), Some(5), None));
    }
}

#[tokio::test]
async fn a_card_number_in_the_comment_never_reaches_the_database() {
    for app in App::each().await {
        let b = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        ingest(
            &app,
            &b,
            &[
                ("fb-5", "ana", "Red", "2026-11-19T10:00:00Z"),
                ("fb-6", "ana", "Red", "2026-11-19T12:00:00Z"),
            ],
        )
        .await;
        let path = link(&app, &b, "fb-5").await;
        let comment = format!("Refund my card {CARD} or mail {EMAIL} please");
        let r = answer(&app, &path, "2", "3", &comment).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let row = app.state.db.feedback_for("fb-5").await.unwrap().unwrap();
        let stored = row.comment.unwrap();
        assert!(
            !stored.contains(CARD) && !stored.contains(EMAIL),
            "{stored}"
        );
        assert!(stored.starts_with("Refund my card"), "{stored}");
        assert!(!row.comment_flagged);

        let rude = link(&app, &b, "fb-6").await;
        let r = answer(
            &app,
            &rude,
            "1",
            "0",
            "the agent called it a stupid question",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);

        // QA sees both answers, the abusive one flagged; the agent sees them on their own page.
        let qa = app.user("quinn", &[Role::QaAnalyst]).await;
        let (qa_cookie, _) = app.session(&qa).await;
        let page = app.get("/interactions/fb-6", &qa_cookie).await;
        page.assert_answer(StatusCode::OK, &["CSAT 1/5", "abusive language"]);
        let report = app.get("/qa/feedback", &qa_cookie).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        report.assert_contains("the agent called it a stupid question");
        report.assert_contains("Refund my card");
        report.assert_lacks(CARD);
        let ana = app.user("ana", &[Role::Agent]).await;
        let (ana_cookie, _) = app.session(&ana).await;
        let mine = app.get("/my/interactions/fb-5", &ana_cookie).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.body.contains("CSAT 2/5") && mine.body.contains("Refund my card"));

        app.assert_not_at_rest(&[CARD, EMAIL, "4111111111111111"])
            .await;
    }
}

async fn send_from(app: &App, peer: Option<&str>, method: Method, path: &str) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    if let Some(p) = peer {
        req.extensions_mut()
            .insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
    }
    app.call(req).await
}

#[tokio::test]
async fn probing_for_tokens_is_rate_limited_per_client() {
    for app in App::each().await {
        let b = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        ingest(&app, &b, &[("fb-7", "a-3", "Red", "2026-11-19T10:00:00Z")]).await;
        let good = link(&app, &b, "fb-7").await;
        let prober = Some("198.51.100.7:40000");
        for i in 0..20 {
            let r = send_from(&app, prober, Method::GET, &format!("/f/{}", "A".repeat(52))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "probe {i}");
            r.assert_contains("We could not find this survey");
        }
        let malformed = send_from(&app, prober, Method::GET, "/f/short").await;
        assert_eq!(malformed.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(malformed.headers["retry-after"], "30");
        malformed.assert_contains("Please wait");
        // Once limited, even a real token waits: probing cannot continue on good guesses.
        let r = send_from(&app, prober, Method::GET, &good).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // Another client is not affected, nor is a request without a known peer.
        assert_eq!(
            send_from(&app, Some("203.0.113.9:1234"), Method::GET, &good)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(app.get(&good, "").await.status, StatusCode::OK);
        // The bucket refills: after Retry-After seconds one more lookup is allowed.
        app.clock.advance(SignedDuration::from_secs(30));
        assert_eq!(
            send_from(&app, prober, Method::GET, &good).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn submissions_are_capped_per_client() {
    for app in App::each().await {
        let b = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        ingest(&app, &b, &[("fb-8", "a-3", "Red", "2026-11-19T10:00:00Z")]).await;
        let path = link(&app, &b, "fb-8").await;
        // Requests without a peer address (this harness) share one bucket.
        let (cookie, csrf) = open_form(&app, &path).await;
        for _ in 0..20 {
            let r = app.post(&path, &cookie, &form(&csrf, "9", "", "")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = app.post(&path, &cookie, &form(&csrf, "5", "10", "")).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.headers.contains_key("retry-after"));
        assert_eq!(
            app.state
                .db
                .feedback_for("fb-8")
                .await
                .unwrap()
                .unwrap()
                .submitted_at,
            None
        );
        app.clock.advance(SignedDuration::from_secs(30));
        let r = app.post(&path, &cookie, &form(&csrf, "5", "10", "")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

#[tokio::test]
async fn reports_give_csat_nps_and_response_rate_per_team_and_agent() {
    for app in App::each().await {
        let b = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        ingest(
            &app,
            &b,
            &[
                ("r-1", "ana", "Red", "2026-11-18T10:00:00Z"),
                ("r-2", "ana", "Red", "2026-11-18T11:00:00Z"),
                ("r-3", "ana", "Red", "2026-11-18T12:00:00Z"),
                ("r-4", "ben", "Blue", "2026-11-18T13:00:00Z"),
                ("r-5", "ben", "Blue", "2026-11-18T14:00:00Z"),
                ("r-6", "ben", "Blue", "2026-10-01T14:00:00Z"),
                ("r-7", "cy", "Blue", "2026-11-18T15:00:00Z"),
            ],
        )
        .await;
        // ana: 3 sent, 2 answered (5/10 promoter, 3/7 passive); ben: 2 sent in range,
        // 1 answered (2/4 detractor); the October one is outside the default range;
        // cy: no survey.
        for (id, csat, nps) in [
            ("r-1", Some("5"), Some("10")),
            ("r-2", Some("3"), Some("7")),
            ("r-3", None, None),
            ("r-4", Some("2"), Some("4")),
            ("r-5", None, None),
            ("r-6", Some("5"), Some("10")),
        ] {
            let path = link(&app, &b, id).await;
            if let (Some(c), Some(n)) = (csat, nps) {
                assert_eq!(answer(&app, &path, c, n, "").await.status, StatusCode::OK);
                app.clock.advance(SignedDuration::from_mins(1));
            }
        }
        let get = |q: &str| {
            let q = q.to_owned();
            let b = b.clone();
            let app = &app;
            async move { app.api_get(&format!("/api/v1/feedback{q}"), &b).await }
        };
        let r = get("").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(
            (j["from"].as_str(), j["to"].as_str()),
            (Some("2026-10-22"), Some("2026-11-20"))
        );
        let all = &j["overall"];
        assert_eq!(
            (all["sent"].as_i64(), all["answered"].as_i64()),
            (Some(5), Some(3))
        );
        assert_eq!(all["csat_average"].as_f64(), Some(3.33));
        assert_eq!(all["nps"].as_i64(), Some(0), "1 promoter, 1 detractor of 3");
        assert_eq!(all["response_rate"].as_f64(), Some(0.6));
        let teams = j["teams"].as_array().unwrap();
        assert_eq!(teams.len(), 2);
        assert_eq!(teams[0]["team"], "Blue");
        assert_eq!(
            (teams[0]["sent"].as_i64(), teams[0]["nps"].as_i64()),
            (Some(2), Some(-100))
        );
        assert_eq!(teams[1]["team"], "Red");
        assert_eq!(
            (teams[1]["csat_average"].as_f64(), teams[1]["nps"].as_i64()),
            (Some(4.0), Some(50))
        );
        let ana = j["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agent"] == "ana")
            .unwrap()
            .clone();
        assert_eq!(
            ana["response_rate"].as_f64().map(|r| (r * 1000.0).round()),
            Some(667.0)
        );
        assert_eq!(j["answers"].as_array().unwrap().len(), 3);
        assert_eq!(j["answers"][0]["nps_group"], "detractor", "newest first");

        let r = get("?from=2026-09-01&to=2026-10-31&team=Blue").await.json();
        assert_eq!(
            (
                r["overall"]["sent"].as_i64(),
                r["overall"]["csat_average"].as_f64()
            ),
            (Some(1), Some(5.0))
        );
        let r = get("?agent=ana").await.json();
        assert_eq!(r["overall"]["answered"].as_i64(), Some(2));
        let r = get("?agent=cy").await.json();
        assert_eq!(r["overall"]["csat_average"], serde_json::Value::Null);

        for (q, field) in [
            ("?from=yesterday", "`from`"),
            ("?to=2026-13-01", "`to`"),
            ("?from=2026-11-20&to=2026-11-01", "`from`"),
        ] {
            let r = get(q).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
            assert!(
                r.json()["message"].as_str().unwrap().contains(field),
                "{q}: {}",
                r.body
            );
        }

        // The page: per team and agent, for roles that read interactions.
        let lead = app.user("lee", &[Role::TeamLead]).await;
        let (cookie, _) = app.session(&lead).await;
        let page = app.get("/qa/feedback?team=Red", &cookie).await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "<strong id=\"stat-csat\">4.00</strong>",
                "<strong id=\"stat-nps\">+50</strong>",
                "<strong id=\"stat-rate\">67%</strong>",
                "aria-current=\"page\">Feedback</a>",
            ],
        );
        let agent = app.user("ana", &[Role::Agent]).await;
        let (cookie, _) = app.session(&agent).await;
        assert_eq!(
            app.get("/qa/feedback", &cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
}
