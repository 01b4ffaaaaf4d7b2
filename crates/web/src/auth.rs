//! Who is calling: session cookies for people, bearer tokens for machines.
//!
//! Session ids and API tokens are 256-bit random values; the database stores only
//! their SHA-256. Cookies are `HttpOnly; SameSite=Strict; Path=/`; behind TLS they are
//! also `Secure` and named with the `__Host-` prefix (no `Domain`), so a sibling
//! subdomain cannot plant one. A session ends after `session_hours`, or sooner after
//! `session_idle_minutes` without a request; its id changes when the second factor is
//! passed. Every state-changing request made with a session cookie must carry the
//! session's CSRF token (form field `csrf` or header `X-CSRF-Token`); the login form,
//! which has no session yet, uses a double-submit cookie instead.

use crate::error::{AppError, AppResult, Code};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue};
use righttrack_core::casekeys::{open_for_session, seal_for_session, ReaderSecret};
use righttrack_core::Secret;
use righttrack_store::directory::User;

pub const SESSION_COOKIE: &str = "rt_session";
pub const LOGIN_CSRF_COOKIE: &str = "rt_login_csrf";

pub use righttrack_app::{Caller, Via};

/// Tokens and their hashes are the platform's use cases; the shell re-exports them
/// because sessions are made of the same random secrets.
pub use righttrack_app::platform::tokens::{issue_token, may_mint_for, random_token, sha256};

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A cookie's name as sent: behind TLS with the `__Host-` prefix, which browsers accept
/// only with `Secure; Path=/` and no `Domain`. Plain HTTP (a local demo) cannot carry
/// `Secure` cookies everywhere, so it keeps the bare name.
pub fn cookie_name(state: &AppState, name: &str) -> String {
    if state.config.tls() {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

/// Reads one of our cookies under its name as sent ([`cookie_name`]): behind TLS a
/// bare-named cookie (which any subdomain could have set) is ignored.
pub fn our_cookie(state: &AppState, headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, &cookie_name(state, name))
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.tls() { "; Secure" } else { "" };
    let name = cookie_name(state, name);
    let v = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Resolves the caller from a bearer token or a session cookie. `Ok(None)`: anonymous.
/// A bearer token that is present but invalid is an error, never a silent fallback.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Caller>> {
    if let Some(auth) = headers.get(axum::http::header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(AppError::unauthenticated)?;
        let now = state.now();
        let Some((tok, previous)) = state.db.use_token(&sha256(token), now).await? else {
            return Err(AppError::unauthenticated());
        };
        // Token use is audited at most once an hour per token: ingestion clients make
        // thousands of requests, and the trail must stay readable.
        if previous.is_none_or(|p| now.duration_since(p) >= jiff::SignedDuration::from_hours(1)) {
            state
                .audit(
                    &tok.user_id.to_string(),
                    "token.used",
                    &tok.id.to_string(),
                    serde_json::json!({"name": tok.name}),
                )
                .await?;
        }
        let mut user = state
            .db
            .user_by_id(tok.user_id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if user.disabled {
            return Err(AppError::unauthenticated());
        }
        // A person's privileged actions need that person's session (with its second
        // factor): a token never acts with a role that requires one, whoever made it
        // and whenever (machine actions of the `ingest` scope aside, see
        // `routes::check`). Service accounts cannot hold such roles at all.
        let held_roles = user.roles.clone();
        user.roles.retain(|r| !r.requires_two_factor());
        return Ok(Some(Caller {
            user,
            via: Via::Token {
                id: tok.id,
                scopes: tok.scopes,
                held_roles,
            },
        }));
    }
    let Some(sid) = our_cookie(state, headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id_hash = sha256(&sid);
    let now = state.now();
    let Some(session) = state.db.session(&id_hash, now).await? else {
        return Ok(None);
    };
    // The idle timeout: a session unused for `session_idle_minutes` is over.
    let idle = jiff::SignedDuration::from_mins(state.config.session_idle_minutes);
    if now.duration_since(session.last_seen_at) >= idle {
        state.db.delete_session(&id_hash).await?;
        return Ok(None);
    }
    // One write a minute at most per session, not one per request.
    if now.duration_since(session.last_seen_at) >= jiff::SignedDuration::from_secs(60) {
        state.db.touch_session(&id_hash, now).await?;
    }
    let Some(user) = state.db.user_by_id(session.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    Ok(Some(Caller {
        user,
        via: Via::Session {
            id_hash,
            csrf: session.csrf_token,
            mfa_passed: session.mfa_passed,
            sid: Secret::new(sid),
            reader_sealed: session.reader_sealed,
        },
    }))
}

/// Extracts the CSRF token a request carries (header, or `csrf` field of a form body).
pub fn csrf_in(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(h) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return Some(h.to_owned());
    }
    // Tokens are base32, so the form value needs no percent-decoding.
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "csrf")
        .map(|(_, v)| v.to_owned())
}

pub fn csrf_matches(expected: &str, got: Option<&str>) -> AppResult<()> {
    match got {
        Some(g)
            if !expected.is_empty()
                && subtle::ConstantTimeEq::ct_eq(g.as_bytes(), expected.as_bytes()).into() =>
        {
            Ok(())
        }
        _ => Err(AppError::new(
            Code::CsrfFailed,
            "This form has expired. Go back, reload the page and try again.",
        )),
    }
}

/// Creates a session and returns the cookie value (the only copy of the session id).
pub async fn start_session(
    state: &AppState,
    user: &User,
    mfa_passed: bool,
    reader: Option<&ReaderSecret>,
) -> AppResult<Secret<String>> {
    let sid = random_token();
    let reader_sealed = reader
        .map(|r| seal_for_session(r, sid.expose(), &mut rand::rngs::OsRng))
        .transpose()
        .map_err(|e| AppError::internal(&e))?;
    let csrf = random_token();
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(state.config.session_hours))
        .map_err(|e| AppError::internal(&e))?;
    state
        .db
        .create_session(righttrack_store::sessions::NewSession {
            id_hash: &sha256(sid.expose()),
            user: user.id,
            csrf: csrf.expose(),
            mfa_passed,
            now,
            expires,
            reader_sealed: reader_sealed.as_deref(),
        })
        .await?;
    Ok(sid)
}

/// Replaces the caller's session with a new one (new id, new CSRF token) that has passed
/// the second factor, carrying the case reader's key over; the old id stops working.
/// Returns the new cookie value. Called when the second factor is passed, so an id
/// planted or seen before then is worthless afterwards.
pub async fn rotate_session(state: &AppState, caller: &Caller) -> AppResult<Secret<String>> {
    let Via::Session {
        id_hash,
        sid,
        reader_sealed,
        ..
    } = &caller.via
    else {
        return Err(AppError::forbidden());
    };
    let reader = reader_sealed
        .as_deref()
        .and_then(|s| open_for_session(s, sid.expose()).ok());
    let fresh = start_session(state, &caller.user, true, reader.as_ref()).await?;
    state.db.delete_session(id_hash).await?;
    Ok(fresh)
}

/// Resolves a session by its cookie value (used right after a session is replaced).
pub async fn resolve_session(state: &AppState, sid: &Secret<String>) -> AppResult<Option<Caller>> {
    let mut headers = HeaderMap::new();
    let name = cookie_name(state, SESSION_COOKIE);
    if let Ok(v) = HeaderValue::from_str(&format!("{name}={}", sid.expose())) {
        headers.insert(axum::http::header::COOKIE, v);
    }
    resolve(state, &headers).await
}
