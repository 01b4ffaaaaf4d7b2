//! Malformed input on every route: no 5xx, no panic, a clear error naming the field.
//!
//! The attacker here is anyone who can reach a form or an API route, including a
//! signed-in insider: they send what no page would send (wrong types, broken encodings,
//! hostile ids, huge or binary values) hoping for a crash, a stack of internals in the
//! answer, or their own input echoed into an error. The test walks the route table
//! itself, so a route added later is fuzzed without anyone remembering to add it.

use crate::common::{App, Resp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use righttrack_web::routes::{specs, Access, Kind, RouteSpec};
use std::collections::BTreeSet;

/// A value no API error may echo: error messages name the field, never repeat its value
/// (which may be customer data, and would make every error a reflection point).
const CANARY: &str = "CANARY7f3a";

/// Words that only the program's internals use; a message for people never contains them.
const INTERNALS: &[&str] = &[
    "struct ",
    "enum ",
    "::",
    "u32",
    "u64",
    "i32",
    "i64",
    "usize",
    "Option<",
    "Vec<",
    "sqlx",
    "panicked",
    "SQLITE",
    "database error",
];

/// Hostile stand-ins for a path parameter.
fn hostile_ids() -> Vec<String> {
    vec![
        "0".into(),
        "-1".into(),
        "99999999999999999999999999".into(),
        "not-an-id".into(),
        "0190f5c0-0000-7000-8000-000000000000".into(),
        "..%2F..%2Fetc%2Fpasswd".into(),
        "%00".into(),
        "%FF%FE".into(),
        format!("{CANARY}{}", "a".repeat(3000)),
    ]
}

/// Hostile values for a form field or a query parameter (already form-encoded).
fn hostile_values() -> Vec<String> {
    vec![
        String::new(),
        format!("{CANARY}%00%01%02"),
        "%FF%FE%FD".into(),
        "-99999999999999999999".into(),
        "1e309".into(),
        "NaN".into(),
        format!("{CANARY}{}", "x".repeat(12_000)),
        "%E2%80%AE%3Cscript%3E%27%22".into(),
        "2026-02-31".into(),
        "%0D%0A%09%3D1%2B1".into(),
    ]
}

/// JSON values of every type, for every field name.
fn hostile_json() -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!(-1),
        json!(1e300),
        json!(true),
        json!([CANARY]),
        json!({ "nested": CANARY }),
        json!(format!("{CANARY}{}", "y".repeat(12_000))),
        json!(format!("{CANARY}\u{0}\u{202e}")),
    ]
}

/// A path with each `{param}` replaced by `id`.
fn fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(id);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The `name="..."` attributes of a page's inputs.
fn field_names(html: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = html;
    while let Some(at) = rest.find(" name=\"") {
        rest = &rest[at + 7..];
        if let Some(end) = rest.find('"') {
            let name = &rest[..end];
            if !name.is_empty() && name != "csrf" && name.len() < 60 {
                names.insert(name.to_owned());
            }
            rest = &rest[end..];
        }
    }
    names
}

struct Fuzzer<'a> {
    app: &'a App,
    cookie: String,
    csrf: String,
    token: String,
    sent: usize,
}

impl Fuzzer<'_> {
    async fn send(
        &mut self,
        spec: &RouteSpec,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if spec.kind == Kind::Api {
            req = req.header("authorization", format!("Bearer {}", self.token));
        } else {
            req = req
                .header("cookie", &self.cookie)
                .header("x-csrf-token", &self.csrf);
        }
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let mut req = match req.body(Body::from(body)) {
            Ok(r) => r,
            // A path the HTTP library itself refuses never reaches the server.
            Err(_) => return self.app.get("/healthz", "").await,
        };
        req.extensions_mut()
            .insert(axum::extract::connect_info::ConnectInfo(
                "198.51.100.9:40000"
                    .parse::<std::net::SocketAddr>()
                    .unwrap(),
            ));
        self.sent += 1;
        let r = self.app.call(req).await;
        check(spec, path, &r);
        assert!(
            matches!(spec.access, Access::Public) || !r.location().starts_with("/login"),
            "the fuzzer lost its session at {} {path}: what it sends no longer reaches the handlers",
            spec.method
        );
        r
    }
}

/// What every answer to malformed input must look like.
fn check(spec: &RouteSpec, path: &str, r: &Resp) {
    let what = format!(
        "{} {} (as {path}) answered {}: {}",
        spec.method,
        spec.path,
        r.status,
        &r.body.chars().take(300).collect::<String>()
    );
    assert!(
        !r.status.is_server_error(),
        "server error on malformed input: {what}"
    );
    // A form keeps what was typed (escaped); markup typed into it never comes back live.
    assert!(
        !r.body.contains("<script>'\""),
        "typed markup came back unescaped: {what}"
    );
    if !r.status.is_client_error() {
        return;
    }
    let content_type = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Errors outside /api/ are pages for people, whatever the route's kind (an export
    // linked from a page answers JSON when it works, an error page when it does not).
    if path.starts_with("/api/") {
        assert!(
            content_type.starts_with("application/json"),
            "an API error that is not JSON: {what}"
        );
        let v: serde_json::Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|_| panic!("an API error that does not parse: {what}"));
        let message = v["message"].as_str().unwrap_or("");
        assert!(
            !message.contains(CANARY),
            "an API error echoes the hostile value: {what}"
        );
        assert!(
            v["code"].is_string() && !message.is_empty(),
            "an API error without code and message: {what}"
        );
        for word in INTERNALS {
            assert!(
                !message.contains(word),
                "an API error speaks of internals ({word}): {what}"
            );
        }
    } else if spec.kind == Kind::Page && r.status != StatusCode::TOO_MANY_REQUESTS {
        assert!(
            content_type.starts_with("text/html"),
            "a page error that is not a page: {what}"
        );
        for word in ["panicked", "sqlx", "SQLITE", "struct "] {
            assert!(
                !r.body.contains(word),
                "a page error speaks of internals ({word}): {what}"
            );
        }
    }
}

/// Every route, as a user who holds every role: hostile path ids, hostile values in every
/// field the route's own pages offer, broken encodings, wrong content types and JSON of
/// the wrong type for every field. Nothing may answer 5xx, panic, echo the input, or (on
/// the API) answer anything but `{code, message}` in words for people.
#[tokio::test]
async fn malformed_input_on_every_route_is_a_clear_client_error() {
    for app in App::each().await {
        let everyone = app.user("fuzzer", &Role::ALL).await;
        let (cookie, csrf) = app.session(&everyone).await;
        let token =
            righttrack_web::auth::issue_token(&app.state, "fuzzer", &everyone, "fuzz", &Scope::ALL)
                .await
                .unwrap();
        let mut f = Fuzzer {
            app: &app,
            cookie,
            csrf,
            token: token.expose().clone(),
            sent: 0,
        };
        let routes: Vec<RouteSpec> = specs()
            .into_iter()
            // Signing out and the account's own second-factor and password pages end or
            // change the fuzzer's session; the auth attacks cover them.
            .filter(|s| s.path != "/logout" && !s.path.starts_with("/account"))
            .collect();

        // Harvest the field names of every page a signed-in user can open, so that the
        // posts below fill the fields the product really asks for.
        let mut names: BTreeSet<String> = BTreeSet::new();
        for spec in routes.iter().filter(|s| s.method == "GET") {
            if spec.path.contains('{') || spec.kind != Kind::Page {
                continue;
            }
            let r = f.send(spec, Method::GET, spec.path, None, Vec::new()).await;
            names.extend(field_names(&r.body));
        }
        names.extend(
            [
                "id", "text", "title", "name", "status", "limit", "cursor", "from", "to",
            ]
            .map(String::from),
        );
        let names: Vec<String> = names.into_iter().collect();

        for spec in &routes {
            let method: Method = spec.method.parse().unwrap();
            let paths: Vec<String> = if spec.path.contains('{') {
                hostile_ids().iter().map(|id| fill(spec.path, id)).collect()
            } else {
                vec![spec.path.to_owned()]
            };
            for path in &paths {
                f.send(spec, method.clone(), path, None, Vec::new()).await;
            }
            let path = paths.last().cloned().unwrap_or_default();
            let base = if spec.path.contains('{') {
                fill(spec.path, &hostile_ids()[4])
            } else {
                spec.path.to_owned()
            };
            if method == Method::GET {
                // Every known parameter with each hostile value, in groups small enough
                // to stay under the server's URI limit.
                for value in hostile_values() {
                    let long = value.len() > 1000;
                    let chosen = if long {
                        &names[..names.len().min(3)]
                    } else {
                        &names[..]
                    };
                    for chunk in chosen.chunks(40) {
                        let query: Vec<String> =
                            chunk.iter().map(|n| format!("{n}={value}")).collect();
                        let uri = format!("{base}?{}", query.join("&"));
                        f.send(spec, Method::GET, &uri, None, Vec::new()).await;
                    }
                }
                continue;
            }
            let form = "application/x-www-form-urlencoded";
            for value in hostile_values() {
                let body: Vec<String> = names.iter().map(|n| format!("{n}={value}")).collect();
                f.send(
                    spec,
                    method.clone(),
                    &base,
                    Some(form),
                    body.join("&").into_bytes(),
                )
                .await;
            }
            for raw in [
                b"%zz=%q&=&&==".to_vec(),
                vec![0xff, 0xfe, b'=', 0x80, b'&', b'a', b'=', 0xc3],
                format!("csrf={}&{CANARY}", f.csrf).into_bytes(),
            ] {
                f.send(spec, method.clone(), &base, Some(form), raw).await;
            }
            for (ct, body) in [
                ("application/json", b"{\"a\":".to_vec()),
                ("application/json", b"[]".to_vec()),
                ("application/json", b"null".to_vec()),
                ("application/json", format!("\"{CANARY}\"").into_bytes()),
                ("text/plain", CANARY.as_bytes().to_vec()),
                ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
                ("application/json", vec![0xff, 0xfe, 0x00]),
            ] {
                f.send(spec, method.clone(), &path, Some(ct), body).await;
            }
            if spec.kind == Kind::Api {
                for value in hostile_json() {
                    let object: serde_json::Map<String, serde_json::Value> =
                        names.iter().map(|n| (n.clone(), value.clone())).collect();
                    let body = serde_json::to_vec(&object).unwrap();
                    f.send(spec, method.clone(), &base, Some("application/json"), body)
                        .await;
                }
            }
        }
        assert!(
            f.sent > routes.len() * 5,
            "the fuzzer sent only {} requests",
            f.sent
        );
    }
}
