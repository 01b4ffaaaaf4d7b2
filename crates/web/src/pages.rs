//! Server-rendered pages: sign-in, two-factor, account, directory, audit, administration.
//!
//! Every page works without JavaScript. Forms post back to the server, which answers
//! with a page or a redirect (POST/redirect/GET). Each page gets a [`Layout`] whose
//! navigation lists only what the caller's roles allow (from the authorization table).

use crate::auth::{self, Caller, Via, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use righttrack_core::authz::{allowed, Scope};
use righttrack_core::ids::{TeamId, TokenId, UserId};
use righttrack_core::{password, totp, Role, Secret};
use righttrack_store::directory::NewUser;
use serde_json::json;
use std::collections::BTreeMap;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub current: bool,
}

pub struct UserView {
    pub display_name: String,
}

pub struct Layout {
    pub title: String,
    pub nav: Vec<NavLink>,
    pub user: Option<UserView>,
    pub csrf: String,
}

pub fn layout(caller: Option<&Caller>, title: &str, current: &str) -> Layout {
    let nav = match caller {
        Some(c) if c.mfa_satisfied() => crate::nav::links()
            .iter()
            .filter(|(_, a)| allowed(&c.user.roles, *a))
            .map(|(e, _)| NavLink {
                href: e.href,
                label: e.label,
                description: e.description,
                current: e.href == current,
            })
            .collect(),
        _ => Vec::new(),
    };
    Layout {
        title: title.to_owned(),
        nav,
        user: caller.map(|c| UserView {
            display_name: c.user.display_name.clone(),
        }),
        csrf: caller.map(|c| c.csrf()).unwrap_or_default(),
    }
}

pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => AppError::internal(&e).into_response(),
    }
}

/// A decoded `application/x-www-form-urlencoded` body that keeps repeated keys
/// (checkbox groups), which serde-based form extractors cannot.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::bad_request("The form could not be read."))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| AppError::bad_request("The form is not valid UTF-8."))?;
        let pairs: Vec<(String, String)> = text
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        // No text anyone types holds a NUL, and PostgreSQL cannot store one: refuse it
        // here, the same on both backends, naming the field.
        if let Some((k, _)) = pairs
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            let field: String = k
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            return Err(AppError::bad_request(format!(
                "Field `{field}` contains a NUL character, which cannot be stored."
            )));
        }
        Ok(FormData(pairs))
    }
}

fn safe_next(next: &str) -> String {
    // Only a local path of visible ASCII: browsers drop tabs and newlines from a
    // Location header (so "/\t/evil" would become "//evil"), and a newline cannot go in
    // a header at all.
    let visible = next.bytes().all(|b| b.is_ascii_graphic());
    if visible
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login")
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn with_cookie(mut resp: Response, cookie: HeaderValue) -> Response {
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    resp
}

// ---------------------------------------------------------------- sign-in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    error: Option<String>,
    next: String,
    username: String,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    if let Some(Extension(c)) = &caller {
        if c.mfa_satisfied() {
            return Redirect::to(&next).into_response();
        }
    }
    login_page(
        &state,
        caller.as_ref().map(|e| &e.0),
        None,
        next,
        String::new(),
        axum::http::StatusCode::OK,
    )
}

fn login_page(
    state: &AppState,
    caller: Option<&Caller>,
    error: Option<String>,
    next: String,
    username: String,
    status: axum::http::StatusCode,
) -> Response {
    let mut l = layout(None, "Sign in", "/login");
    let mut cookie = None;
    if let Some(c) = caller {
        l.csrf = c.csrf();
    } else {
        let token = auth::random_token();
        l.csrf = token.expose().clone();
        cookie = Some(auth::set_cookie(
            state,
            LOGIN_CSRF_COOKIE,
            token.expose(),
            3600,
        ));
    }
    let mut resp = render(LoginPage {
        l,
        error,
        next,
        username,
    });
    *resp.status_mut() = status;
    match cookie {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
}

const WRONG: &str = "Wrong username or password.";
const LIMITED: &str = "Too many sign-in attempts. Wait a minute and try again.";
const BUSY: &str = "Too many sign-ins are in progress. Try again in a moment.";

fn with_retry_after(mut resp: Response, secs: u64) -> Response {
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    resp
}

pub async fn login_submit(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    peer: crate::client::Peer,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> AppResult<Response> {
    let username = form.get("username").trim().to_owned();
    let pw = Secret::new(form.get("password"));
    let next = safe_next(&form.get("next"));
    let now = state.now();
    let caller = caller.map(|e| e.0);
    let fail = |msg: String, status| {
        Ok(login_page(
            &state,
            caller.as_ref(),
            Some(msg),
            next.clone(),
            username.clone(),
            status,
        ))
    };
    let unauthorized = axum::http::StatusCode::UNAUTHORIZED;
    // Attempts per client and per username, before any password work; nothing about
    // the client is kept but a salted hash in memory.
    let client = state.client_key(&state.login_clients, &peer, &headers);
    let name = state.login_names.key_name(&username);
    let limited = state
        .login_clients
        .take(&client, crate::limit::Kind::Submission, now)
        .and_then(|()| {
            state
                .login_names
                .take(&name, crate::limit::Kind::Submission, now)
        });
    if let Err(wait) = limited {
        return Ok(with_retry_after(
            fail(LIMITED.into(), axum::http::StatusCode::TOO_MANY_REQUESTS)?,
            wait,
        ));
    }
    let busy = |_| {
        fail(BUSY.into(), axum::http::StatusCode::TOO_MANY_REQUESTS).map(|r| with_retry_after(r, 1))
    };

    let lock_for = jiff::SignedDuration::from_mins(state.config.lockout_minutes);
    let Some(user) = state.db.user_by_username(&username).await? else {
        // An unknown username answers exactly as an account would, lockout included, so
        // the answers do not tell which usernames exist.
        if let Some(until) = state.signin.unknown_locked(&username, now) {
            return fail(
                locked_message(until),
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            )
            .map(|r| with_retry_after(r, wait_secs(now, until)));
        }
        // Spend the same time as a real check; never record the typed name (it is often a password).
        if let Err(e) = state.verify_password(&pw, None).await {
            return busy(e);
        }
        state
            .audit(
                "anonymous",
                "login.failure",
                "",
                json!({"reason": "unknown_user"}),
            )
            .await?;
        let locked =
            state
                .signin
                .unknown_failed(&username, now, state.config.lockout_after, lock_for);
        if let Some(until) = locked {
            return fail(
                locked_message(until),
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            )
            .map(|r| with_retry_after(r, wait_secs(now, until)));
        }
        return fail(WRONG.into(), unauthorized);
    };
    let creds = state.db.credentials(user.id).await?;
    if let Some(until) = creds.locked_until.filter(|u| *u > now) {
        state
            .audit(
                &user.id.to_string(),
                "login.locked",
                &user.id.to_string(),
                json!({}),
            )
            .await?;
        return fail(
            locked_message(until),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        )
        .map(|r| with_retry_after(r, wait_secs(now, until)));
    }
    let ok = match state
        .verify_password(&pw, creds.password_hash.as_ref())
        .await
    {
        Ok(ok) => ok && creds.password_hash.is_some(),
        Err(e) => return busy(e),
    };
    // A service account is no person and never signs in with a password.
    if !ok || user.disabled || user.service {
        let (n, locked) = state
            .db
            .record_login_failure(user.id, now, state.config.lockout_after, lock_for)
            .await?;
        state
            .audit(
                &user.id.to_string(),
                "login.failure",
                &user.id.to_string(),
                json!({"reason": "bad_password", "failures": n}),
            )
            .await?;
        if let Some(until) = locked.filter(|u| *u > now) {
            return fail(
                locked_message(until),
                axum::http::StatusCode::TOO_MANY_REQUESTS,
            )
            .map(|r| with_retry_after(r, wait_secs(now, until)));
        }
        return fail(WRONG.into(), unauthorized);
    }
    state.db.reset_login_failures(user.id).await?;
    // The password is in hand only here: a reader without a key pair gets one now.
    let reader =
        righttrack_app::hotline::keys::ensure_reader_key(&state, &user.id.to_string(), &user, &pw)
            .await?;
    let needs_mfa = user.requires_two_factor();
    if let Some(old) = caller {
        if let Via::Session { id_hash, .. } = old.via {
            state.db.delete_session(&id_hash).await?;
        }
    }
    let sid = auth::start_session(&state, &user, !needs_mfa, reader.as_ref()).await?;
    state
        .audit(
            &user.id.to_string(),
            "login.success",
            &user.id.to_string(),
            json!({"method": "password", "second_factor_pending": needs_mfa}),
        )
        .await?;
    let target = match (needs_mfa, user.totp_enabled) {
        (true, true) if next != "/" => {
            format!("/login/totp?next={}", crate::routes::urlencode(&next))
        }
        (true, true) => "/login/totp".to_owned(),
        (true, false) => "/account/2fa".to_owned(),
        (false, _) => next,
    };
    let resp = Redirect::to(&target).into_response();
    let resp = with_cookie(
        resp,
        auth::set_cookie(
            &state,
            SESSION_COOKIE,
            sid.expose(),
            state.config.session_hours * 3600,
        ),
    );
    Ok(with_cookie(
        resp,
        auth::set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0),
    ))
}

/// Whole seconds from `now` until `until`, at least one: a `Retry-After` value.
fn wait_secs(now: jiff::Timestamp, until: jiff::Timestamp) -> u64 {
    u64::try_from(until.as_second() - now.as_second())
        .unwrap_or(0)
        .max(1)
}

fn locked_message(until: jiff::Timestamp) -> String {
    let t = until.strftime("%H:%M UTC on %Y-%m-%d");
    format!("This account is locked after too many failed sign-ins. Try again after {t}, or ask an administrator to unlock it.")
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    if let Via::Session { id_hash, .. } = caller.via {
        state.db.delete_session(&id_hash).await?;
    }
    state
        .audit(&caller.actor(), "logout", &caller.actor(), json!({}))
        .await?;
    Ok(with_cookie(
        Redirect::to("/login").into_response(),
        auth::set_cookie(&state, SESSION_COOKIE, "", 0),
    ))
}

// ---------------------------------------------------------------- two-factor

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    l: Layout,
    error: Option<String>,
    /// Where to go after the code is accepted (carried from the sign-in form).
    next: String,
}

pub async fn totp_form(
    Extension(caller): Extension<Caller>,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    if !caller.user.totp_enabled {
        return Redirect::to("/account/2fa").into_response();
    }
    if caller.mfa_satisfied() {
        return Redirect::to(&next).into_response();
    }
    render(TotpPage {
        l: layout(Some(&caller), "Two-factor check", ""),
        error: None,
        next,
    })
}

async fn check_code(
    state: &AppState,
    caller: &Caller,
    sealed: &[u8],
    code: &str,
) -> AppResult<bool> {
    let secret = crate::signin::open_totp(state, caller.user.id, sealed).await?;
    let creds = state.db.credentials(caller.user.id).await?;
    match totp::verify(&secret, code, state.now(), creds.totp_last_step) {
        Some(step) => Ok(state.db.use_totp_step(caller.user.id, step).await?),
        None => Ok(false),
    }
}

/// A wrong second factor is counted apart from wrong passwords, and signing in again
/// with the right password does not reset that count, so the 10^6 code space cannot be
/// walked four codes at a time. The `totp_lockout_after`-th wrong code locks the second
/// factor, ends the session, and alerts the administrators.
async fn second_factor_failed(state: &AppState, caller: &Caller, what: &str) -> AppResult<String> {
    let now = state.now();
    let (n, locked) = state
        .db
        .record_totp_failure(
            caller.user.id,
            now,
            state.config.totp_lockout_after,
            jiff::SignedDuration::from_mins(state.config.totp_lockout_minutes),
        )
        .await?;
    state
        .audit(
            &caller.actor(),
            what,
            &caller.actor(),
            json!({"failures": n}),
        )
        .await?;
    if let Some(until) = locked.filter(|u| *u > now) {
        state
            .audit(
                &caller.actor(),
                "login.second_factor_locked",
                &caller.actor(),
                json!({"failures": n, "until": until.to_string()}),
            )
            .await?;
        crate::signin::alert_admins(state, now).await?;
        if let Via::Session { id_hash, .. } = caller.via {
            state.db.delete_session(&id_hash).await?;
        }
        return Ok(second_factor_locked_message(until));
    }
    Ok("That code is not right. Check the time on your phone and try the newest code.".into())
}

fn second_factor_locked_message(until: jiff::Timestamp) -> String {
    let t = until.strftime("%H:%M UTC on %Y-%m-%d");
    format!("Two-factor sign-in for this account is locked after too many wrong codes. Try again after {t}, or ask an administrator to unlock it.")
}

pub async fn totp_submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let next = safe_next(&form.get("next"));
    let creds = state.db.credentials(caller.user.id).await?;
    let (Some(sealed), true) = (creds.totp_sealed, caller.user.totp_enabled) else {
        return Ok(Redirect::to("/account/2fa").into_response());
    };
    let now = state.now();
    let refuse = |msg: String, status| {
        let mut resp = render(TotpPage {
            l: layout(Some(&caller), "Two-factor check", ""),
            error: Some(msg),
            next: next.clone(),
        });
        *resp.status_mut() = status;
        resp
    };
    if let Some(until) = creds.totp_locked_until.filter(|u| *u > now) {
        return Ok(refuse(
            second_factor_locked_message(until),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    if let Err(wait) = state.signin.take_code(caller.user.id, now) {
        let mut resp = refuse(
            format!("Too many codes were tried in a short time. Wait {wait} seconds, then enter the newest code."),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    if check_code(&state, &caller, &sealed, &form.get("code")).await? {
        state.db.reset_totp_failures(caller.user.id).await?;
        state.db.reset_login_failures(caller.user.id).await?;
        // A new session id once the second factor is passed: whoever saw or planted the
        // id before this point holds nothing.
        let sid = auth::rotate_session(&state, &caller).await?;
        state
            .audit(
                &caller.actor(),
                "login.second_factor",
                &caller.actor(),
                json!({"method": "totp"}),
            )
            .await?;
        return Ok(with_cookie(
            Redirect::to(&next).into_response(),
            auth::set_cookie(
                &state,
                SESSION_COOKIE,
                sid.expose(),
                state.config.session_hours * 3600,
            ),
        ));
    }
    let msg = second_factor_failed(&state, &caller, "login.second_factor_failure").await?;
    let mut resp = render(TotpPage {
        l: layout(Some(&caller), "Two-factor check", ""),
        error: Some(msg),
        next,
    });
    *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(resp)
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    l: Layout,
    error: Option<String>,
    secret: String,
    qr_data_uri: String,
}

fn qr_data_uri(uri: &str) -> String {
    let svg = qrcode::QrCode::new(uri.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        data_encoding::BASE64.encode(svg.as_bytes())
    )
}

async fn enrol_page(
    state: &AppState,
    caller: &Caller,
    error: Option<String>,
) -> AppResult<Response> {
    let creds = state.db.credentials(caller.user.id).await?;
    // Reuse a pending (not yet confirmed) secret so reloading the page does not
    // invalidate what the user already scanned.
    let secret = match creds.totp_sealed {
        Some(sealed) if !caller.user.totp_enabled => {
            crate::signin::open_totp(state, caller.user.id, &sealed).await?
        }
        _ => {
            let s = totp::generate_secret(&mut rand::rngs::OsRng);
            let sealed = crate::signin::seal_totp(state, caller.user.id, s.as_bytes())
                .map_err(|e| AppError::internal(&e))?;
            state
                .db
                .set_totp(caller.user.id, Some(&sealed), false)
                .await?;
            s
        }
    };
    let uri = totp::provisioning_uri(&secret, &caller.user.username, "RightTrack");
    let mut resp = render(EnrolPage {
        l: layout(Some(caller), "Set up two-factor", ""),
        error,
        qr_data_uri: qr_data_uri(&uri),
        secret,
    });
    if resp.status().is_success() {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(resp)
}

pub async fn enrol_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    if caller.user.totp_enabled {
        // Re-enrolling must not be a way around the existing second factor.
        return Ok(Redirect::to(if caller.mfa_satisfied() {
            "/account"
        } else {
            "/login/totp"
        })
        .into_response());
    }
    enrol_page(&state, &caller, None).await
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    if caller.user.totp_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    let creds = state.db.credentials(caller.user.id).await?;
    let Some(sealed) = creds.totp_sealed else {
        return enrol_page(&state, &caller, Some("Scan the code first.".into())).await;
    };
    let secret = crate::signin::open_totp(&state, caller.user.id, &sealed).await?;
    // The secret may just have been sealed again bound to its row.
    let sealed = state
        .db
        .credentials(caller.user.id)
        .await?
        .totp_sealed
        .unwrap_or(sealed);
    if let Some(step) = totp::verify(&secret, &form.get("code"), state.now(), None) {
        // Enabling resets the replay guard; then the step just used is consumed, so the
        // same code cannot be replayed while the next window's code still works.
        state
            .db
            .set_totp(caller.user.id, Some(&sealed), true)
            .await?;
        state.db.use_totp_step(caller.user.id, step).await?;
        state.db.reset_login_failures(caller.user.id).await?;
        state.db.reset_totp_failures(caller.user.id).await?;
        let sid = auth::rotate_session(&state, &caller).await?;
        state
            .audit(
                &caller.actor(),
                "two_factor.enrolled",
                &caller.actor(),
                json!({"method": "totp"}),
            )
            .await?;
        return Ok(with_cookie(
            Redirect::to("/").into_response(),
            auth::set_cookie(
                &state,
                SESSION_COOKIE,
                sid.expose(),
                state.config.session_hours * 3600,
            ),
        ));
    }
    let msg = second_factor_failed(&state, &caller, "two_factor.enrol_failure").await?;
    enrol_page(&state, &caller, Some(msg)).await
}

// ---------------------------------------------------------------- home and account

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    display_name: String,
    username: String,
    roles: Vec<&'static str>,
    /// (text, where it leads)
    notices: Vec<(String, &'static str)>,
    /// Content-free overdue notices of corrective actions (`capa::sweep`).
    capa_notices: Vec<String>,
    /// Policy attestations waiting (and, for leads, their team's overdue ones).
    policy_lines: Vec<(String, &'static str)>,
}

pub async fn home(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    // Content-free notifications (`digest`): shown once, then marked seen.
    let notices = state.db.unseen_notifications(caller.user.id).await?;
    if !notices.is_empty() {
        state
            .db
            .mark_notifications_seen(caller.user.id, state.now())
            .await?;
    }
    Ok(render(HomePage {
        l: layout(Some(&caller), "Home", "/"),
        display_name: caller.user.display_name.clone(),
        username: caller.user.username.clone(),
        roles: caller.user.roles.iter().map(|r| r.label()).collect(),
        notices: notices
            .into_iter()
            .map(|(day, text)| {
                let href = crate::training::notice_link(&text);
                (format!("{day}: {text}"), href)
            })
            .collect(),
        capa_notices: crate::capa::take_notices(&state, &caller).await?,
        policy_lines: crate::policies::home_lines(&state, &caller.user, state.now()).await?,
    }))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    message: Option<String>,
    error: Option<String>,
    totp_enabled: bool,
}

pub async fn account(Extension(caller): Extension<Caller>) -> Response {
    render(AccountPage {
        totp_enabled: caller.user.totp_enabled,
        l: layout(Some(&caller), "My account", "/account"),
        message: None,
        error: None,
    })
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let page = |message: Option<String>, error: Option<String>| {
        render(AccountPage {
            totp_enabled: caller.user.totp_enabled,
            l: layout(Some(&caller), "My account", "/account"),
            message,
            error,
        })
    };
    let current = Secret::new(form.get("current"));
    let new = Secret::new(form.get("new"));
    let creds = state.db.credentials(caller.user.id).await?;
    let ok = creds.password_hash.is_some()
        && state
            .verify_password(&current, creds.password_hash.as_ref())
            .await
            .map_err(AppError::from)?;
    if !ok {
        state
            .audit(
                &caller.actor(),
                "password.change_failure",
                &caller.actor(),
                json!({"reason": "wrong_current"}),
            )
            .await?;
        return Ok(page(
            None,
            Some("Your current password is not right.".into()),
        ));
    }
    if let Err(why) = password::check_policy(new.expose()) {
        return Ok(page(None, Some(why.into())));
    }
    let phc = state.hash_password(&new).await?;
    state.db.set_password_hash(caller.user.id, &phc).await?;
    state
        .db
        .relock_reader_key(
            caller.user.id,
            &caller.user.roles,
            &current,
            &new,
            &mut rand::rngs::OsRng,
        )
        .await?;
    // Sign out every other session: whoever knew the old password is out.
    state.db.delete_user_sessions(caller.user.id).await?;
    let reader = righttrack_app::hotline::keys::ensure_reader_key(
        &state,
        &caller.actor(),
        &caller.user,
        &new,
    )
    .await?;
    let sid = auth::start_session(
        &state,
        &caller.user,
        caller.mfa_satisfied(),
        reader.as_ref(),
    )
    .await?;
    state
        .audit(
            &caller.actor(),
            "password.changed",
            &caller.actor(),
            json!({}),
        )
        .await?;
    let fresh = auth::resolve_session(&state, &sid)
        .await?
        .unwrap_or(caller.clone());
    let resp = render(AccountPage {
        totp_enabled: caller.user.totp_enabled,
        l: layout(Some(&fresh), "My account", "/account"),
        message: Some("Password changed. Other sessions were signed out.".into()),
        error: None,
    });
    Ok(with_cookie(
        resp,
        auth::set_cookie(
            &state,
            SESSION_COOKIE,
            sid.expose(),
            state.config.session_hours * 3600,
        ),
    ))
}

// ---------------------------------------------------------------- directory and audit

struct TeamRow {
    name: String,
    parent: String,
    lead: String,
    members: usize,
}

struct SiteView {
    name: String,
    teams: Vec<TeamRow>,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    sites: Vec<SiteView>,
}

pub async fn directory(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let teams = state.db.list_teams().await?;
    let users = state.db.list_users().await?;
    let names: BTreeMap<UserId, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let team_names: BTreeMap<TeamId, String> =
        teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut sites: Vec<SiteView> = Vec::new();
    for s in state.db.list_sites().await? {
        let rows = teams
            .iter()
            .filter(|t| t.site_id == s.id)
            .map(|t| TeamRow {
                name: t.name.clone(),
                parent: t
                    .parent_team_id
                    .and_then(|p| team_names.get(&p).cloned())
                    .unwrap_or_default(),
                lead: t
                    .lead_user_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_else(|| "—".into()),
                members: users.iter().filter(|u| u.team_id == Some(t.id)).count(),
            })
            .collect();
        sites.push(SiteView {
            name: s.name,
            teams: rows,
        });
    }
    Ok(render(DirectoryPage {
        l: layout(Some(&caller), "Teams", "/directory"),
        sites,
    }))
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    /// The actor's username when the actor is a user, else the recorded actor.
    actor_name: String,
    action: String,
    target: String,
    target_name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    entries: Vec<AuditRow>,
    actor: String,
    action: String,
    target: String,
    older: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<crate::api::AuditQuery>,
) -> AppResult<Response> {
    let mut f = q.filter();
    let users = state.db.list_users().await?;
    // People filter by username; the trail records ids (names can change).
    if let Some(a) = &f.actor {
        if let Some(u) = users.iter().find(|u| &u.username == a) {
            f.actor = Some(u.id.to_string());
        }
    }
    let names: BTreeMap<String, String> = users
        .into_iter()
        .map(|u| (u.id.to_string(), u.username))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let entries = state.db.audit_list(&f).await?;
    let older = entries
        .last()
        .filter(|_| entries.len() as i64 == f.limit)
        .map(|last| {
            format!(
                "/audit?actor={}&action={}&target={}&before={}",
                crate::routes::urlencode(f.actor.as_deref().unwrap_or("")),
                crate::routes::urlencode(f.action_prefix.as_deref().unwrap_or("")),
                crate::routes::urlencode(f.target.as_deref().unwrap_or("")),
                last.seq
            )
        });
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: righttrack_store::from_ms(e.entry.at_ms)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor_name: name(&e.entry.actor),
            target_name: name(&e.entry.target),
            actor: e.entry.actor,
            action: e.entry.action,
            target: e.entry.target,
            detail: e.entry.detail,
        })
        .collect();
    Ok(render(AuditPage {
        l: layout(Some(&caller), "Audit trail", "/audit"),
        entries: rows,
        actor: f.actor.unwrap_or_default(),
        action: f.action_prefix.unwrap_or_default(),
        target: f.target.unwrap_or_default(),
        older,
    }))
}

// ---------------------------------------------------------------- administration

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    team: String,
    team_id: String,
    roles: Vec<&'static str>,
    role_keys: Vec<&'static str>,
    totp: bool,
    /// Data-privacy training as the gate sees it ("current until …", "expired …").
    privacy_training: String,
    disabled: bool,
    /// Locked now, after wrong passwords or wrong two-factor codes.
    locked: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    teams: Vec<(String, String)>,
    all_roles: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    caller: &Caller,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let teams = state.db.list_teams().await?;
    let team_names: BTreeMap<TeamId, String> =
        teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let mut users = Vec::new();
    for u in state.db.list_users().await? {
        let privacy_training = crate::training::gate::describe(state, u.id).await?;
        let creds = state.db.credentials(u.id).await?;
        let now = state.now();
        let locked = creds.locked_until.is_some_and(|t| t > now)
            || creds.totp_locked_until.is_some_and(|t| t > now);
        users.push(UserRow {
            id: u.id.to_string(),
            team: u
                .team_id
                .and_then(|t| team_names.get(&t).cloned())
                .unwrap_or_default(),
            team_id: u.team_id.map(|t| t.to_string()).unwrap_or_default(),
            roles: u.roles.iter().map(|r| r.label()).collect(),
            role_keys: u.roles.iter().map(|r| r.as_str()).collect(),
            totp: u.totp_enabled,
            privacy_training,
            disabled: u.disabled,
            locked,
            username: u.username,
            display_name: u.display_name,
        });
    }
    let mut resp = render(UsersPage {
        l: layout(Some(caller), "Users", "/admin/users"),
        users,
        teams: teams
            .iter()
            .map(|t| (t.id.to_string(), format!("{} — {}", t.name, t.site_name)))
            .collect(),
        all_roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        message,
        error: error.clone(),
    });
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

pub async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    users_page(&state, &caller, None, None).await
}

fn parse_roles(form: &FormData) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for r in form.all("role") {
        roles.push(Role::parse(&r).map_err(|e| e.to_string())?);
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err("Choose at least one role.".into());
    }
    Ok(roles)
}

pub async fn create_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return users_page(&state, &caller, None, Some(e)).await,
    };
    let pw = Secret::new(form.get("password"));
    if let Err(why) = password::check_policy(pw.expose()) {
        return users_page(&state, &caller, None, Some(why.into())).await;
    }
    let team = match form.get("team").as_str() {
        "" => None,
        t => Some(
            TeamId::parse(t).ok_or_else(|| AppError::bad_request("field `team`: unknown team"))?,
        ),
    };
    let phc = state.hash_password(&pw).await?;
    let new = NewUser {
        username: form.get("username").trim().to_owned(),
        display_name: form.get("display_name").trim().to_owned(),
        password_hash: Some(phc),
        team,
        roles: roles.clone(),
    };
    match state
        .db
        .create_user(new, state.now(), &mut rand::rngs::OsRng)
        .await
    {
        Ok(u) => {
            state
                .audit(
                    &caller.actor(),
                    "user.created",
                    &u.id.to_string(),
                    json!({"roles": roles, "via": "web"}),
                )
                .await?;
            righttrack_app::hotline::keys::ensure_reader_key(&state, &caller.actor(), &u, &pw)
                .await?;
            crate::training::assign_new(&state).await?;
            users_page(
                &state,
                &caller,
                Some(format!("User {} added.", u.username)),
                None,
            )
            .await
        }
        Err(righttrack_store::StoreError::Conflict(m)) => {
            users_page(&state, &caller, None, Some(format!("{m} already exists."))).await
        }
        Err(righttrack_store::StoreError::Corrupt(m)) => {
            users_page(&state, &caller, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_roles(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let id = user.id;
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return users_page(&state, &caller, None, Some(e)).await,
    };
    if user.id == caller.user.id && !roles.contains(&Role::Admin) {
        return users_page(
            &state,
            &caller,
            None,
            Some("You cannot remove your own admin role.".into()),
        )
        .await;
    }
    let case_roles = |rs: &[Role]| -> Vec<Role> {
        rs.iter()
            .copied()
            .filter(|r| righttrack_app::hotline::cases::ALL_CASE_ROLES.contains(r))
            .collect()
    };
    let case_roles_change = case_roles(&user.roles) != case_roles(&roles);
    if case_roles_change {
        if let Err(e) = righttrack_app::hotline::cases::check_not_last_holder(&state, &user).await {
            return users_page(&state, &caller, None, Some(e.message)).await;
        }
    }
    state.db.set_roles(id, &roles).await?;
    // Role changes take effect at once: the user signs in again with the new roles.
    state.db.delete_user_sessions(id).await?;
    if case_roles_change {
        let works = roles.iter().any(|r| {
            matches!(
                r,
                Role::Investigator | Role::EthicsOfficer | Role::AuditCommittee
            )
        });
        righttrack_app::hotline::cases::leave_cases(&state, &caller.actor(), &user, works).await?;
    }
    state
        .audit(
            &caller.actor(),
            "user.roles_changed",
            &id.to_string(),
            json!({"from": user.roles, "to": roles}),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!("Roles of {} saved.", user.username)),
        None,
    )
    .await
}

/// The user an admin route's `{id}` names (404 if none).
async fn user_at(state: &AppState, id: &str) -> AppResult<righttrack_store::directory::User> {
    let id = UserId::parse(id).ok_or_else(AppError::not_found)?;
    state
        .db
        .user_by_id(id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A `yes`/`no` form field.
fn yes_no(form: &FormData, field: &str) -> AppResult<bool> {
    match form.get(field).as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::bad_request(format!(
            "field `{field}`: expected yes or no"
        ))),
    }
}

/// Disables or re-enables a user. Disabling signs them out everywhere and takes them off
/// hotline cases (keys destroyed, cases they were assigned shown as needing a new
/// assignee: the hand-over when someone leaves).
pub async fn set_disabled(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    let id = user.id;
    let disabled = yes_no(&form, "disabled")?;
    if disabled && user.id == caller.user.id {
        return users_page(
            &state,
            &caller,
            None,
            Some("You cannot disable yourself.".into()),
        )
        .await;
    }
    if disabled {
        if let Err(e) = righttrack_app::hotline::cases::check_not_last_holder(&state, &user).await {
            return users_page(&state, &caller, None, Some(e.message)).await;
        }
    }
    state.db.set_user_disabled(id, disabled).await?;
    if disabled {
        state.db.delete_user_sessions(id).await?;
        righttrack_app::hotline::cases::leave_cases(&state, &caller.actor(), &user, false).await?;
    }
    state
        .audit(
            &caller.actor(),
            if disabled {
                "user.disabled"
            } else {
                "user.enabled"
            },
            &id.to_string(),
            json!({}),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!(
            "{} {}.",
            user.username,
            if disabled {
                "disabled"
            } else {
                "enabled again"
            }
        )),
        None,
    )
    .await
}

/// Unlocks a user locked after wrong passwords or wrong second-factor codes (both counts
/// start again).
pub async fn unlock_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = user_at(&state, &id).await?;
    state.db.unlock_user(user.id).await?;
    state
        .audit(
            &caller.actor(),
            "user.unlocked",
            &user.id.to_string(),
            json!({}),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!("{} unlocked.", user.username)),
        None,
    )
    .await
}

/// Moves a user to another team (or to none). Audited as
/// [`righttrack_store::retaliation::TEAM_CHANGED`] with the two teams, which is what the
/// retaliation watch reads: a named reporter moved after filing is a signal.
pub async fn set_team(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    use righttrack_store::retaliation::{team_changed_detail, TEAM_CHANGED};
    let user = user_at(&state, &id).await?;
    let to = match form.get("team").trim() {
        "" => None,
        t => Some(
            state
                .db
                .list_teams()
                .await?
                .into_iter()
                .find(|x| x.id.to_string() == t)
                .ok_or_else(|| AppError::bad_request("field `team`: no such team"))?
                .id,
        ),
    };
    if to == user.team_id {
        return users_page(
            &state,
            &caller,
            Some(format!("{} is already in that team.", user.username)),
            None,
        )
        .await;
    }
    state.db.set_user_team(user.id, to).await?;
    state
        .audit(
            &caller.actor(),
            TEAM_CHANGED,
            &user.id.to_string(),
            team_changed_detail(user.team_id, to),
        )
        .await?;
    users_page(
        &state,
        &caller,
        Some(format!("{} moved.", user.username)),
        None,
    )
    .await
}

struct TokenRow {
    id: String,
    name: String,
    user: String,
    scopes: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<TokenRow>,
    scopes: Vec<&'static str>,
    /// Roles a service account may hold: (key, label).
    service_roles: Vec<(&'static str, &'static str)>,
    service_accounts: Vec<String>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    new_token: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let names: BTreeMap<UserId, String> = state
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let fmt = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M").to_string();
    let tokens = state
        .db
        .list_tokens(None)
        .await?
        .into_iter()
        .rev()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            user: names.get(&t.user_id).cloned().unwrap_or_default(),
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created: fmt(t.created_at),
            last_used: t.last_used_at.map(fmt).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
            name: t.name,
        })
        .collect();
    let mut resp = render(TokensPage {
        l: layout(Some(caller), "API tokens", "/admin/tokens"),
        tokens,
        scopes: Scope::ALL.iter().map(|s| s.as_str()).collect(),
        service_roles: Role::ALL
            .iter()
            .filter(|r| !r.requires_two_factor())
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        service_accounts: state
            .db
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.service)
            .map(|u| u.username)
            .collect(),
        new_token,
        error: error.clone(),
    });
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    tokens_page(&state, &caller, None, None).await
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let scopes: Result<Vec<Scope>, String> = form
        .all("scope")
        .iter()
        .map(|s| Scope::parse(s).ok_or_else(|| format!("field `scope`: unknown scope {s:?}")))
        .collect();
    let scopes = match scopes {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => {
            return tokens_page(
                &state,
                &caller,
                None,
                Some("Choose at least one scope.".into()),
            )
            .await
        }
        Err(e) => return tokens_page(&state, &caller, None, Some(e)).await,
    };
    let username = form.get("username");
    let Some(user) = state.db.user_by_username(username.trim()).await? else {
        return tokens_page(
            &state,
            &caller,
            None,
            Some("field `username`: no such user".into()),
        )
        .await;
    };
    if let Err(why) = auth::may_mint_for(Some(&caller.user), &user) {
        state
            .audit(
                &caller.actor(),
                "token.refused",
                &user.id.to_string(),
                json!({"reason": "not_self_or_service"}),
            )
            .await?;
        return tokens_page(
            &state,
            &caller,
            None,
            Some(format!("field `username`: {why}")),
        )
        .await;
    }
    let name = form.get("name");
    if name.trim().is_empty() {
        return tokens_page(
            &state,
            &caller,
            None,
            Some("field `name`: give the token a name".into()),
        )
        .await;
    }
    let token = auth::issue_token(&state, &caller.actor(), &user, name.trim(), &scopes).await?;
    tokens_page(&state, &caller, Some(token.into_inner()), None).await
}

/// Adds a service account: a non-person account tokens can be made for. It has no
/// password and holds only roles that need no second factor.
pub async fn create_service_account(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let roles = match parse_roles(&form) {
        Ok(r) => r,
        Err(e) => return tokens_page(&state, &caller, None, Some(e)).await,
    };
    if let Some(r) = roles.iter().find(|r| r.requires_two_factor()) {
        return tokens_page(
            &state,
            &caller,
            None,
            Some(format!(
                "field `role`: a service account cannot be {}: that role needs a person's second factor",
                r.label()
            )),
        )
        .await;
    }
    let username = form.get("username").trim().to_owned();
    let display_name = match form.get("display_name").trim() {
        "" => username.clone(),
        d => d.to_owned(),
    };
    match state
        .db
        .create_service_account(
            &username,
            &display_name,
            &roles,
            state.now(),
            &mut rand::rngs::OsRng,
        )
        .await
    {
        Ok(u) => {
            state
                .audit(
                    &caller.actor(),
                    "user.created",
                    &u.id.to_string(),
                    json!({"roles": roles, "via": "web", "service": true}),
                )
                .await?;
            tokens_page(&state, &caller, None, None).await
        }
        Err(righttrack_store::StoreError::Conflict(m)) => {
            tokens_page(&state, &caller, None, Some(format!("{m} already exists."))).await
        }
        Err(righttrack_store::StoreError::Corrupt(m)) => {
            tokens_page(
                &state,
                &caller,
                None,
                Some(format!("field `username`: {m}")),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = TokenId::parse(&id).ok_or_else(AppError::not_found)?;
    if !state.db.revoke_token(id, state.now()).await? {
        return Err(AppError::not_found());
    }
    state
        .audit(
            &caller.actor(),
            "token.revoked",
            &id.to_string(),
            json!({"via": "web"}),
        )
        .await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}

// ---------------------------------------------------------------- assets and errors

pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: &'static str,
    message: String,
    code: &'static str,
}

pub async fn error_page(_state: &AppState, caller: Option<&Caller>, err: &AppError) -> Response {
    let heading = match err.code {
        Code::Forbidden | Code::TwoFactorRequired => "You do not have access to this page",
        Code::NotFound => "Page not found",
        Code::MethodNotAllowed => "That did not work",
        Code::Unauthenticated => "Please sign in",
        Code::CsrfFailed => "This form has expired",
        Code::RateLimited => "Too many attempts",
        Code::BadRequest
        | Code::Unprocessable
        | Code::PayloadTooLarge
        | Code::UnsupportedMediaType
        | Code::Conflict => "That did not work",
        Code::Unavailable | Code::Internal => "Something went wrong",
        Code::TrainingRequired => "Your data-privacy training is not current",
    };
    render(ErrorPage {
        l: layout(caller, heading, ""),
        heading,
        message: err.message.clone(),
        code: err.code.as_str(),
    })
}

#[cfg(test)]
mod tests {
    use super::{percent_decode, safe_next};

    #[test]
    fn form_values_decode_and_malformed_escapes_survive() {
        assert_eq!(percent_decode("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9t%C3%A9"), "été");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn redirects_after_login_stay_on_this_site() {
        assert_eq!(safe_next("/audit?action=login."), "/audit?action=login.");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/login",
            "javascript:alert(1)",
            "/\t/evil.example/y",
            "/account\nX",
            "/ /x",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil}");
        }
    }
}
