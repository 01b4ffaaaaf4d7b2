//! The server as its users meet it: requests through the real router (no sockets, via
//! `tower::ServiceExt::oneshot`), on a fresh database per test, once per backend.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{value_of, App, PW};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::authz::{allowed, Scope};
use righttrack_core::{totp, Role};
use righttrack_web::routes::{specs, Access, Kind};
use righttrack_web::WebConfig;

/// Refused by the authorization table (as opposed to, say, a CSRF failure).
fn denied(r: &common::Resp) -> bool {
    r.status == StatusCode::FORBIDDEN
        && (r.body.contains("\"forbidden\"") || r.body.contains("You do not have access"))
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "0190b8c5-0000-7000-8000-000000000000")
}

/// Every route × every role (and no credentials), checked against the authorization
/// table. A route added without thinking about access fails here.
#[tokio::test]
async fn every_route_with_every_role_matches_the_authorization_table() {
    for app in App::each().await {
        let mut users = Vec::new();
        for (i, role) in Role::ALL.iter().enumerate() {
            let u = app.user(&format!("user{i}"), &[*role]).await;
            app.state.db.set_totp(u.id, Some(b"x"), true).await.unwrap();
            users.push((*role, u));
        }
        for spec in specs() {
            let method = Method::from_bytes(spec.method.as_bytes()).unwrap();
            let path = concrete(spec.path);
            let anon = app.send(method.clone(), &path, &[], "").await;
            match (spec.access, spec.kind) {
                (Access::Public, _) => {
                    assert!(!denied(&anon), "{} {} anon", spec.method, spec.path)
                }
                (_, Kind::Page) => {
                    assert_eq!(
                        anon.status,
                        StatusCode::SEE_OTHER,
                        "{} {}",
                        spec.method,
                        spec.path
                    );
                    assert!(
                        anon.location().starts_with("/login"),
                        "{} {} -> {}",
                        spec.method,
                        spec.path,
                        anon.location()
                    );
                }
                (_, _) => assert_eq!(
                    anon.status,
                    StatusCode::UNAUTHORIZED,
                    "{} {}",
                    spec.method,
                    spec.path
                ),
            }
            for (role, user) in &users {
                let (cookie, csrf) = app.session(user).await;
                let body = if method == Method::POST {
                    format!("csrf={csrf}")
                } else {
                    String::new()
                };
                let r = app
                    .send(method.clone(), &path, &[("cookie", &cookie)], &body)
                    .await;
                let expect_allowed = match spec.access {
                    Access::Public | Access::SessionPending => true,
                    Access::Act(a) => allowed(&[*role], a),
                };
                if spec.access == Access::Public {
                    assert!(
                        !denied(&r),
                        "{role} on public {} {}",
                        spec.method,
                        spec.path
                    );
                } else if expect_allowed {
                    assert!(
                        r.status != StatusCode::FORBIDDEN && r.status != StatusCode::UNAUTHORIZED,
                        "{role} should reach {} {} but got {}: {}",
                        spec.method,
                        spec.path,
                        r.status,
                        r.body
                    );
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{role} must not reach {} {}",
                        spec.method,
                        spec.path
                    );
                    assert!(
                        r.body.contains("You do not have access")
                            || r.body.contains("\"forbidden\""),
                        "{}",
                        r.body
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn token_scopes_narrow_what_a_token_may_do() {
    for app in App::each().await {
        let admin = app
            .user("root", &[Role::Admin, Role::QaAnalyst, Role::TeamLead])
            .await;
        // A token never acts with a role that needs a second factor (admin here).
        let acts: Vec<Role> = admin
            .roles
            .iter()
            .copied()
            .filter(|r| !r.requires_two_factor())
            .collect();
        let read =
            righttrack_web::auth::issue_token(&app.state, "test", &admin, "ro", &[Scope::Read])
                .await
                .unwrap();
        let bearer = format!("Bearer {}", read.expose());
        for spec in specs() {
            let Access::Act(action) = spec.access else {
                continue;
            };
            if spec.kind != Kind::Api {
                continue;
            }
            let r = app
                .send(
                    Method::from_bytes(spec.method.as_bytes()).unwrap(),
                    &concrete(spec.path),
                    &[("authorization", &bearer)],
                    "",
                )
                .await;
            let ok = (allowed(&acts, action) || action.for_everyone())
                && action.scope() == Scope::Read
                && spec.method == "GET";
            assert_eq!(
                r.status != StatusCode::FORBIDDEN,
                ok,
                "{} {} with a read token",
                spec.method,
                spec.path
            );
        }
        // A read token never changes anything, whatever its user may do: every unsafe
        // route (forms included) refuses it before the handler runs.
        let everyone = app.user("omni", &Role::ALL).await;
        let omni_read =
            righttrack_web::auth::issue_token(&app.state, "test", &everyone, "ro", &[Scope::Read])
                .await
                .unwrap();
        let omni = format!("Bearer {}", omni_read.expose());
        for spec in specs() {
            if !matches!(spec.access, Access::Act(_)) || spec.method == "GET" {
                continue;
            }
            let r = app
                .send(
                    Method::from_bytes(spec.method.as_bytes()).unwrap(),
                    &concrete(spec.path),
                    &[("authorization", &omni)],
                    "",
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{} {} with a read token: {}",
                spec.method,
                spec.path,
                r.body
            );
        }
        let me = app.api_get("/api/v1/me", &bearer).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["username"], "root");
        assert_eq!(me.json()["authenticated_by"]["kind"], "token");
        assert!(app.audited("token.used").await);
        // A token cannot use the session-only pages, and a wrong token is not anonymous.
        let r = app.api_get("/api/v1/me", "Bearer rt_nope").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "unauthenticated");
        let id = app.state.db.list_tokens(Some(admin.id)).await.unwrap()[0].id;
        app.state.db.revoke_token(id, app.now()).await.unwrap();
        assert_eq!(
            app.api_get("/api/v1/me", &bearer).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn an_agent_signs_in_sees_home_and_signs_out() {
    for app in App::each().await {
        app.user("ana", &[Role::Agent]).await;
        let (r, session) = app.login("ana", PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/");
        let set = r.cookie("rt_session").unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"),
            "{set}"
        );
        let home = app.get("/", &session).await;
        home.assert_answer(StatusCode::OK, &["Welcome, ana Person"]);
        assert!(
            !home.body.contains("href=\"/admin/users\""),
            "agents see no admin navigation"
        );
        let csrf = value_of(&home.body, "name=\"csrf\" value=\"").to_owned();
        let out = app.post("/logout", &session, &format!("csrf={csrf}")).await;
        assert_eq!(out.location(), "/login");
        assert_eq!(
            app.get("/", &session).await.location(),
            "/login",
            "the old cookie is dead"
        );
        let actions = app.audit_actions().await;
        assert!(
            actions.contains(&"login.success".into()) && actions.contains(&"logout".into()),
            "{actions:?}"
        );
    }
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_with_a_clear_message() {
    for app in App::each().await {
        app.user("lou", &[Role::Agent]).await;
        for _ in 0..4 {
            let (r, s) = app.login("lou", "not the password").await;
            r.assert_answer(StatusCode::UNAUTHORIZED, &["Wrong username or password."]);
            assert!(s.is_empty());
        }
        let (r, _) = app.login("lou", "not the password").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        r.assert_contains("locked after too many failed sign-ins");
        let (r, s) = app.login("lou", PW).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits"
        );
        assert!(s.is_empty());
        app.clock.advance(SignedDuration::from_mins(16));
        let (r, s) = app.login("lou", PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!s.is_empty());
        // Unknown users get the same answer as wrong passwords, and their typed name is not recorded.
        let (r, _) = app.login("nobody-hunter2", PW).await;
        r.assert_contains("Wrong username or password.");
        let f = righttrack_store::audit::AuditFilter {
            limit: 1000,
            ..Default::default()
        };
        let all = app.state.db.audit_list(&f).await.unwrap();
        assert!(all
            .iter()
            .all(|e| !e.entry.detail.contains("hunter2") && !e.entry.target.contains("hunter2")));
        assert!(all.iter().any(|e| e.entry.action == "login.locked"));
    }
}

#[tokio::test]
async fn privileged_roles_must_enrol_and_pass_totp_and_codes_do_not_replay() {
    for app in App::each().await {
        let admin = app.user("ada", &[Role::Admin]).await;
        let (r, session) = app.login("ada", PW).await;
        assert_eq!(r.location(), "/account/2fa");
        // Nothing else is reachable before the second factor.
        assert_eq!(app.get("/", &session).await.location(), "/account/2fa");
        let api = app.get("/api/v1/me", &session).await;
        assert_eq!(
            (api.status, api.json()["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("two_factor_required"))
        );

        let page = app.get("/account/2fa", &session).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data:image/svg+xml;base64,"), "QR code");
        let secret = value_of(&page.body, "<code id=\"totp-secret\" class=\"secret\">").to_owned();
        // The secret is sealed at rest.
        if let Some(bytes) = app.sqlite_bytes() {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "TOTP secret in plaintext at rest"
            );
        }
        let key = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap();
        let code = |t: Timestamp| format!("{:06}", totp::code_at(&key, t.as_second() / 30));
        let csrf = value_of(&page.body, "name=\"csrf\" value=\"").to_owned();
        let bad = app
            .post(
                "/account/2fa",
                &session,
                &format!("csrf={csrf}&code=000000"),
            )
            .await;
        bad.assert_contains("That code is not right");
        let ok = app
            .post(
                "/account/2fa",
                &session,
                &format!("csrf={csrf}&code={}", code(app.now())),
            )
            .await;
        assert_eq!(ok.location(), "/", "{}", ok.body);
        // Passing the second factor gives the session a new id.
        let rotated = ok
            .cookie("rt_session")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(app.get("/", &rotated).await.status, StatusCode::OK);
        assert!(
            app.state
                .db
                .user_by_id(admin.id)
                .await
                .unwrap()
                .unwrap()
                .totp_enabled
        );

        // Next sign-in asks for a code; the code just used does not work again.
        let (r, s2) = app.login("ada", PW).await;
        assert_eq!(r.location(), "/login/totp");
        let form = app.get("/login/totp", &s2).await;
        let csrf2 = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let replay = app
            .post(
                "/login/totp",
                &s2,
                &format!("csrf={csrf2}&code={}", code(app.now())),
            )
            .await;
        assert_eq!(
            replay.status,
            StatusCode::UNAUTHORIZED,
            "replayed code accepted"
        );
        // Re-enrolment is not a way around the existing factor.
        assert_eq!(app.get("/account/2fa", &s2).await.location(), "/login/totp");
        app.clock.advance(SignedDuration::from_secs(60));
        let fresh = app
            .post(
                "/login/totp",
                &s2,
                &format!("csrf={csrf2}&code={}", code(app.now())),
            )
            .await;
        assert_eq!(fresh.location(), "/");
        let s3 = fresh
            .cookie("rt_session")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(app.get("/admin/users", &s3).await.status, StatusCode::OK);
        let actions = app.audit_actions().await;
        for a in [
            "two_factor.enrolled",
            "login.second_factor",
            "login.second_factor_failure",
        ] {
            assert!(
                actions.contains(&a.to_string()),
                "{a} not audited: {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    for app in App::each().await {
        let u = app.user("cy", &[Role::Agent]).await;
        let (cookie, csrf) = app.session(&u).await;
        for body in ["", "csrf=WRONGTOKEN", "current=x&new=y"] {
            let r = app.post("/account/password", &cookie, body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}");
            r.assert_contains("This form has expired");
        }
        let ok = app
            .post(
                "/account/password",
                &cookie,
                &format!("csrf={csrf}&current=x&new=y"),
            )
            .await;
        ok.assert_answer(StatusCode::OK, &["Your current password is not right."]);
        // The login form without its double-submit cookie is refused too.
        let r = app
            .post("/login", "", "csrf=abc&username=cy&password=x")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // JSON clients on a session must send the header.
        let r = app
            .send(
                Method::POST,
                "/logout",
                &[("cookie", &cookie), ("x-csrf-token", &csrf)],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn password_change_signs_out_other_sessions() {
    for app in App::each().await {
        let u = app.user("pat", &[Role::Agent]).await;
        let (other, _) = app.session(&u).await;
        let (mine, csrf) = app.session(&u).await;
        let short = app
            .post(
                "/account/password",
                &mine,
                &format!("csrf={csrf}&current={}&new=short", PW.replace(' ', "+")),
            )
            .await;
        short.assert_contains("at least 12 characters");
        let r = app
            .post(
                "/account/password",
                &mine,
                &format!(
                    "csrf={csrf}&current={}&new=a+brand+new+passphrase",
                    PW.replace(' ', "+")
                ),
            )
            .await;
        r.assert_contains("Password changed");
        let renewed = r.cookie("rt_session").unwrap();
        let renewed = renewed.split(';').next().unwrap();
        assert_eq!(app.get("/", renewed).await.status, StatusCode::OK);
        assert_eq!(app.get("/", &other).await.location(), "/login");
        assert_eq!(
            app.login("pat", "a brand new passphrase")
                .await
                .0
                .location(),
            "/"
        );
    }
}

#[tokio::test]
async fn admins_manage_users_roles_and_tokens_in_the_ui() {
    for app in App::each().await {
        let admin = app.user("root", &[Role::Admin]).await;
        let (cookie, csrf) = app.session(&admin).await;
        let r = app
            .post("/admin/users", &cookie, &format!("csrf={csrf}&username=newbie&display_name=New+Bie&password=long+enough+pass&team=&role=agent&role=qa_analyst"))
            .await;
        r.assert_contains("User newbie added.");
        let newbie = app
            .state
            .db
            .user_by_username("newbie")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(newbie.roles, vec![Role::Agent, Role::QaAnalyst]);
        let dup = app.post("/admin/users", &cookie, &format!("csrf={csrf}&username=newbie&display_name=X&password=long+enough+pass&role=agent")).await;
        dup.assert_answer(StatusCode::BAD_REQUEST, &["already exists"]);
        let bad = app
            .post(
                "/admin/users",
                &cookie,
                &format!(
                    "csrf={csrf}&username=x&display_name=X&password=long+enough+pass&role=wizard"
                ),
            )
            .await;
        bad.assert_contains("unknown role");
        let r = app
            .post(
                &format!("/admin/users/{}/roles", newbie.id),
                &cookie,
                &format!("csrf={csrf}&role=investigator"),
            )
            .await;
        r.assert_contains("Roles of newbie saved.");
        let self_demote = app
            .post(
                &format!("/admin/users/{}/roles", admin.id),
                &cookie,
                &format!("csrf={csrf}&role=agent"),
            )
            .await;
        self_demote.assert_contains("cannot remove your own admin role");

        // Tokens are for oneself or for service accounts, not for newbie (a person).
        let r = app
            .post(
                "/admin/tokens",
                &cookie,
                &format!("csrf={csrf}&username=newbie&name=ingest-bot&scope=ingest"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        app.post(
            "/admin/service-accounts",
            &cookie,
            &format!("csrf={csrf}&username=crm&role=qa_analyst"),
        )
        .await;
        let crm = app.state.db.user_by_username("crm").await.unwrap().unwrap();
        assert!(crm.service);
        let r = app
            .post(
                "/admin/tokens",
                &cookie,
                &format!("csrf={csrf}&username=crm&name=ingest-bot&scope=ingest"),
            )
            .await;
        let token = value_of(&r.body, "<code id=\"new-token\" class=\"secret\">").to_owned();
        assert!(token.starts_with("rt_"));
        assert_eq!(
            app.get("/admin/tokens", &cookie)
                .await
                .body
                .matches(&token)
                .count(),
            0,
            "shown once"
        );
        let actions = app.audit_actions().await;
        for a in ["user.created", "user.roles_changed", "token.created"] {
            assert!(actions.contains(&a.to_string()), "{a}");
        }
        let id = app.state.db.list_tokens(Some(crm.id)).await.unwrap()[0].id;
        let r = app
            .post(
                &format!("/admin/tokens/{id}/revoke"),
                &cookie,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.location(), "/admin/tokens");
        assert!(app.audited("token.revoked").await);
    }
}

#[tokio::test]
async fn audit_trail_is_browsable_and_filterable() {
    for app in App::each().await {
        let eo = app.user("eve", &[Role::EthicsOfficer]).await;
        app.user("ann", &[Role::Agent]).await;
        for _ in 0..3 {
            app.login("ann", "wrong password!").await;
        }
        app.login("ann", PW).await;
        let (cookie, _) = app.session(&eo).await;
        let page = app.get("/audit?action=login.failure", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.body.matches("<td>login.failure</td>").count(),
            3,
            "{}",
            page.body
        );
        page.assert_lacks("<td>login.success</td>");
        let api = app
            .get("/api/v1/audit?action=login.&limit=2", &cookie)
            .await;
        let entries = api.json()["entries"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 2);
        assert!(api.json()["next_before"].is_i64());
        assert!(app
            .state
            .db
            .audit_verify(&app.state.signer.verifying_key())
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn pages_and_errors_carry_strict_headers_and_stable_codes() {
    for app in App::each().await {
        let r = app.get("/login", "").await;
        let csp = r
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("script-src"),
            "{csp}"
        );
        assert_eq!(r.headers.get("referrer-policy").unwrap(), "no-referrer");
        assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
        assert!(
            r.headers.get("strict-transport-security").is_none(),
            "no HSTS without TLS"
        );
        assert!(!r.body.contains("<script"), "no scripts");
        assert!(
            r.body.contains("<main id=\"main\"") && r.body.contains("<label for=\"username\">"),
            "landmarks and labels"
        );

        let api404 = app.get("/api/v1/nothing-here", "").await;
        assert_eq!(api404.status, StatusCode::NOT_FOUND);
        assert_eq!(api404.json()["code"], "not_found");
        let page404 = app.get("/nothing-here", "").await;
        assert_eq!(page404.status, StatusCode::NOT_FOUND);
        assert!(page404.body.contains("Page not found") && page404.body.contains("<html"));
    }
    for app in App::each_with(WebConfig {
        public_url: Some("https://ethics.example.com".into()),
        ..WebConfig::default()
    })
    .await
    {
        app.user("tls", &[Role::Agent]).await;
        // Behind TLS the cookies carry the `__Host-` prefix.
        let form = app.get("/login", "").await;
        let pair = form
            .cookie("__Host-rt_login_csrf")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let body = format!(
            "csrf={csrf}&username=tls&password={}&next=%2F",
            PW.replace(' ', "+")
        );
        let r = app.post("/login", &pair, &body).await;
        assert!(r.cookie("__Host-rt_session").unwrap().contains("Secure"));
        assert!(r.headers.get("strict-transport-security").is_some());
    }
}

#[tokio::test]
async fn openapi_health_and_metrics() {
    let config = WebConfig {
        metrics_token: Some(righttrack_core::Secret::new(
            "scrape-token-0123456789".into(),
        )),
        ..WebConfig::default()
    };
    for app in App::each_with(config).await {
        let doc = app.get("/api/openapi.json", "").await.json();
        assert_eq!(doc["openapi"], "3.1.0");
        for s in specs() {
            assert!(
                doc["paths"][s.path][s.method.to_lowercase()].is_object(),
                "{} {} missing from OpenAPI",
                s.method,
                s.path
            );
        }
        assert_eq!(app.get("/healthz", "").await.json()["status"], "ok");
        app.get("/api/v1/me", "").await;
        let m = app
            .api_get("/metrics", "Bearer scrape-token-0123456789")
            .await
            .body;
        assert!(m.contains("righttrack_build_info{"), "{m}");
        assert!(m.contains("righttrack_db_pool_connections"));
        assert!(m.contains("righttrack_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"), "{m}");
        assert!(m.contains(
            "righttrack_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\""
        ));
        app.state.db.close().await;
        let down = app.get("/healthz", "").await;
        assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.json()["code"], "unavailable");
    }
}

/// Enrols `name` (an admin) at the app's current time; returns the TOTP key.
async fn enrol(app: &App, name: &str) -> (String, Vec<u8>) {
    let (_, session) = app.login(name, PW).await;
    let (key, csrf) = app.enrolment(&session).await;
    for _ in 0..3 {
        app.post(
            "/account/2fa",
            &session,
            &format!("csrf={csrf}&code=000000"),
        )
        .await;
    }
    let code = app.code(&key);
    let r = app
        .post(
            "/account/2fa",
            &session,
            &format!("csrf={csrf}&code={code}"),
        )
        .await;
    assert_eq!(r.location(), "/", "{}", r.body);
    (session, key)
}

#[tokio::test]
async fn regression_enrolment_does_not_burn_the_next_windows_code() {
    for app in App::each().await {
        app.user("win", &[Role::Admin]).await;
        let (_, key) = enrol(&app, "win").await;
        app.clock.advance(SignedDuration::from_secs(30));
        let (r, s) = app.login("win", PW).await;
        assert_eq!(r.location(), "/login/totp");
        let form = app.get("/login/totp", &s).await;
        let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let code = format!("{:06}", totp::code_at(&key, app.now().as_second() / 30));
        let ok = app
            .post("/login/totp", &s, &format!("csrf={csrf}&code={code}"))
            .await;
        assert_eq!(
            ok.location(),
            "/",
            "the next window's code was refused: {}",
            ok.body
        );
    }
}

#[tokio::test]
async fn regression_enrolment_resets_earlier_failed_attempts() {
    for app in App::each().await {
        let u = app.user("typo", &[Role::Admin]).await;
        enrol(&app, "typo").await;
        assert_eq!(
            app.state.db.credentials(u.id).await.unwrap().failed_logins,
            0
        );
        let (r, _) = app.login("typo", "one typo in the password").await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "one typo must not lock the account"
        );
        r.assert_contains("Wrong username or password.");
    }
}

#[tokio::test]
async fn regression_the_requested_page_survives_the_second_factor() {
    for app in App::each().await {
        app.user("nx", &[Role::Admin]).await;
        let (_, key) = enrol(&app, "nx").await;
        app.clock.advance(SignedDuration::from_secs(60));
        let form = app.get("/login?next=%2Faudit", "").await;
        let pair = form
            .cookie("rt_login_csrf")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let r = app
            .post(
                "/login",
                &pair,
                &format!(
                    "csrf={csrf}&username=nx&password={}&next=%2Faudit",
                    PW.replace(' ', "+")
                ),
            )
            .await;
        assert_eq!(r.location(), "/login/totp?next=/audit");
        let s = r
            .cookie("rt_session")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let page = app.get(r.location(), &s).await;
        page.assert_contains("name=\"next\" value=\"/audit\"");
        let csrf = value_of(&page.body, "name=\"csrf\" value=\"").to_owned();
        let code = format!("{:06}", totp::code_at(&key, app.now().as_second() / 30));
        let done = app
            .post(
                "/login/totp",
                &s,
                &format!("csrf={csrf}&code={code}&next=%2Faudit"),
            )
            .await;
        assert_eq!(done.location(), "/audit");
    }
}

#[tokio::test]
async fn regression_error_pages_keep_the_signed_in_navigation() {
    for app in App::each().await {
        let u = app.user("nav", &[Role::Agent]).await;
        let (cookie, _) = app.session(&u).await;
        let r = app.get("/admin/users", &cookie).await;
        r.assert_answer(StatusCode::FORBIDDEN, &["You do not have access"]);
        assert!(
            r.body.contains("Sign out") && r.body.contains("href=\"/account\""),
            "{}",
            r.body
        );
        let nf = app.get("/no/such/page", &cookie).await;
        assert_eq!(nf.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn regression_control_characters_in_next_neither_redirect_away_nor_crash() {
    for app in App::each().await {
        let u = app.user("rd", &[Role::Agent]).await;
        let (cookie, _) = app.session(&u).await;
        for next in ["%2F%09%2Fevil.example%2Fy", "%2Faccount%0AX"] {
            let r = app.get(&format!("/login?next={next}"), &cookie).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.body);
            assert_eq!(r.location(), "/", "{next}");
        }
        let nf = app.get("/no/such/page", &cookie).await;
        assert_eq!(nf.status, StatusCode::NOT_FOUND);
        assert!(
            nf.body.contains("Sign out"),
            "the 404 page keeps the navigation"
        );
    }
}

/// `righttrack keys rotate` runs beside a live server: values sealed under the new key
/// must open in the running server, which re-reads the keyring file on an unknown key id.
#[tokio::test]
async fn a_running_server_picks_up_a_rotated_keyring() {
    use righttrack_core::crypto::Keyring;
    let dir = std::env::temp_dir().join(format!("rt-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("master.keys");
    let mut keys = Keyring::generate(&mut rand::rngs::OsRng);
    std::fs::write(&path, keys.to_file_text()).unwrap();
    let t = righttrack_store::testing::TestDb::sqlite().await.unwrap();
    let state = righttrack_web::AppState::new(
        t.db.clone(),
        keys.clone(),
        ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]),
        std::sync::Arc::new(righttrack_core::clock::SystemClock),
        WebConfig {
            keyring_path: Some(path.clone()),
            ..WebConfig::default()
        },
    );
    let old = state.seal("totp", b"before rotation").unwrap();
    // Rotation, as the CLI does it: a new version in the file, a value sealed under it.
    keys.add_version(&mut rand::rngs::OsRng);
    std::fs::write(&path, keys.to_file_text()).unwrap();
    let new = keys
        .seal("totp", b"after rotation", &mut rand::rngs::OsRng)
        .unwrap();
    assert_eq!(Keyring::key_id_of(&new).unwrap(), 2);
    assert_eq!(state.open("totp", &new).unwrap(), b"after rotation");
    assert_eq!(state.open("totp", &old).unwrap(), b"before rotation");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An administrator brings people in from an HR file on the Users pages: the changes
/// are shown first and nothing is written; the import does exactly what was shown; a
/// file edited after it was shown is shown again instead of imported; a bad file names
/// each line and column, keeps what was typed and marks the field. Someone the next
/// file says has left is signed out and their API token stops working.
#[tokio::test]
async fn people_come_in_from_an_hr_file_with_a_preview_first() {
    for app in App::each().await {
        let admin = common::staff(&app, "root", &[Role::Admin]).await;
        let file = "username,display_name,email,team,site,manager,roles\n\
                    mia,Mia Moreno,mia@example.com,Ops,Lisbon,,team_lead\n\
                    ana,Ana Silva,ana@example.com,Lisbon A,Lisbon,mia,\n\
                    bo,Bo Chen,,Lisbon A,Lisbon,mia,agent;qa_analyst\n";
        app.get("/admin/users", &admin.cookie)
            .await
            .assert_contains("href=\"/admin/directory/import\"");
        admin
            .get(&app, "/admin/directory/import")
            .await
            .assert_answer(
                StatusCode::OK,
                &["People file", "username,display_name,email"],
            );

        let shown = admin
            .post(
                &app,
                "/admin/directory/import",
                &[("people", file), ("step", "preview")],
            )
            .await;
        shown.assert_answer(
            StatusCode::OK,
            &[
                "add ana (Ana Silva), team Lisbon A, reports to mia",
                "team Lisbon A lead: (none) → mia",
                "Import these changes",
            ],
        );
        assert!(app
            .state
            .db
            .user_by_username("ana")
            .await
            .unwrap()
            .is_none());
        let fingerprint = value_of(&shown.body, "name=\"fingerprint\" value=\"").to_owned();

        // The file changed after it was shown: shown again, not imported.
        let edited = file.replace("Bo Chen", "Bo Chan");
        admin
            .post(
                &app,
                "/admin/directory/import",
                &[
                    ("people", &edited),
                    ("step", "import"),
                    ("fingerprint", &fingerprint),
                ],
            )
            .await
            .assert_answer(
                StatusCode::CONFLICT,
                &["changed since the changes were shown", "Bo Chan"],
            );
        assert!(app.state.db.user_by_username("bo").await.unwrap().is_none());

        admin
            .post(
                &app,
                "/admin/directory/import",
                &[
                    ("people", file),
                    ("step", "import"),
                    ("fingerprint", &fingerprint),
                ],
            )
            .await
            .assert_answer(StatusCode::OK, &["Imported.", "3 to add"]);
        let bo = app.state.db.user_by_username("bo").await.unwrap().unwrap();
        assert_eq!(bo.roles, vec![Role::Agent, Role::QaAnalyst]);
        let team = app
            .state
            .db
            .team_by_name("Lisbon A")
            .await
            .unwrap()
            .unwrap();
        let mia = app.state.db.user_by_username("mia").await.unwrap().unwrap();
        assert_eq!(team.lead_user_id, Some(mia.id));
        assert!(app.audited("directory.imported").await);

        // Bo leaves: signed out everywhere, the token refused, the account kept.
        let bo_session = app.signed_in(bo.clone()).await;
        let token = app.bearer(&bo, &[Scope::Read]).await;
        assert_eq!(
            app.api_get("/api/v1/me", &token).await.status,
            StatusCode::OK
        );
        let gone = file.replace("agent;qa_analyst", "agent;qa_analyst,left");
        let gone = gone.replace(
            "username,display_name,email,team,site,manager,roles",
            "username,display_name,email,team,site,manager,roles,employment_status",
        );
        let shown = admin
            .post(
                &app,
                "/admin/directory/import",
                &[("people", &gone), ("step", "preview")],
            )
            .await;
        shown.assert_answer(StatusCode::OK, &["deactivate bo (the file says they left)"]);
        let fingerprint = value_of(&shown.body, "name=\"fingerprint\" value=\"").to_owned();
        admin
            .post(
                &app,
                "/admin/directory/import",
                &[
                    ("people", &gone),
                    ("step", "import"),
                    ("fingerprint", &fingerprint),
                ],
            )
            .await
            .assert_answer(StatusCode::OK, &["Imported."]);
        assert_ne!(bo_session.get(&app, "/").await.status, StatusCode::OK);
        assert_eq!(
            app.api_get("/api/v1/me", &token).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            app.state
                .db
                .user_by_username("bo")
                .await
                .unwrap()
                .unwrap()
                .disabled
        );

        // A bad file: every problem named, nothing written, the text kept, the field marked.
        let bad = "username,display_name,team,site,roles\nzed,Zed,Porto,,admin\n";
        admin
            .post(&app, "/admin/directory/import", &[("people", bad), ("step", "preview")])
            .await
            .assert_answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                &[
                    "line 2: column roles: Admin is granted by an admin on the Users page, not by an HR file",
                    "aria-invalid=\"true\"",
                    "zed,Zed,Porto,,admin",
                ],
            );

        // Only administrators import.
        let lead = common::staff(&app, "lea", &[Role::TeamLead]).await;
        let refused = lead
            .post(
                &app,
                "/admin/directory/import",
                &[("people", file), ("step", "preview")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}
