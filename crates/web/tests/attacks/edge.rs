//! Attacks at the edge: metrics, rate limits behind a proxy, sign-in floods.

use crate::common::speakup::{api, csrf, get, post};
use crate::common::{logs, url, value_of, App, Resp, PW};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use righttrack_core::{Role, Secret};
use righttrack_web::client::parse_list;
use righttrack_web::WebConfig;
use serde_json::json;

const METRICS_TOKEN: &str = "scrape-me-0123456789abcdef0123456789";
const PROXY: &str = "10.0.0.2:41000";
const ATTACKER: &str = "198.51.100.7";
const REPORTER: &str = "203.0.113.9";
const DESCRIPTION: &str = "The night shift lead sells customer lists to a broker.";

fn with_metrics() -> WebConfig {
    WebConfig {
        metrics_token: Some(Secret::new(METRICS_TOKEN.into())),
        ..WebConfig::default()
    }
}

fn behind_proxy() -> WebConfig {
    WebConfig {
        trusted_proxies: parse_list("10.0.0.0/8").unwrap(),
        ..WebConfig::default()
    }
}

/// A request from TCP peer `peer`, with `X-Forwarded-For: xff` when given.
async fn from(
    app: &App,
    method: Method,
    path: &str,
    peer: &str,
    xff: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    app.call(request(method, path, peer, xff, headers, body))
        .await
}

fn request(
    method: Method,
    path: &str,
    peer: &str,
    xff: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(body.to_owned())).unwrap();
    req.extensions_mut()
        .insert(axum::extract::connect_info::ConnectInfo(
            peer.parse::<std::net::SocketAddr>().unwrap(),
        ));
    req
}

async fn json_from(
    app: &App,
    path: &str,
    peer: &str,
    xff: Option<&str>,
    body: &serde_json::Value,
) -> Resp {
    from(
        app,
        Method::POST,
        path,
        peer,
        xff,
        &[("content-type", "application/json")],
        &body.to_string(),
    )
    .await
}

async fn scrape(app: &App) -> String {
    let r = app
        .api_get("/metrics", &format!("Bearer {METRICS_TOKEN}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// Counters and histograms, without the scrapes' own series and the pool gauges.
fn moving_parts(metrics: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| !l.contains("route=\"/metrics\"") && !l.starts_with("righttrack_db_pool"))
        .map(str::to_owned)
        .collect()
}

/// Attack: anyone scraped the public `/metrics` and read
/// `righttrack_http_requests_total{route="/speakup…"}` to time every report and every
/// return visit of a reporter to the second. Now filing through the form and the API,
/// returning with the right and a wrong receipt, and unknown hotline paths move no
/// counter, histogram or label.
#[tokio::test]
async fn filing_and_returning_to_a_report_moves_nothing_in_metrics() {
    logs();
    for app in App::each_with(with_metrics()).await {
        assert_eq!(app.get("/healthz", "").await.status, StatusCode::OK);
        let before = scrape(&app).await;

        let r = api(
            &app,
            "/api/v1/speakup/reports",
            &json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let receipt = r.json()["receipt"].as_str().unwrap().to_owned();
        let form = get(&app, "/speakup?category=fraud&lang=en").await;
        assert_eq!(form.status, StatusCode::OK);
        let body = format!(
            "csrf={}&lang=en&category=fraud&description={}&anonymous=yes",
            csrf(&form),
            url(DESCRIPTION)
        );
        assert_eq!(post(&app, "/speakup", &body).await.status, StatusCode::OK);
        let access = get(&app, "/speakup/access?lang=en").await;
        let body = format!("csrf={}&lang=en&receipt={}", csrf(&access), url(&receipt));
        let back = post(&app, "/speakup/access", &body).await;
        assert_eq!(back.status, StatusCode::OK);
        let r = api(&app, "/api/v1/speakup/access", &json!({"receipt": receipt})).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = api(
            &app,
            "/api/v1/speakup/access",
            &json!({"receipt": "0000 0000 0000 0000 0000 0000 0001"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        get(&app, "/speakup/no-such-page").await;

        let after = scrape(&app).await;
        assert_eq!(moving_parts(&before), moving_parts(&after));
        assert!(!after.contains("speakup"), "{after}");
        assert!(
            after.contains("route=\"/healthz\""),
            "other routes still count"
        );
    }
}

/// Attack: `GET /metrics` answered anyone. Now it is off unless a metrics token is
/// configured, and then answers only that token: not an anonymous caller, a wrong
/// token, or a signed-in administrator.
#[tokio::test]
async fn metrics_answer_only_the_metrics_token() {
    for app in App::each().await {
        let r = app.get("/metrics", "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        r.assert_lacks("righttrack_");
    }
    for app in App::each_with(with_metrics()).await {
        let admin = app.user("root", &[Role::Admin]).await;
        let (cookie, _) = app.session(&admin).await;
        for (headers, who) in [
            (vec![], "anonymous"),
            (vec![("authorization", "Bearer wrong")], "wrong token"),
            (
                vec![(
                    "authorization",
                    "Bearer scrape-me-0123456789abcdef012345678",
                )],
                "a prefix",
            ),
            (vec![("cookie", cookie.as_str())], "an admin's session"),
        ] {
            let r = app.send(Method::GET, "/metrics", &headers, "").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{who}");
            assert!(r.headers.get("www-authenticate").is_some(), "{who}");
            assert!(!r.body.contains("righttrack_http"), "{who}");
        }
        assert!(scrape(&app).await.contains("righttrack_build_info{"));
    }
}

/// Sends invalid reports as `xff` through the proxy until the hotline answers 429;
/// returns that answer.
async fn flood_reports(app: &App, xff: &str) -> Resp {
    for _ in 0..60 {
        let r = json_from(
            app,
            "/api/v1/speakup/reports",
            PROXY,
            Some(xff),
            &json!({"category": "fraud", "anonymous": true}),
        )
        .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            return r;
        }
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    panic!("never limited")
}

/// A valid report through the proxy, for the client `xff`.
async fn report_via_proxy(app: &App, xff: &str) -> Resp {
    let report = json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true});
    json_from(app, "/api/v1/speakup/reports", PROXY, Some(xff), &report).await
}

/// Opening a report with `receipt` through the proxy, for the client `xff`.
async fn access_via_proxy(app: &App, xff: &str, receipt: &str) -> Resp {
    let body = json!({ "receipt": receipt });
    json_from(app, "/api/v1/speakup/access", PROXY, Some(xff), &body).await
}

/// Asserts that neither the attacker's nor the reporter's address reached the logs.
fn assert_addresses_not_logged(cap: &crate::common::Captured) {
    let logged = String::from_utf8_lossy(&cap.0.lock().unwrap()).into_owned();
    assert!(!logged.contains(ATTACKER) && !logged.contains(REPORTER));
}

/// Attack: behind a reverse proxy every client shared the proxy's address, so one
/// client's few dozen invalid posts answered 429 to every reporter. Now, with the proxy
/// trusted, the limit keys on the forwarded client: the flooder is limited (also when
/// it writes a fake address into its own `X-Forwarded-For`), a reporter is not, and
/// neither address reaches the logs.
#[tokio::test]
async fn one_client_behind_the_proxy_cannot_close_the_hotline_for_others() {
    let cap = logs();
    for app in App::each_with(behind_proxy()).await {
        let r = flood_reports(&app, ATTACKER).await;
        assert!(r.headers.get("retry-after").is_some());
        // A forged left-most entry changes nothing: the proxy appended the real one.
        let forged = format!("{REPORTER}, {ATTACKER}");
        let r = report_via_proxy(&app, &forged).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

        let r = report_via_proxy(&app, REPORTER).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    assert_addresses_not_logged(cap);
}

/// Attack: 10 wrong receipts from one client locked the right receipt out for every
/// reporter behind the same proxy. Now the flooder alone is limited; the reporter's
/// receipt opens the report.
#[tokio::test]
async fn ten_wrong_receipts_from_one_client_do_not_lock_out_the_right_receipt() {
    let cap = logs();
    for app in App::each_with(behind_proxy()).await {
        let r = report_via_proxy(&app, REPORTER).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let receipt = r.json()["receipt"].as_str().unwrap().to_owned();
        let mut limited = None;
        for i in 0..12 {
            let wrong = format!("0000 0000 0000 0000 0000 0000 00{i:02}");
            let r = access_via_proxy(&app, ATTACKER, &wrong).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(i);
                break;
            }
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        assert_eq!(limited, Some(10), "the flooder is limited after 10 misses");

        let r = access_via_proxy(&app, REPORTER, &receipt).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["description"], DESCRIPTION);
    }
    assert_addresses_not_logged(cap);
}

/// Attack (on the fix): a client that reaches the server directly writes a new
/// `X-Forwarded-For` into every request to get a fresh bucket each time. The header is
/// read only from a trusted proxy, so the client is limited by its own address.
#[tokio::test]
async fn forged_forwarded_for_from_a_direct_client_is_ignored() {
    for config in [behind_proxy(), WebConfig::default()] {
        for app in App::each_with(config.clone()).await {
            let mut limited = false;
            for i in 0..12 {
                let fake = format!("192.0.2.{i}");
                let r = json_from(
                    &app,
                    "/api/v1/speakup/access",
                    &format!("{ATTACKER}:5000"),
                    Some(&fake),
                    &json!({"receipt": "0000 0000 0000 0000 0000 0000 0001"}),
                )
                .await;
                if r.status == StatusCode::TOO_MANY_REQUESTS {
                    limited = true;
                    break;
                }
            }
            assert!(limited);
        }
    }
}

/// The sign-in form's CSRF cookie and token, for posting as a browser would.
async fn login_form(app: &App) -> (String, String) {
    let form = app.get("/login", "").await;
    let cookie = form.cookie("rt_login_csrf").unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    (
        pair,
        value_of(&form.body, "name=\"csrf\" value=\"").to_owned(),
    )
}

async fn sign_in(app: &App, form: &(String, String), peer: &str, username: &str, pw: &str) -> Resp {
    let body = format!(
        "csrf={}&username={}&password={}&next=%2F",
        form.1,
        url(username),
        url(pw)
    );
    from(
        app,
        Method::POST,
        "/login",
        peer,
        None,
        &[
            ("cookie", &form.0),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await
}

/// Attack: 200 concurrent sign-ins with random usernames from one client were all
/// hashed, stalling the server. Now one client's attempts are limited (429 with
/// `Retry-After`, before any password work), and another client still signs in.
#[tokio::test]
async fn a_sign_in_flood_from_one_client_is_answered_429_with_retry_after() {
    for app in App::each().await {
        app.user("alice", &[Role::Agent]).await;
        let form = login_form(&app).await;
        let mut limited = None;
        for i in 0..60 {
            let r = sign_in(
                &app,
                &form,
                "198.51.100.7:5000",
                &format!("nobody{i}"),
                "guess",
            )
            .await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = limited.expect("the flood is limited");
        let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(wait >= 1);
        r.assert_contains("Too many sign-in attempts");
        // Another client is not affected.
        let r = sign_in(&app, &form, "203.0.113.9:5000", "alice", PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
}

/// Attack: guessing one username's password from many addresses (a botnet) was limited
/// only by the account lockout, which does not apply to names that do not exist yet
/// (and tells which ones do). Now attempts per username are limited, whoever sends them.
#[tokio::test]
async fn guessing_one_username_from_many_clients_is_limited() {
    for app in App::each().await {
        let form = login_form(&app).await;
        let mut limited = false;
        for i in 0..12 {
            let r = sign_in(&app, &form, &format!("192.0.2.{i}:5000"), "ceo", "guess").await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                assert!(r.headers.get("retry-after").is_some());
                limited = true;
                break;
            }
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        assert!(limited);
    }
}

/// Attack: while sign-ins held every core with argon2 on the async workers, `/healthz`
/// and the hotline stalled for seconds. Now password hashing waits for the password
/// gate on the blocking pool: with the gate held full (as a flood holds it), a sign-in
/// waits while, on a single async worker, `/healthz` answers and a report is filed and
/// opened again; the sign-in completes once the gate frees.
#[tokio::test(flavor = "current_thread")]
async fn the_hotline_answers_while_sign_ins_fill_the_password_gate() {
    for app in App::each().await {
        app.user("alice", &[Role::Agent]).await;
        let form = login_form(&app).await;
        let held = app.state.password_gate.hold_all().await.unwrap();
        let body = format!(
            "csrf={}&username=alice&password={}&next=%2F",
            form.1,
            url(PW)
        );
        let req = request(
            Method::POST,
            "/login",
            "198.51.100.7:5000",
            None,
            &[
                ("cookie", &form.0),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            &body,
        );
        let signing_in = tokio::spawn(tower::ServiceExt::oneshot(app.router.clone(), req));
        tokio::task::yield_now().await;

        assert_eq!(app.get("/healthz", "").await.status, StatusCode::OK);
        let r = api(
            &app,
            "/api/v1/speakup/reports",
            &json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let receipt = r.json()["receipt"].as_str().unwrap().to_owned();
        let r = api(&app, "/api/v1/speakup/access", &json!({"receipt": receipt})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!signing_in.is_finished(), "the sign-in waits for the gate");

        drop(held);
        let resp = signing_in.await.unwrap().unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
}
