//! The request extractors handlers use for query strings, JSON bodies and path
//! parameters. They replace axum's own, whose rejections are `text/plain` and speak of
//! Rust types ("expected struct SubmitBody", "cannot parse integer"): here every
//! rejection is an [`AppError`] (JSON for programs, an error page for people) that names
//! the field in the product's words and never repeats the value that was sent (it may be
//! customer data, and an echo would make every error a reflection point).
//!
//! [`SignedIn`] hands a handler the server's state and the caller the route's guard let
//! in, the pair nearly every handler behind a guard starts from.

use crate::auth::Caller;
use crate::error::{AppError, Code};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::ExtensionRejection;
use axum::extract::{Extension, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Query-string parameters, deserialized into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs = form_urlencoded::parse(query.as_bytes());
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Query)
            .map_err(|e| {
                let field = e.path().to_string();
                AppError::unprocessable(format!(
                    "Query parameter `{}`: {}.",
                    clean_field(&field),
                    describe(&e.inner().to_string())
                ))
            })
    }
}

/// A JSON request body deserialized into `T`, or a JSON response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|t| {
                let t = t.trim().to_ascii_lowercase();
                t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
            });
        if !is_json {
            return Err(AppError::new(
                Code::UnsupportedMediaType,
                "Send the body as JSON, with the header Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            AppError::new(
                Code::PayloadTooLarge,
                "The request body is too large or could not be read.",
            )
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Parses a JSON body into `T`, with errors that name the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::bad_request(format!(
                "The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            ));
        }
        let field = e.path().to_string();
        let what = describe(&inner.to_string());
        // An unknown field's path is the name the client sent: never repeat it.
        if field == "." || field == "?" || inner.to_string().starts_with("unknown field") {
            AppError::unprocessable(format!("The body: {what}."))
        } else {
            AppError::unprocessable(format!("Field `{}`: {what}.", clean_field(&field)))
        }
    })?;
    de.end()
        .map_err(|_| AppError::bad_request("The body has text after its JSON value."))?;
    Ok(value)
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Path parameters. One that does not parse (a malformed id) names nothing that exists:
/// the answer is the same "not found" as for a well-formed id that matches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| AppError::not_found())
    }
}

/// The server's state and the caller of a guarded route, taken apart in the handler's
/// signature: `SignedIn { state, caller }: SignedIn`.
///
/// The caller is the one the route's guard (`routes::guard`) resolved and put in the
/// request's extensions; this reads it from there exactly as `Extension<Caller>` does,
/// so a route without a caller fails the same way (axum's missing-extension rejection).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ExtensionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Extension(caller) = Extension::<Caller>::from_request_parts(parts, state).await?;
        Ok(SignedIn {
            state: state.clone(),
            caller,
        })
    }
}

/// A field path as the client wrote it (`items[2].score`), without serde's markers.
fn clean_field(path: &str) -> String {
    let cleaned: String = path
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-'))
        .take(80)
        .collect();
    if cleaned.is_empty() {
        "?".into()
    } else {
        cleaned
    }
}

/// What serde's message says is wrong, in the product's words and without the value that
/// was sent (serde quotes it: `invalid type: string "…", expected u32`).
fn describe(serde_message: &str) -> String {
    let m = serde_message;
    if let Some(rest) = m.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        return format!("`{}` is required", clean_field(name));
    }
    if m.starts_with("unknown field") {
        let expected = m.split(", expected ").nth(1).unwrap_or("");
        return format!(
            "a field this request does not take (expected {})",
            expected_words(expected)
        );
    }
    if m.contains("cannot parse integer")
        || m.contains("invalid digit")
        || m.contains("number too large")
        || m.contains("number too small")
    {
        return "expected a whole number in range".into();
    }
    if m.contains("invalid float literal") {
        return "expected a number".into();
    }
    if m.contains("provided string was not `true` or `false`") {
        return "expected true or false".into();
    }
    if m.starts_with("duplicate field") {
        return "given more than once".into();
    }
    match m.split(", expected ").nth(1) {
        Some(expected) => format!("expected {}", expected_words(expected)),
        None => "not a valid value".into(),
    }
}

/// serde's "expected …" phrase for a type, in words for people.
fn expected_words(expected: &str) -> String {
    // serde_json appends the position: "expected u32 at line 1 column 9".
    let e = expected
        .split(" at line ")
        .next()
        .unwrap_or(expected)
        .trim();
    let e = e.trim_end_matches('.');
    let integer = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    if integer
        .iter()
        .any(|t| e == *t || e.ends_with(&format!(" {t}")))
    {
        return "a whole number".into();
    }
    if e == "f32" || e == "f64" || e.ends_with(" f64") || e.ends_with(" f32") {
        return "a number".into();
    }
    if e.contains("string") || e == "a char" || e.starts_with("a borrowed") {
        return "text".into();
    }
    if e.contains("bool") {
        return "true or false".into();
    }
    if e.contains("sequence") || e.starts_with("a tuple") || e.contains("array") {
        return "a list".into();
    }
    if e.starts_with("struct ") || e.contains("map") {
        return "an object".into();
    }
    if let Some(options) = e.strip_prefix("one of ") {
        return format!("one of {}", options.replace('`', ""));
    }
    if let Some(option) = e.strip_prefix("variant identifier") {
        return format!("a known value{option}");
    }
    if e.starts_with('`') {
        return e.replace('`', "");
    }
    "a valid value".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be deserialized")]
    struct Body {
        title: String,
        score: u32,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Open,
        Closed,
    }

    fn err(json: &str) -> AppError {
        match parse_json::<Body>(json.as_bytes()) {
            Ok(b) => panic!("accepted {json}: {b:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn json_errors_name_the_field_in_words_and_never_the_value() {
        let secret = "4111111111111111";
        let e = err(&format!(r#"{{"title":"t","score":"{secret}"}}"#));
        assert_eq!(e.message, "Field `score`: expected a whole number.");
        assert_eq!(e.code, Code::Unprocessable);
        let e = err(r#"{"score":1}"#);
        assert_eq!(e.message, "The body: `title` is required.");
        let e = err(r#"{"title":["x"],"score":1}"#);
        assert_eq!(e.message, "Field `title`: expected text.");
        let e = err(&format!(r#"{{"title":"t","score":1,"tags":"{secret}"}}"#));
        assert_eq!(e.message, "Field `tags`: expected a list.");
        let e = err(&format!(r#"{{"title":"t","score":1,"kind":"{secret}"}}"#));
        assert_eq!(e.message, "Field `kind`: expected open or closed.");
        let e = err(&format!(r#"{{"title":"t","score":1,"{secret}":1}}"#));
        assert!(!e.message.contains(secret), "{}", e.message);
        assert!(e.message.contains("does not take"), "{}", e.message);
        let e = err("[]");
        assert_eq!(e.message, "The body: expected an object.");
        let e = err(r#"{"title":"#);
        assert_eq!(e.code, Code::BadRequest);
        assert!(
            e.message.starts_with("The body is not valid JSON"),
            "{}",
            e.message
        );
        let e = err(r#"{"title":"t","score":1} {}"#);
        assert_eq!(e.code, Code::BadRequest);
    }
}
