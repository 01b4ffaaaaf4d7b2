//! The JSON API under `/api/v1`, the OpenAPI document, health and metrics.

use crate::error::{AppError, Code};
use crate::routes::{specs, Access, Kind};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use sha2::Digest;

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": state.db.backend_name()})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            AppError::unavailable().into_response()
        }
    }
}

/// Does the request carry the configured metrics token (`Authorization: Bearer …`)?
/// Compared in constant time.
fn metrics_token_ok(expected: &righttrack_core::Secret<String>, headers: &HeaderMap) -> bool {
    use subtle::ConstantTimeEq;
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Hash both sides so that lengths leak nothing either.
    let a = sha2::Sha256::digest(given.trim().as_bytes());
    let b = sha2::Sha256::digest(expected.expose().as_bytes());
    bool::from(a.ct_eq(&b))
}

/// Prometheus metrics, for the holder of the metrics token only: off (404) when none is
/// configured, 401 without it. A user's session or API token does not open them.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = &state.config.metrics_token else {
        return AppError::new(
            Code::NotFound,
            "Metrics are off: start the server with a metrics token (--metrics-token-file).",
        )
        .into_response();
    };
    if !metrics_token_ok(expected, &headers) {
        let mut r = AppError::new(
            Code::Unauthenticated,
            "Send the metrics token as `Authorization: Bearer TOKEN`.",
        )
        .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return r;
    }
    let mut out = String::with_capacity(4096);
    out.push_str(
        "# HELP righttrack_build_info Build information.\n# TYPE righttrack_build_info gauge\n",
    );
    out.push_str(&format!(
        "righttrack_build_info{{version=\"{}\",database=\"{}\"}} 1\n",
        env!("CARGO_PKG_VERSION"),
        state.db.backend_name()
    ));
    let (size, idle) = state.db.pool_stats();
    out.push_str("# HELP righttrack_db_pool_connections Open database connections.\n# TYPE righttrack_db_pool_connections gauge\n");
    out.push_str(&format!("righttrack_db_pool_connections {size}\n"));
    out.push_str("# HELP righttrack_db_pool_idle Idle database connections.\n# TYPE righttrack_db_pool_idle gauge\n");
    out.push_str(&format!("righttrack_db_pool_idle {idle}\n"));
    state.metrics.render(&mut out);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// The OpenAPI 3.1 document, generated from the route table so it cannot miss a route.
pub async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for s in specs() {
        let mut op = serde_json::Map::new();
        op.insert("summary".into(), json!(s.summary));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}_{}",
                s.method.to_lowercase(),
                s.path.trim_matches('/').replace(['/', '{', '}', '.'], "_")
            )),
        );
        let params: Vec<Value> = s
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), json!(params));
        }
        let ok = match s.kind {
            Kind::Api => {
                json!({"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}})
            }
            Kind::Page => {
                json!({"description": "HTML page (or a redirect after a form)", "content": {"text/html": {}}})
            }
            Kind::Plain => json!({"description": "OK"}),
        };
        let mut responses = serde_json::Map::new();
        responses.insert("200".into(), ok);
        match s.access {
            Access::Public => {
                op.insert("security".into(), json!([]));
            }
            Access::SessionPending => {
                op.insert("security".into(), json!([{"session": []}]));
                responses.insert(
                    "401".into(),
                    json!({"$ref": "#/components/responses/Error"}),
                );
            }
            Access::Act(a) => {
                op.insert(
                    "security".into(),
                    json!([{"session": []}, {"bearer": [a.scope().as_str()]}]),
                );
                op.insert("x-righttrack-action".into(), json!(a));
                op.insert("x-righttrack-roles".into(), json!(a.roles()));
                responses.insert(
                    "401".into(),
                    json!({"$ref": "#/components/responses/Error"}),
                );
                responses.insert(
                    "403".into(),
                    json!({"$ref": "#/components/responses/Error"}),
                );
            }
        }
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(s.path.to_owned()).or_insert_with(|| json!({}));
        if let Value::Object(m) = entry {
            m.insert(s.method.to_lowercase(), Value::Object(op));
        }
    }
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {"title": "RightTrack", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Ethics and compliance platform for contact centers. Errors are {code, message} with stable codes."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE},
                "bearer": {"type": "http", "scheme": "bearer"}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"],
                          "properties": {"code": {"type": "string", "enum": codes}, "message": {"type": "string"}}}
            },
            "responses": {
                "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        }
    })
}
