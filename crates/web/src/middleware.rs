//! Cross-cutting layers: security headers, request metrics and logs, HTML error pages.
//!
//! **Architecture Invariant:** request logs carry the method, the route *template*
//! (never the concrete URI, whose query may hold personal data), the status and the
//! latency: never headers, cookies, client addresses or bodies. Speak-up routes
//! (`/speakup`, `/api/v1/speakup`, and any unknown path under them) are neither logged
//! nor counted in metrics: no series, counter or histogram moves when a report is filed
//! or a reporter returns (`attacks::edge::filing_and_returning_*`).

use crate::error::ErrorInfo;
use crate::pages;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counter {
    help: &'static str,
    by_labels: BTreeMap<&'static str, u64>,
}

/// Per-route request counters and latency histograms, plus named counters for work done
/// outside HTTP (the NATS consumer), rendered as Prometheus text.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    counters: Mutex<BTreeMap<&'static str, Counter>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        let Ok(mut m) = self.routes.lock() else {
            return;
        };
        let s = m.entry((method.to_owned(), route.to_owned())).or_default();
        *s.by_status.entry(status).or_default() += 1;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
        s.sum += secs;
        s.count += 1;
    }

    /// Adds `n` to the counter `name` with `labels` (rendered as written, e.g.
    /// `outcome="stored"`); `n == 0` makes the series exist before its first event.
    pub fn count(&self, name: &'static str, help: &'static str, labels: &'static str, n: u64) {
        let Ok(mut c) = self.counters.lock() else {
            return;
        };
        let c = c.entry(name).or_default();
        c.help = help;
        *c.by_labels.entry(labels).or_default() += n;
    }

    pub fn render(&self, out: &mut String) {
        self.render_routes(out);
        let Ok(c) = self.counters.lock() else { return };
        for (name, c) in c.iter() {
            let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} counter", c.help);
            for (labels, n) in &c.by_labels {
                let _ = writeln!(out, "{name}{{{labels}}} {n}");
            }
        }
    }

    fn render_routes(&self, out: &mut String) {
        let Ok(m) = self.routes.lock() else { return };
        out.push_str("# HELP righttrack_http_requests_total HTTP requests by route and status.\n# TYPE righttrack_http_requests_total counter\n");
        for ((method, route), s) in m.iter() {
            for (status, n) in &s.by_status {
                let _ = writeln!(out, "righttrack_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        out.push_str("# HELP righttrack_http_request_duration_seconds HTTP request latency by route.\n# TYPE righttrack_http_request_duration_seconds histogram\n");
        for ((method, route), s) in m.iter() {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "righttrack_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{b}\"}} {}", s.buckets[i]);
            }
            let _ = writeln!(out, "righttrack_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "righttrack_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}", s.sum);
            let _ = writeln!(out, "righttrack_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}", s.count);
        }
    }
}

pub fn is_speakup(path: &str) -> bool {
    path.starts_with("/speakup") || path.starts_with("/api/v1/speakup")
}

/// Metrics, logs and security headers for every request.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    // An unknown path under the hotline counts as the hotline too.
    let speakup = is_speakup(&route) || is_speakup(req.uri().path());
    let mut resp = next.run(req).await;
    let secs = started.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    if !speakup {
        state.metrics.record(&method, &route, status, secs);
        tracing::info!(target: "righttrack::http", method = %method, route = %route, status, ms = (secs * 1000.0).round() as u64, "request");
    }
    let h = resp.headers_mut();
    let csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    // A handler may set a stricter policy of its own (the binder's standalone export
    // allows exactly its inline style sheet, by hash).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.tls() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    resp
}

/// An error the HTTP framework answered by itself (a body that is not UTF-8, a method the
/// route does not take, a body over its limit), which comes as bare `text/plain` in the
/// framework's words, becomes the product's own error: `{code, message}` for programs, an
/// error page for people, with the same status and headers. The framework's text is read
/// only to choose the message; it is never passed on.
async fn framework_rejection(resp: Response) -> Response {
    use crate::error::{AppError, Code};
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let err = match parts.status.as_u16() {
        404 => AppError::not_found(),
        405 => AppError::new(
            Code::MethodNotAllowed,
            "This address does not take that kind of request.",
        ),
        413 => AppError::new(Code::PayloadTooLarge, "The request is too large."),
        415 => AppError::new(
            Code::UnsupportedMediaType,
            "This address does not take that type of content.",
        ),
        _ if text.contains("UTF-8") => {
            AppError::bad_request("The request body is not valid UTF-8 text.")
        }
        _ if text.contains("ultipart") => {
            AppError::bad_request("The upload could not be read; send the form again.")
        }
        _ => AppError::new(
            if parts.status.as_u16() == 422 {
                Code::Unprocessable
            } else {
                Code::BadRequest
            },
            "The request could not be read.",
        ),
    };
    let mut out = err.into_response();
    *out.status_mut() = parts.status;
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// Turns error responses for people (anything outside `/api/`, `/healthz`, `/metrics`)
/// into HTML pages with the same status.
pub async fn finish(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    // Only the framework's own answers: bare text or nothing. A handler's page or JSON
    // (a form shown again with its errors) passes untouched.
    let bare = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if resp.status().is_client_error() && bare && resp.extensions().get::<ErrorInfo>().is_none() {
        resp = framework_rejection(resp).await;
    }
    let is_machine = path.starts_with("/api/") || path == "/healthz" || path == "/metrics";
    if is_machine {
        return resp;
    }
    let Some(ErrorInfo(err)) = resp.extensions().get::<ErrorInfo>().cloned() else {
        return resp;
    };
    let caller = resp.extensions().get::<crate::auth::Caller>().cloned();
    let (mut parts, _) = resp.into_parts();
    let page = pages::error_page(&state, caller.as_ref(), &err).await;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut html = page.into_response();
    *html.status_mut() = parts.status;
    for (k, v) in parts.headers.iter() {
        html.headers_mut().insert(k.clone(), v.clone());
    }
    html
}
