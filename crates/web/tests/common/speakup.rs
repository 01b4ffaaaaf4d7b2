//! The speak-up reporter as a test sees it: requests sent as a phone would send them
//! (peer address, user agent, referrer), each checked for the "no trace" headers; forms
//! with files; the log capture; the SQLite file and WAL as bytes at rest.

use super::{value_of, App, Resp};
use axum::http::Method;

pub const CLIENT: &str = "203.0.113.77:50123";
pub const AGENT: &str = "Mozilla/5.0 (SpeakupTestPhone; Mobile) ReporterBrowser/9.1";

/// A request as a phone would send it: with a peer address, a user agent and a
/// referrer. Asserts that the answer sets no cookie and is neither cached nor referred.
pub async fn send_bytes(
    app: &App,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Resp {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("user-agent", AGENT)
        .header("referer", "https://intranet.example.com/who-reported")
        .header("x-forwarded-for", "203.0.113.78");
    let mut has_type = false;
    for (k, v) in headers {
        has_type |= k.eq_ignore_ascii_case("content-type");
        req = req.header(*k, *v);
    }
    if !body.is_empty() && !has_type {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let mut req = req.body(axum::body::Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::connect_info::ConnectInfo(
            CLIENT.parse::<std::net::SocketAddr>().unwrap(),
        ));
    let r = app.call(req).await;
    assert!(
        r.headers.get("set-cookie").is_none(),
        "{path} set a cookie: {:?}",
        r.headers.get("set-cookie")
    );
    assert_eq!(r.headers["cache-control"], "no-store", "{path}");
    assert_eq!(r.headers["referrer-policy"], "no-referrer", "{path}");
    r
}

pub async fn send(
    app: &App,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    send_bytes(app, method, path, headers, body.as_bytes().to_vec()).await
}

pub async fn get(app: &App, path: &str) -> Resp {
    send(app, Method::GET, path, &[], "").await
}

pub async fn post(app: &App, path: &str, body: &str) -> Resp {
    send(app, Method::POST, path, &[], body).await
}

pub async fn api(app: &App, path: &str, body: &serde_json::Value) -> Resp {
    send(
        app,
        Method::POST,
        path,
        &[("content-type", "application/json")],
        &body.to_string(),
    )
    .await
}

/// The form token of a page.
pub fn csrf(page: &Resp) -> String {
    value_of(&page.body, "name=\"csrf\" value=\"").to_owned()
}

/// A `multipart/form-data` post as a browser sends a form with file inputs: `fields` in
/// order, then one part per file `(field, file name, bytes)`.
pub async fn post_multipart(
    app: &App,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    const BOUNDARY: &str = "----RightTrackTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    send_bytes(
        app,
        Method::POST,
        path,
        &[("content-type", &content_type)],
        body,
    )
    .await
}

/// The SQLite database file and its WAL, concatenated (`None` on PostgreSQL).
pub fn bytes_at_rest(app: &App) -> Option<Vec<u8>> {
    let path = app.t.sqlite_path()?;
    let mut bytes = std::fs::read(&path).unwrap();
    let wal = path.with_extension(format!(
        "{}-wal",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let wal_bytes = std::fs::read(&wal).unwrap_or_default();
    assert!(
        !wal_bytes.is_empty() || bytes.len() > 4096,
        "the database was written"
    );
    bytes.extend_from_slice(&wal_bytes);
    Some(bytes)
}
