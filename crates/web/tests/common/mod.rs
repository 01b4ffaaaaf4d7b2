//! Shared test harness: the real router on a fresh database per backend.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test binaries; setup failures should panic"
)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use jiff::Timestamp;
use righttrack_core::authz::Scope;
use righttrack_core::clock::{Clock, FixedClock};
use righttrack_core::crypto::Keyring;
use righttrack_core::ids::TeamId;
use righttrack_core::{password, Role, Secret};
use righttrack_store::directory::{NewUser, User};
use righttrack_store::testing::TestDb;
use righttrack_web::{router, AppState, WebConfig};
use std::sync::{Arc, OnceLock};

pub mod speakup;

/// A log writer that keeps everything written to it, for tests that search the logs.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs one global subscriber that captures every log line of this test binary, at
/// every level, as JSON (the structured fields are where a careless `?request` would
/// leak), and returns the capture. One per process: scoped subscribers miss events that
/// other test threads' callsite caching decided against. Call it before anything else.
pub fn logs() -> &'static Captured {
    static CAP: OnceLock<Captured> = OnceLock::new();
    CAP.get_or_init(|| {
        let cap = Captured::default();
        let w = cap.clone();
        tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || w.clone())
            .init();
        cap
    })
}

/// `n` days, for moving the test clock.
pub fn days(n: i64) -> jiff::SignedDuration {
    jiff::SignedDuration::from_hours(24 * n)
}

/// Form-encodes a value (`application/x-www-form-urlencoded`).
pub fn url(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub const PW: &str = "correct horse battery staple";

/// A payment card number as customers type it: the redaction must catch it.
pub const CARD: &str = "4111 1111 1111 1111";
/// A customer's e-mail address: the redaction must catch it too.
pub const EMAIL: &str = "jane.doe@example.com";

pub struct App {
    pub state: AppState,
    pub router: Router,
    pub clock: FixedClock,
    pub t: TestDb,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.to_owned())
    }

    /// Asserts that the body contains `text` (the failure shows the body).
    #[track_caller]
    pub fn assert_contains(&self, text: &str) {
        assert!(self.body.contains(text), "{text:?} not in: {}", self.body);
    }

    /// Asserts the answer's status and that its body contains every one of `texts`.
    #[track_caller]
    pub fn assert_answer(&self, status: StatusCode, texts: &[&str]) {
        assert_eq!(self.status, status, "{}", self.body);
        for text in texts {
            self.assert_contains(text);
        }
    }

    /// Asserts that the body does not contain `text` (the failure shows the body).
    #[track_caller]
    pub fn assert_lacks(&self, text: &str) {
        assert!(!self.body.contains(text), "{text:?} in: {}", self.body);
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// The error a form redirected back with (`?error=...`, decoded enough to compare),
    /// "" when none. Asserts that the answer is a redirect.
    #[track_caller]
    pub fn redirect_error(&self) -> String {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.body);
        self.location()
            .split_once("error=")
            .map(|(_, e)| {
                e.replace("%20", " ")
                    .replace("%3A", ":")
                    .replace("%22", "\"")
            })
            .unwrap_or_default()
    }
}

/// The string `field` of every object in the JSON array `list`.
pub fn texts<'a>(list: &'a serde_json::Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field}: {item}"))
        })
        .collect()
}

/// A signed-in user (second factor passed): their session cookie and CSRF token.
pub struct Staff {
    pub user: User,
    pub cookie: String,
    pub csrf: String,
}

/// A trained user `name` with `roles`, signed in.
pub async fn staff(app: &App, name: &str, roles: &[Role]) -> Staff {
    let user = app.user(name, roles).await;
    app.signed_in(user).await
}

impl Staff {
    /// A fresh session, after the clock moved past the old one's lifetime.
    pub async fn again(&mut self, app: &App) {
        let (cookie, csrf) = app.session(&self.user).await;
        self.cookie = cookie;
        self.csrf = csrf;
    }

    pub async fn get(&self, app: &App, path: &str) -> Resp {
        app.get(path, &self.cookie).await
    }

    /// Posts a form with this session's CSRF token and `fields` (form-encoded here).
    pub async fn post(&self, app: &App, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut body = format!("csrf={}", url(&self.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", url(v)));
        }
        app.post(path, &self.cookie, &body).await
    }
}

/// The password hash is computed once: argon2 is deliberately slow.
pub fn pw_hash() -> String {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| password::hash(&Secret::new(PW.into()), &mut rand::rngs::OsRng).unwrap())
        .clone()
}

pub fn value_of<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"))
        + marker.len();
    let rest = &html[at..];
    &rest[..rest.find(['"', '<']).unwrap()]
}

impl App {
    pub async fn each() -> Vec<App> {
        Self::each_with(WebConfig::default()).await
    }

    pub async fn each_with(config: WebConfig) -> Vec<App> {
        let mut apps = Vec::new();
        for t in TestDb::each().await.unwrap() {
            let clock = FixedClock::new("2026-11-20T09:00:00Z".parse().unwrap());
            let state = AppState::new(
                t.db.clone(),
                Keyring::generate(&mut rand::rngs::OsRng),
                SigningKey::from_bytes(&[5u8; 32]),
                Arc::new(clock.clone()) as Arc<dyn Clock>,
                config.clone(),
            );
            apps.push(App {
                router: router(state.clone()),
                state,
                clock,
                t,
            });
        }
        apps
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A user whose data-privacy training is current (a passing completion of the
    /// built-in data-privacy course, today): case content and originals open for them
    /// as far as their role and keys allow. See [`App::untrained`] for the other kind.
    pub async fn user(&self, name: &str, roles: &[Role]) -> User {
        let u = self.untrained(name, roles).await;
        self.train(&u).await;
        u
    }

    /// Records a passing completion of the data-privacy course for `user`, now.
    pub async fn train(&self, user: &User) {
        let course = self
            .state
            .db
            .training_course("data-privacy")
            .await
            .unwrap()
            .expect("built-in course");
        self.state
            .db
            .add_training_completion(
                &righttrack_store::training::NewCompletion {
                    course_id: course.id,
                    user_id: user.id,
                    completed_at: self.now(),
                    expires_at: righttrack_core::training::expires_at(
                        self.now(),
                        course.validity_months,
                    ),
                    score: Some(100),
                    source: "manual",
                    note: "test fixture".into(),
                    recorded_by: "test".into(),
                    verification: righttrack_core::training::verification_code(
                        &mut rand::rngs::OsRng,
                    ),
                },
                self.now(),
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap();
    }

    /// A user without any training record: the data-access gate refuses them.
    pub async fn untrained(&self, name: &str, roles: &[Role]) -> User {
        self.untrained_in(name, roles, None).await
    }

    /// An untrained user (see [`App::untrained`]) who is a member of `team`.
    pub async fn untrained_in(&self, name: &str, roles: &[Role], team: Option<TeamId>) -> User {
        self.state
            .db
            .create_user(
                NewUser {
                    username: name.into(),
                    display_name: format!("{name} Person"),
                    password_hash: Some(pw_hash()),
                    team,
                    roles: roles.to_vec(),
                },
                self.now(),
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap()
    }

    /// A signed-in session (second factor passed), made directly in the store. A case
    /// reader's key pair is created and unlocked with the password, as at sign-in.
    pub async fn session(&self, user: &User) -> (String, String) {
        let reader = righttrack_app::hotline::keys::ensure_reader_key(
            &self.state,
            &user.id.to_string(),
            user,
            &Secret::new(PW.into()),
        )
        .await
        .unwrap();
        let sid = righttrack_web::auth::start_session(&self.state, user, true, reader.as_ref())
            .await
            .unwrap();
        let caller = righttrack_web::auth::resolve_session(&self.state, &sid)
            .await
            .unwrap()
            .unwrap();
        (format!("rt_session={}", sid.expose()), caller.csrf())
    }

    /// `user`, signed in (see [`App::session`]).
    pub async fn signed_in(&self, user: User) -> Staff {
        let (cookie, csrf) = self.session(&user).await;
        Staff { user, cookie, csrf }
    }

    /// The service user `name`, made with `role` the first time it is asked for.
    pub async fn bot(&self, name: &str, role: Role) -> User {
        match self.state.db.user_by_username(name).await.unwrap() {
            Some(u) => u,
            None => self.user(name, &[role]).await,
        }
    }

    /// A new API token of `user` with `scopes`, as an `Authorization` header value.
    pub async fn bearer(&self, user: &User, scopes: &[Scope]) -> String {
        let t = righttrack_web::auth::issue_token(&self.state, "test", user, "t", scopes)
            .await
            .unwrap();
        format!("Bearer {}", t.expose())
    }

    /// `POST /api/v1/interactions` with `bearer` and a body of `content_type`.
    pub async fn post_interactions(&self, bearer: &str, content_type: &str, body: &str) -> Resp {
        self.send(
            Method::POST,
            "/api/v1/interactions",
            &[("authorization", bearer), ("content-type", content_type)],
            body,
        )
        .await
    }

    /// A new API token with `scopes` of the service user `ingest-bot` (made with `role`
    /// the first time), as an `Authorization` header value.
    pub async fn bot_bearer(&self, role: Role, scopes: &[Scope]) -> String {
        let bot = self.bot("ingest-bot", role).await;
        self.bearer(&bot, scopes).await
    }

    /// Ingests interactions (JSON lines) with an ingest token of `ingest-bot` (made with
    /// `role` the first time).
    pub async fn ingest(&self, role: Role, lines: &[String]) -> Resp {
        let bearer = self.bot_bearer(role, &[Scope::Ingest]).await;
        self.post_interactions(&bearer, "application/x-ndjson", &lines.join("\n"))
            .await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if !body.is_empty()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        self.call(req.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// Runs one request through the router.
    pub async fn call(&self, req: Request<Body>) -> Resp {
        let resp = tower::ServiceExt::oneshot(self.router.clone(), req)
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Resp {
        self.send(Method::GET, path, &[("cookie", cookie)], "")
            .await
    }

    /// `POST path` with a JSON body and no session (the reporter's API).
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Resp {
        self.send(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            &body.to_string(),
        )
        .await
    }

    /// Files a speak-up report through the reporter API; returns (case, receipt).
    pub async fn report(&self, body: serde_json::Value) -> (String, String) {
        let r = self.post_json("/api/v1/speakup/reports", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let j = r.json();
        (
            j["case"].as_str().unwrap().to_owned(),
            j["receipt"].as_str().unwrap().to_owned(),
        )
    }

    /// Team `name` (at the first site, or a new one in Lisbon) led by `lead`, with
    /// `members` in it.
    pub async fn team(&self, name: &str, lead: &User, members: &[&User]) {
        let db = &self.state.db;
        let mut rng = rand::rngs::OsRng;
        let site = match db.list_sites().await.unwrap().into_iter().next() {
            Some(s) => s.id,
            None => db
                .create_site("Lisbon", self.now(), &mut rng)
                .await
                .unwrap(),
        };
        let t = db
            .create_team(name, site, None, self.now(), &mut rng)
            .await
            .unwrap();
        db.set_team_lead(t, lead.id).await.unwrap();
        for m in members {
            db.set_user_team(m.id, Some(t)).await.unwrap();
        }
    }

    /// The two-factor enrolment page of a password-only `session`: the TOTP key it
    /// shows and the page's CSRF token.
    pub async fn enrolment(&self, session: &str) -> (Vec<u8>, String) {
        let page = self.get("/account/2fa", session).await;
        let secret = value_of(&page.body, "<code id=\"totp-secret\" class=\"secret\">");
        let key = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap();
        (
            key,
            value_of(&page.body, "name=\"csrf\" value=\"").to_owned(),
        )
    }

    /// The TOTP code of `key` at the app's clock.
    pub fn code(&self, key: &[u8]) -> String {
        format!(
            "{:06}",
            righttrack_core::totp::code_at(key, self.now().as_second() / 30)
        )
    }

    /// The SQLite database file and its WAL as bytes, as someone with the disk reads
    /// them (`None` on PostgreSQL).
    pub fn sqlite_bytes(&self) -> Option<Vec<u8>> {
        let path = self.t.sqlite_path()?;
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
        Some(bytes)
    }

    /// On SQLite, closes the database and asserts that none of `secrets` is in its file
    /// or its WAL in plaintext.
    pub async fn assert_not_at_rest(&self, secrets: &[&str]) {
        if self.t.sqlite_path().is_none() {
            return;
        }
        self.state.db.close().await;
        let bytes = self.sqlite_bytes().unwrap();
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} at rest"
            );
        }
    }

    /// `GET` with an `Authorization` header (an API token).
    pub async fn api_get(&self, path: &str, authorization: &str) -> Resp {
        self.send(Method::GET, path, &[("authorization", authorization)], "")
            .await
    }

    /// `POST` with an `Authorization` header (an API token) and a JSON body ("" for none).
    pub async fn api_post(&self, path: &str, authorization: &str, json: &str) -> Resp {
        let mut headers = vec![("authorization", authorization)];
        if !json.is_empty() {
            headers.push(("content-type", "application/json"));
        }
        self.send(Method::POST, path, &headers, json).await
    }

    pub async fn post(&self, path: &str, cookie: &str, body: &str) -> Resp {
        self.send(Method::POST, path, &[("cookie", cookie)], body)
            .await
    }

    /// Signs in through the login form, as a browser would. Returns the response and the
    /// session cookie it set (if any).
    pub async fn login(&self, username: &str, pw: &str) -> (Resp, String) {
        let form = self.get("/login", "").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf_cookie = form.cookie("rt_login_csrf").expect("login csrf cookie");
        let csrf_pair = csrf_cookie.split(';').next().unwrap().to_owned();
        let csrf = value_of(&form.body, "name=\"csrf\" value=\"").to_owned();
        let body = format!(
            "csrf={csrf}&username={username}&password={}&next=%2F",
            pw.replace(' ', "+")
        );
        let r = self.post("/login", &csrf_pair, &body).await;
        let session = r
            .cookie("rt_session")
            .map(|c| c.split(';').next().unwrap().to_owned())
            .unwrap_or_default();
        (r, session)
    }

    /// Whether the audit trail has an entry with `action`.
    pub async fn audited(&self, action: &str) -> bool {
        self.audit_actions().await.iter().any(|a| a == action)
    }

    /// The audit entries whose action starts with `prefix`: (action, target, detail).
    pub async fn audit_entries(&self, prefix: &str) -> Vec<(String, String, String)> {
        self.audit_list(Some(prefix.into())).await
    }

    /// The action of every audit entry.
    pub async fn audit_actions(&self) -> Vec<String> {
        let entries = self.audit_list(None).await;
        entries.into_iter().map(|(action, _, _)| action).collect()
    }

    /// The audit trail (up to 1000 entries), filtered by action prefix.
    async fn audit_list(&self, action_prefix: Option<String>) -> Vec<(String, String, String)> {
        let f = righttrack_store::audit::AuditFilter {
            action_prefix,
            limit: 1000,
            ..Default::default()
        };
        self.state
            .db
            .audit_list(&f)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.entry.action, e.entry.target, e.entry.detail))
            .collect()
    }
}
