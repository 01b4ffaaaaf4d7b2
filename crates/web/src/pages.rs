//! The shell's pages and page helpers: the layout and navigation, form decoding, sign-in,
//! the second factor, the stylesheet and the error page.
//!
//! Home, account, directory, audit trail and administration are the platform feature's
//! (`features/platform`); every feature renders through [`layout`] and [`render`].
//!
//! Every page works without JavaScript. Forms post back to the server, which answers
//! with a page or a redirect (POST/redirect/GET). Each page gets a [`Layout`] whose
//! navigation lists only what the caller's roles allow (from the authorization table).

use crate::auth::{self, Caller, Via, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Query, SignedIn};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use righttrack_core::authz::allowed;
use righttrack_core::{totp, Secret};
use righttrack_store::directory::User;
use serde_json::json;

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

/// `t` rendered, answered with `status` (a form shown again with its problems, a refusal).
pub fn render_status(t: impl Template, status: StatusCode) -> Response {
    let mut resp = render(t);
    *resp.status_mut() = status;
    resp
}

/// A form page shown again with its problems (`invalid`) answers 422; otherwise as is.
pub fn unprocessable_if(invalid: bool, mut resp: Response) -> Response {
    if invalid {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// A form page shown again after a refusal (`refused`) answers 400; otherwise 200.
pub fn render_form(t: impl Template, refused: bool) -> Response {
    let mut resp = render(t);
    if refused && resp.status().is_success() {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    resp
}

/// A file to download: `body` sent as `content_type`, saved as `file_name`.
pub fn attachment(content_type: &str, file_name: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A CSV file to download, saved as `file_name`.
pub fn csv_download(file_name: &str, body: impl IntoResponse) -> Response {
    attachment("text/csv; charset=utf-8", file_name, body)
}

/// `resp` with the cookie of session `sid`, kept for the configured session length.
pub fn with_session(resp: Response, state: &AppState, sid: &Secret<String>) -> Response {
    with_cookie(
        resp,
        auth::set_cookie(
            state,
            SESSION_COOKIE,
            sid.expose(),
            state.config.session_hours * 3600,
        ),
    )
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

pub fn with_cookie(mut resp: Response, cookie: HeaderValue) -> Response {
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
    let resp = render_status(
        LoginPage {
            l,
            error,
            next,
            username,
        },
        status,
    );
    match cookie {
        Some(c) => with_cookie(resp, c),
        None => resp,
    }
}

const WRONG: &str = "Wrong username or password.";
const LIMITED: &str = "Too many sign-in attempts. Wait a minute and try again.";
const BUSY: &str = "Too many sign-ins are in progress. Try again in a moment.";

/// `resp` telling the client to wait `secs` seconds before trying again.
pub fn with_retry_after(mut resp: Response, secs: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
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
    // A locked account (or unknown name) says until when, and asks to wait until then.
    let locked_out = |until| {
        fail(
            locked_message(until),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        )
        .map(|r| with_retry_after(r, wait_secs(now, until)))
    };

    let lock_for = jiff::SignedDuration::from_mins(state.config.lockout_minutes);
    let Some(user) = state.db.user_by_username(&username).await? else {
        // An unknown username answers exactly as an account would, lockout included, so
        // the answers do not tell which usernames exist.
        if let Some(until) = state.signin.unknown_locked(&username, now) {
            return locked_out(until);
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
            return locked_out(until);
        }
        return fail(WRONG.into(), unauthorized);
    };
    let creds = state.db.credentials(user.id).await?;
    if let Some(until) = creds.locked_until.filter(|u| *u > now) {
        audit_own(&state, &user, "login.locked", json!({})).await?;
        return locked_out(until);
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
        audit_own(
            &state,
            &user,
            "login.failure",
            json!({"reason": "bad_password", "failures": n}),
        )
        .await?;
        if let Some(until) = locked.filter(|u| *u > now) {
            return locked_out(until);
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
    audit_own(
        &state,
        &user,
        "login.success",
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
    let resp = with_session(resp, &state, &sid);
    Ok(with_cookie(
        resp,
        auth::set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0),
    ))
}

/// An audit entry about a person's own sign-in: they are its actor and its target.
async fn audit_own(
    state: &AppState,
    user: &User,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    let id = user.id.to_string();
    Ok(state.audit(&id, action, &id, detail).await?)
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

pub async fn logout(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
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
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let next = safe_next(&form.get("next"));
    let creds = state.db.credentials(caller.user.id).await?;
    let (Some(sealed), true) = (creds.totp_sealed, caller.user.totp_enabled) else {
        return Ok(Redirect::to("/account/2fa").into_response());
    };
    let now = state.now();
    let refuse = |msg: String, status| {
        let page = TotpPage {
            l: layout(Some(&caller), "Two-factor check", ""),
            error: Some(msg),
            next: next.clone(),
        };
        render_status(page, status)
    };
    if let Some(until) = creds.totp_locked_until.filter(|u| *u > now) {
        return Ok(refuse(
            second_factor_locked_message(until),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    if let Err(wait) = state.signin.take_code(caller.user.id, now) {
        let resp = refuse(
            format!("Too many codes were tried in a short time. Wait {wait} seconds, then enter the newest code."),
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        );
        return Ok(with_retry_after(resp, wait));
    }
    if check_code(&state, &caller, &sealed, &form.get("code")).await? {
        state.db.reset_totp_failures(caller.user.id).await?;
        state.db.reset_login_failures(caller.user.id).await?;
        return second_factor_passed(&state, &caller, "login.second_factor", &next).await;
    }
    let msg = second_factor_failed(&state, &caller, "login.second_factor_failure").await?;
    Ok(refuse(msg, axum::http::StatusCode::UNAUTHORIZED))
}

/// The second factor is passed: a new session id, so whoever saw or planted the id
/// before this point holds nothing; the audit entry `action`; then on to `to`.
async fn second_factor_passed(
    state: &AppState,
    caller: &Caller,
    action: &str,
    to: &str,
) -> AppResult<Response> {
    let sid = auth::rotate_session(state, caller).await?;
    state
        .audit(
            &caller.actor(),
            action,
            &caller.actor(),
            json!({"method": "totp"}),
        )
        .await?;
    Ok(with_session(Redirect::to(to).into_response(), state, &sid))
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

pub async fn enrol_form(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
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
    SignedIn { state, caller }: SignedIn,
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
        return second_factor_passed(&state, &caller, "two_factor.enrolled", "/").await;
    }
    let msg = second_factor_failed(&state, &caller, "two_factor.enrol_failure").await?;
    enrol_page(&state, &caller, Some(msg)).await
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
