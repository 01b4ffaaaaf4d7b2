//! Attacks on signing in, the second factor, tokens and sessions.

use crate::common::{value_of, App, Resp, PW};
use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use righttrack_core::totp;
use righttrack_core::Role;
use righttrack_web::WebConfig;

fn code_at(key: &[u8], t: Timestamp) -> String {
    format!("{:06}", totp::code_at(key, t.as_second() / 30))
}

/// A code that is certainly wrong now.
fn wrong_code(key: &[u8], t: Timestamp) -> String {
    let right: u32 = code_at(key, t).parse().unwrap();
    format!("{:06}", (right + 1) % 1_000_000)
}

fn session_of(r: &Resp) -> String {
    r.cookie("rt_session")
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_default()
}

/// Enrols `name` in TOTP through the pages; returns the session after enrolment and the
/// TOTP key.
async fn enrol(app: &App, name: &str) -> (String, Vec<u8>) {
    let (_, session) = app.login(name, PW).await;
    let (key, csrf) = app.enrolment(&session).await;
    let r = app
        .post(
            "/account/2fa",
            &session,
            &format!("csrf={csrf}&code={}", code_at(&key, app.now())),
        )
        .await;
    assert_eq!(r.location(), "/", "{}", r.body);
    // Later codes must come from a later window (codes do not replay).
    app.clock.advance(SignedDuration::from_secs(30));
    (session_of(&r), key)
}

/// Posts a code on the two-factor page of a password-only session.
async fn submit_code(app: &App, session: &str, code: &str) -> Resp {
    let form = app.get("/login/totp", session).await;
    let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
    app.post("/login/totp", session, &format!("csrf={csrf}&code={code}"))
        .await
}

/// The attacker holds the officer's password and walks the code space four codes per
/// sign-in: before the fix a correct password reset the shared failure counter, so the
/// account never locked (~930 guesses a minute). Now the fifth wrong code locks the
/// second factor; the right code is refused until the lock ends, the admins are alerted.
#[tokio::test]
async fn second_factor_brute_force_through_fresh_sign_ins_locks() {
    for app in App::each().await {
        let admin = app.user("ada", &[Role::Admin]).await;
        app.user("olga", &[Role::EthicsOfficer]).await;
        let (_, key) = enrol(&app, "olga").await;
        let mut wrong = 0;
        let mut locked = None;
        'attack: for _round in 0..3 {
            let (r, s) = app.login("olga", PW).await;
            assert_eq!(r.location(), "/login/totp", "the password still works");
            for _ in 0..4 {
                let r = submit_code(&app, &s, &wrong_code(&key, app.now())).await;
                wrong += 1;
                if r.body.contains("locked after too many wrong codes") {
                    locked = Some(wrong);
                    break 'attack;
                }
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
            }
        }
        assert_eq!(locked, Some(5), "the fifth wrong code locks");
        // The right password, then the right code: refused while locked.
        let (r, s) = app.login("olga", PW).await;
        assert_eq!(r.location(), "/login/totp");
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        r.assert_contains("ask an administrator to unlock it");
        assert_eq!(
            app.get("/", &s).await.location(),
            "/login/totp",
            "no way in while locked"
        );
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"login.second_factor_locked".to_string()));
        let notices = app.state.db.unseen_notifications(admin.id).await.unwrap();
        assert!(
            notices
                .iter()
                .any(|(_, t)| t.contains("two-factor check was locked")),
            "{notices:?}"
        );
        // The lock ends by time (60 minutes by default); the right code then works.
        app.clock.advance(SignedDuration::from_mins(61));
        let (_, s) = app.login("olga", PW).await;
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.location(), "/", "{}", r.body);
    }
}

/// The same lock, ended by an administrator from the users page instead of by time.
#[tokio::test]
async fn an_administrator_unlocks_a_locked_second_factor() {
    for app in App::each().await {
        let admin = app.user("ada", &[Role::Admin]).await;
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (_, key) = enrol(&app, "olga").await;
        let (_, s) = app.login("olga", PW).await;
        for _ in 0..5 {
            submit_code(&app, &s, &wrong_code(&key, app.now())).await;
        }
        let (_, s) = app.login("olga", PW).await;
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let (cookie, csrf) = app.session(&admin).await;
        let users = app.get("/admin/users", &cookie).await;
        users.assert_contains(&format!("/admin/users/{}/unlock", olga.id));
        let r = app
            .post(
                &format!("/admin/users/{}/unlock", olga.id),
                &cookie,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(app.audited("user.unlocked").await);
        app.clock.advance(SignedDuration::from_secs(30));
        let (_, s) = app.login("olga", PW).await;
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.location(), "/", "{}", r.body);
    }
}

/// Second-factor attempts are rate-limited per account, apart from the lock: even with
/// a lenient lock, an attacker cannot post codes faster than about ten a minute.
#[tokio::test]
async fn second_factor_attempts_are_rate_limited_per_account() {
    for app in App::each_with(WebConfig {
        totp_lockout_after: 1000,
        ..WebConfig::default()
    })
    .await
    {
        app.user("olga", &[Role::EthicsOfficer]).await;
        let (_, key) = enrol(&app, "olga").await;
        let (_, s) = app.login("olga", PW).await;
        for _ in 0..10 {
            let r = submit_code(&app, &s, &wrong_code(&key, app.now())).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.headers.contains_key("retry-after"));
        r.assert_contains("Too many codes");
        app.clock.advance(SignedDuration::from_secs(7));
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.location(), "/", "{}", r.body);
    }
}

/// Session fixation: an id seen or planted before the second factor (a shared machine,
/// a log, a sibling subdomain) kept working after the officer passed the second factor.
/// Now the id changes when the second factor is passed, and the old one is dead.
#[tokio::test]
async fn the_pre_second_factor_session_id_is_dead_after_the_second_factor() {
    for app in App::each().await {
        app.user("olga", &[Role::EthicsOfficer]).await;
        let (_, key) = enrol(&app, "olga").await;
        let (_, before) = app.login("olga", PW).await;
        let r = submit_code(&app, &before, &code_at(&key, app.now())).await;
        assert_eq!(r.location(), "/");
        let after = session_of(&r);
        assert!(!after.is_empty() && after != before, "a new session id");
        assert_eq!(app.get("/", &after).await.status, StatusCode::OK);
        assert_eq!(app.get("/", &before).await.location(), "/login");
        // Enrolment passes the second factor too: the same holds there.
        app.user("ivan", &[Role::Investigator]).await;
        let (_, pending) = app.login("ivan", PW).await;
        let page = app.get("/account/2fa", &pending).await;
        let secret = value_of(&page.body, "<code id=\"totp-secret\" class=\"secret\">").to_owned();
        let k = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap();
        let csrf = value_of(&page.body, "name=\"csrf\" value=\"").to_owned();
        let r = app
            .post(
                "/account/2fa",
                &pending,
                &format!("csrf={csrf}&code={}", code_at(&k, app.now())),
            )
            .await;
        assert_eq!(r.location(), "/");
        assert_eq!(app.get("/", &session_of(&r)).await.status, StatusCode::OK);
        assert_eq!(app.get("/", &pending).await.location(), "/login");
    }
}

/// A session left open on an unattended machine stayed valid for its whole 8 hours.
/// Now a session unused for `session_idle_minutes` (30 by default) ends; use keeps it
/// alive.
#[tokio::test]
async fn idle_sessions_end() {
    for app in App::each().await {
        app.user("alex", &[Role::Agent]).await;
        let (_, s) = app.login("alex", PW).await;
        for _ in 0..4 {
            app.clock.advance(SignedDuration::from_mins(20));
            assert_eq!(app.get("/", &s).await.status, StatusCode::OK, "in use");
        }
        app.clock.advance(SignedDuration::from_mins(30));
        assert_eq!(app.get("/", &s).await.location(), "/login", "idle");
    }
    for app in App::each_with(WebConfig {
        session_idle_minutes: 5,
        ..WebConfig::default()
    })
    .await
    {
        app.user("alex", &[Role::Agent]).await;
        let (_, s) = app.login("alex", PW).await;
        app.clock.advance(SignedDuration::from_mins(4));
        assert_eq!(app.get("/", &s).await.status, StatusCode::OK);
        app.clock.advance(SignedDuration::from_mins(6));
        assert_eq!(app.get("/", &s).await.location(), "/login");
    }
}

/// Behind TLS a cookie set by a sibling subdomain (`Domain=.example.com`) could fixate
/// a session. Now the session cookie is `__Host-rt_session` (Secure, Path=/, no Domain),
/// and a bare `rt_session` cookie is ignored.
#[tokio::test]
async fn behind_tls_the_session_cookie_carries_the_host_prefix() {
    for app in App::each_with(WebConfig {
        public_url: Some("https://righttrack.example.com".into()),
        ..WebConfig::default()
    })
    .await
    {
        app.user("alex", &[Role::Agent]).await;
        let form = app.get("/login", "").await;
        let csrf_cookie = form.cookie("__Host-rt_login_csrf").expect("prefixed");
        assert!(csrf_cookie.contains("Secure") && !csrf_cookie.contains("Domain"));
        let pair = csrf_cookie.split(';').next().unwrap().to_owned();
        let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let r = app
            .post(
                "/login",
                &pair,
                &format!(
                    "csrf={csrf}&username=alex&password={}&next=%2F",
                    PW.replace(' ', "+")
                ),
            )
            .await;
        assert_eq!(r.location(), "/", "{}", r.body);
        let set = r
            .cookie("__Host-rt_session")
            .expect("prefixed session cookie");
        assert!(
            set.contains("; Secure")
                && set.contains("Path=/;")
                && !set.to_ascii_lowercase().contains("domain"),
            "{set}"
        );
        assert!(r.cookie("rt_session").is_none());
        let pair = set.split(';').next().unwrap().to_owned();
        assert_eq!(app.get("/", &pair).await.status, StatusCode::OK);
        let bare = pair.trim_start_matches("__Host-");
        assert_eq!(app.get("/", bare).await.location(), "/login");
    }
}

/// The lockout message told which usernames exist: a real account said "locked" after
/// five wrong passwords, an unknown one said "wrong password" forever. Now both answer
/// alike, attempt by attempt.
#[tokio::test]
async fn lockout_answers_do_not_tell_which_usernames_exist() {
    fn alert(r: &Resp) -> (StatusCode, String) {
        let text = r
            .body
            .split("role=\"alert\">")
            .nth(1)
            .map(|t| t.split('<').next().unwrap().to_owned())
            .unwrap_or_default();
        (r.status, text)
    }
    for app in App::each().await {
        app.user("lou", &[Role::Agent]).await;
        for attempt in 0..7 {
            let pw = if attempt == 6 { PW } else { "not the password" };
            let (real, _) = app.login("lou", pw).await;
            let (ghost, s) = app.login("ghost", pw).await;
            assert!(s.is_empty());
            assert_eq!(alert(&real), alert(&ghost), "attempt {attempt}");
            if attempt >= 4 {
                assert_eq!(real.status, StatusCode::TOO_MANY_REQUESTS);
            }
        }
    }
}

/// A database writer copied their own TOTP secret (sealed) onto the officer's row and
/// passed the officer's second factor with their own phone: the sealed secret was bound
/// only to its purpose. Now it is bound to its user, and the copy does not open.
#[tokio::test]
async fn a_sealed_totp_secret_copied_onto_another_user_does_not_open() {
    for app in App::each().await {
        let mallory = app.user("mallory", &[Role::Admin]).await;
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (_, mkey) = enrol(&app, "mallory").await;
        enrol(&app, "olga").await;
        let msealed = app
            .state
            .db
            .credentials(mallory.id)
            .await
            .unwrap()
            .totp_sealed
            .unwrap();
        app.state
            .db
            .set_totp(olga.id, Some(&msealed), true)
            .await
            .unwrap();
        let (_, s) = app.login("olga", PW).await;
        let r = submit_code(&app, &s, &code_at(&mkey, app.now())).await;
        assert_ne!(r.location(), "/", "the copied secret was accepted");
        assert_eq!(app.get("/", &s).await.location(), "/login/totp");
    }
}

/// Secrets sealed before they were bound to their row still work, and the server's
/// one-time upgrade binds them; after it, an unbound sealed secret written into a row
/// (an old copy) is refused.
#[tokio::test]
async fn secrets_sealed_before_binding_are_upgraded_then_unbound_ones_refused() {
    for app in App::each().await {
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let ivan = app.user("ivan", &[Role::Investigator]).await;
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let key = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap();
        let legacy = app.state.seal("totp", secret.as_bytes()).unwrap();
        for u in [&olga, &ivan] {
            app.state
                .db
                .set_totp(u.id, Some(&legacy), true)
                .await
                .unwrap();
        }
        assert_eq!(
            righttrack_web::signin::bind_legacy_totp(&app.state)
                .await
                .unwrap(),
            2
        );
        let (_, s) = app.login("olga", PW).await;
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_eq!(r.location(), "/", "{}", r.body);
        // An unbound copy written afterwards does not open.
        app.state
            .db
            .set_totp(ivan.id, Some(&legacy), true)
            .await
            .unwrap();
        let (_, s) = app.login("ivan", PW).await;
        let r = submit_code(&app, &s, &code_at(&key, app.now())).await;
        assert_ne!(r.location(), "/");
    }
}

fn bearer(t: &righttrack_core::Secret<String>) -> String {
    format!("Bearer {}", t.expose())
}

/// An administrator minted an `admin`-scope token for the ethics officer on the tokens
/// page and, with it, read a decrypted conflict-of-interest disclosure, decided a gift,
/// and recorded a training completion for someone else, all recorded as the officer.
/// Now the page makes tokens only for oneself or a service account, and a token that
/// exists already (made before) no longer carries the officer's privileged roles.
#[tokio::test]
async fn an_admin_cannot_act_as_the_ethics_officer_through_a_minted_token() {
    use axum::http::Method;
    use righttrack_core::authz::Scope;
    for app in App::each().await {
        let ada = app.user("ada", &[Role::Admin]).await;
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let alex = app.user("alex", &[Role::Agent]).await;
        // Alex declares a gift (with his own token).
        let own =
            righttrack_web::auth::issue_token(&app.state, "test", &alex, "me", &[Scope::Admin])
                .await
                .unwrap();
        let r = app
            .api_post("/api/v1/conflicts/disclosures", &bearer(&own), r#"{"kind": "gift", "direction": "received", "name": "Acme Collections", "description": "a hamper", "value": "500", "currency": "EUR"}"#)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_str().unwrap().to_owned();

        // 1. The tokens page refuses to mint a token for the officer.
        let (cookie, csrf) = app.session(&ada).await;
        let r = app
            .post(
                "/admin/tokens",
                &cookie,
                &format!("csrf={csrf}&username=olga&name=x&scope=admin"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        r.assert_contains("is a person");
        r.assert_lacks("id=\"new-token\"");
        assert!(app
            .state
            .db
            .list_tokens(Some(olga.id))
            .await
            .unwrap()
            .is_empty());

        // 2. A token made for her before the fix grants none of her privileged actions.
        let old =
            righttrack_web::auth::issue_token(&app.state, "test", &olga, "x", &[Scope::Admin])
                .await
                .unwrap();
        let auth = bearer(&old);
        let read = app
            .api_get(&format!("/api/v1/conflicts/disclosures/{id}"), &auth)
            .await;
        assert!(
            read.status == StatusCode::FORBIDDEN || read.status == StatusCode::NOT_FOUND,
            "{}",
            read.body
        );
        read.assert_lacks("Acme");
        let decide = app
            .api_post(
                &format!("/api/v1/conflicts/disclosures/{id}/decision"),
                &auth,
                r#"{"decision": "approve", "rationale": "fine"}"#,
            )
            .await;
        assert_eq!(decide.status, StatusCode::FORBIDDEN, "{}", decide.body);
        let import = app
            .send(
                Method::POST,
                "/api/v1/training/import",
                &[("authorization", &auth), ("content-type", "text/csv")],
                "username,course,completed_at,score\nada,data-privacy,2026-11-19,100\n",
            )
            .await;
        assert_eq!(import.status, StatusCode::FORBIDDEN, "{}", import.body);
        let actions = app.audit_actions().await;
        assert!(!actions.contains(&"conflicts.disclosure_viewed".to_string()));
        assert!(!actions.contains(&"training.imported".to_string()));

        // Her own session (second factor passed) still does all of it.
        let (oc, _) = app.session(&olga).await;
        let r = app
            .get(&format!("/api/v1/conflicts/disclosures/{id}"), &oc)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("Acme");
    }
}

/// Machines get service accounts: made on the tokens page, never holding a role that
/// needs a second factor, unable to sign in, and the only others tokens are made for.
#[tokio::test]
async fn service_accounts_hold_no_privileged_role_and_cannot_sign_in() {
    for app in App::each().await {
        let ada = app.user("ada", &[Role::Admin]).await;
        let (cookie, csrf) = app.session(&ada).await;
        let r = app
            .post(
                "/admin/service-accounts",
                &cookie,
                &format!("csrf={csrf}&username=ghost-officer&role=ethics_officer"),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        r.assert_contains("second factor");
        assert!(app
            .state
            .db
            .user_by_username("ghost-officer")
            .await
            .unwrap()
            .is_none());
        let r = app
            .post(
                "/admin/service-accounts",
                &cookie,
                &format!("csrf={csrf}&username=telephony&display_name=Telephony&role=qa_analyst"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .post(
                "/admin/tokens",
                &cookie,
                &format!("csrf={csrf}&username=telephony&name=ingest&scope=ingest&scope=read"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = value_of(&r.body, "<code id=\"new-token\" class=\"secret\">").to_owned();
        let me = app.api_get("/api/v1/me", &format!("Bearer {token}")).await;
        assert_eq!(me.json()["username"], "telephony");
        // An admin may still make a token for themselves; it acts without the admin role.
        let r = app
            .post(
                "/admin/tokens",
                &cookie,
                &format!("csrf={csrf}&username=ada&name=mine&scope=admin"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mine = value_of(&r.body, "<code id=\"new-token\" class=\"secret\">").to_owned();
        let users = app.api_get("/admin/users", &format!("Bearer {mine}")).await;
        assert_eq!(users.status, StatusCode::FORBIDDEN);
        // No password signs a service account in.
        let (r, s) = app.login("telephony", PW).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(s.is_empty());
    }
}
