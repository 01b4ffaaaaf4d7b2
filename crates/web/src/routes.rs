//! The route table: every route, its access rule, and its handler, in one list.
//!
//! [`router`] builds the axum router from [`table`], wrapping each handler in `guard`,
//! which resolves the caller and applies the route's [`Access`] before the handler runs.
//! [`specs`] exposes the same list (without handlers) to the OpenAPI generator and the
//! route × role test.

use crate::auth::{self, Caller, Via, LOGIN_CSRF_COOKIE};
use crate::error::{AppError, Code};
use crate::nav::NavEntry;
use crate::state::AppState;
use crate::{api, middleware, pages};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use righttrack_core::authz::{allowed, Action};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in session, even one still waiting for its second factor
    /// (the TOTP pages and logout).
    SessionPending,
    /// A caller whose roles allow the action (and, on a token, whose scope covers it).
    Act(Action),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// HTML for people: anonymous callers are sent to the login page.
    Page,
    /// JSON for programs: anonymous callers get 401.
    Api,
    /// Machine endpoints with their own formats (health, metrics, assets).
    Plain,
}

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
    pub summary: &'static str,
}

pub struct Route {
    pub spec: RouteSpec,
    /// The route's link in the navigation, for a page people open from there.
    pub nav: Option<NavEntry>,
    handler: MethodRouter<AppState>,
}

impl Route {
    /// Lists this page in the navigation at position `rank` (lower first). The link
    /// points at the route's own path, so who sees it is who may open it (`nav::resolve`).
    pub(crate) fn nav(mut self, rank: u16, label: &'static str, description: &'static str) -> Self {
        self.nav = Some(NavEntry {
            href: self.spec.path,
            label,
            description,
            rank,
        });
        self
    }
}

pub(crate) fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    kind: Kind,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            kind,
            summary,
        },
        nav: None,
        handler,
    }
}

use Access::*;
use Kind::*;

/// Every route of the server.
pub fn table() -> Vec<Route> {
    let mut all = vec![
        r(
            "GET",
            "/healthz",
            Public,
            Plain,
            "Health: 200 when the database answers",
            get(api::healthz),
        ),
        r(
            "GET",
            "/metrics",
            Public,
            Plain,
            "Prometheus metrics: needs `Authorization: Bearer` with the configured metrics token (off without one)",
            get(api::metrics),
        ),
        r(
            "GET",
            "/static/app.css",
            Public,
            Plain,
            "Stylesheet",
            get(pages::stylesheet),
        ),
        r(
            "GET",
            "/api/openapi.json",
            Public,
            Plain,
            "This OpenAPI document",
            get(api::openapi),
        ),
        r(
            "GET",
            "/login",
            Public,
            Page,
            "Sign-in form",
            get(pages::login_form),
        ),
        r(
            "POST",
            "/login",
            Public,
            Page,
            "Sign in with username and password",
            post(pages::login_submit),
        ),
        r(
            "GET",
            "/login/totp",
            SessionPending,
            Page,
            "Second-factor form",
            get(pages::totp_form),
        ),
        r(
            "POST",
            "/login/totp",
            SessionPending,
            Page,
            "Submit a TOTP code",
            post(pages::totp_submit),
        ),
        r(
            "GET",
            "/account/2fa",
            SessionPending,
            Page,
            "Enrol an authenticator app",
            get(pages::enrol_form),
        ),
        r(
            "POST",
            "/account/2fa",
            SessionPending,
            Page,
            "Confirm authenticator enrolment",
            post(pages::enrol_submit),
        ),
        r(
            "POST",
            "/logout",
            SessionPending,
            Page,
            "Sign out",
            post(pages::logout),
        ),
    ];
    all.extend(crate::features::routes());
    all
}

pub fn specs() -> Vec<RouteSpec> {
    table().into_iter().map(|r| r.spec).collect()
}

#[derive(Clone)]
struct GuardCfg {
    state: AppState,
    spec: RouteSpec,
}

/// The server's router.
pub fn router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for route in table() {
        let cfg = GuardCfg {
            state: state.clone(),
            spec: route.spec,
        };
        let handler = route
            .handler
            .layer(axum::middleware::from_fn_with_state(cfg, guard));
        router = router.route(route.spec.path, handler);
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::finish,
        ))
        .with_state(state)
}

/// Unknown paths: a 404 that still knows who is signed in, so the page keeps its
/// navigation.
async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    let caller = auth::resolve(&state, req.headers())
        .await
        .ok()
        .flatten()
        .filter(Caller::mfa_satisfied);
    let mut resp = AppError::not_found().into_response();
    if let Some(c) = caller {
        resp.extensions_mut().insert(c);
    }
    resp
}

/// Form bodies are small; anything larger is refused before it is buffered.
const MAX_FORM_BYTES: usize = 64 * 1024;

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn guard(State(cfg): State<GuardCfg>, req: Request, next: Next) -> Response {
    // The caller rides on the response too, so an error page rendered by the outer layer
    // still shows the signed-in person's navigation and sign-out button.
    match check(&cfg, req).await {
        Ok((req, caller)) => {
            let mut resp = next.run(req).await;
            if let Some(c) = caller {
                resp.extensions_mut().insert(c);
            }
            resp
        }
        Err((mut resp, caller)) => {
            if let Some(c) = caller {
                resp.extensions_mut().insert(c);
            }
            resp
        }
    }
}

fn deny(spec: &RouteSpec, e: AppError, path_and_query: &str) -> Response {
    // A person is sent to sign in (or to the second factor) and brought back after.
    let sign_in = match (spec.kind, e.code) {
        (Page, Code::Unauthenticated) => "/login",
        (Page, Code::TwoFactorRequired) => "/login/totp",
        _ => return e.into_response(),
    };
    let next = if path_and_query == "/" {
        String::new()
    } else {
        format!("?next={}", urlencode(path_and_query))
    };
    Redirect::to(&format!("{sign_in}{next}")).into_response()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn check(
    cfg: &GuardCfg,
    req: Request,
) -> Result<(Request, Option<Caller>), (Response, Option<Caller>)> {
    let spec = &cfg.spec;
    // Speak-up routes are public and read no cookie or credential at all: a reporter's
    // request must not be linked to a session. Their forms carry their own cookie-less
    // CSRF token (`speakup::form_token`).
    if spec.access == Public && middleware::is_speakup(spec.path) {
        return Ok((req, None));
    }
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    // On public routes a bad credential is ignored (health checks, the login page); on
    // the others it is an error, never a silent downgrade to anonymous.
    let caller = match auth::resolve(&cfg.state, req.headers()).await {
        Ok(c) => c,
        Err(_) if spec.access == Public => None,
        Err(e) => return Err((deny(spec, e, &pq), None)),
    };
    let shown = caller.clone().filter(Caller::mfa_satisfied);
    let fail = |resp: Response| (resp, shown.clone());

    match (spec.access, &caller) {
        (Public, _) => {}
        (SessionPending | Act(_), None) => {
            return Err(fail(deny(spec, AppError::unauthenticated(), &pq)))
        }
        (SessionPending, Some(c)) => {
            if matches!(c.via, Via::Token { .. }) {
                return Err(fail(deny(spec, AppError::forbidden(), &pq)));
            }
        }
        (Act(action), Some(c)) => {
            if !c.mfa_satisfied() {
                let e = AppError::new(
                    Code::TwoFactorRequired,
                    "Complete two-factor sign-in first.",
                );
                if spec.kind == Page && !c.user.totp_enabled {
                    return Err(fail(Redirect::to("/account/2fa").into_response()));
                }
                return Err(fail(deny(spec, e, &pq)));
            }
            // A token acts only within its scopes, and a read token never changes
            // anything: an unsafe request under an action whose scope is `read` (one
            // action may cover a list and its form) needs the `admin` scope.
            let needed = match action.scope() {
                righttrack_core::authz::Scope::Read if !is_safe(req.method()) => {
                    righttrack_core::authz::Scope::Admin
                }
                s => s,
            };
            let (scoped, permitted) = match &c.via {
                // A token's user has lost every role that needs a second factor
                // (`auth::resolve`); what every person does for themselves remains, and
                // machine actions (ingestion, feedback links, routing) keep the
                // account's roles, so existing ingestion clients keep working.
                Via::Token {
                    scopes, held_roles, ..
                } => (
                    scopes.contains(&needed)
                        || scopes.contains(&righttrack_core::authz::Scope::Admin),
                    allowed(&c.user.roles, action)
                        || (action.for_everyone() && !c.user.service)
                        || (action.scope() == righttrack_core::authz::Scope::Ingest
                            && allowed(held_roles, action)),
                ),
                Via::Session { .. } => (true, allowed(&c.user.roles, action)),
            };
            if !permitted || !scoped {
                return Err(fail(deny(spec, AppError::forbidden(), &pq)));
            }
        }
    }

    // CSRF: unsafe requests carried by a session cookie must present the session's token;
    // the login form (no session yet) uses the double-submit cookie.
    let mut req = req;
    if !is_safe(req.method()) {
        let session_csrf = match &caller {
            Some(Caller {
                via: Via::Session { csrf, .. },
                ..
            }) => Some(csrf.expose().clone()),
            _ => None,
        };
        let login_csrf = if spec.kind == Page && session_csrf.is_none() {
            auth::our_cookie(&cfg.state, req.headers(), LOGIN_CSRF_COOKIE)
        } else {
            None
        };
        if let Some(expected) = session_csrf
            .or(login_csrf)
            .or_else(|| (spec.kind == Page).then(String::new))
        {
            let (parts, body) = req.into_parts();
            let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
                .await
                .map_err(|_| {
                    fail(
                        AppError::new(Code::PayloadTooLarge, "The form is too large.")
                            .into_response(),
                    )
                })?;
            let got = auth::csrf_in(&parts.headers, &bytes);
            auth::csrf_matches(&expected, got.as_deref()).map_err(|e| fail(deny(spec, e, &pq)))?;
            req = Request::from_parts(parts, Body::from(bytes));
        }
    }

    if let Some(c) = &caller {
        req.extensions_mut().insert(c.clone());
    }
    Ok((req, shown))
}

/// `StatusCode` re-export for handlers that build plain responses.
pub type Status = StatusCode;
