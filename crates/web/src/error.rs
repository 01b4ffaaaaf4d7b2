//! One error type at the HTTP edge with stable, documented codes.
//!
//! The client gets `{"code", "message"}` (API) or an error page (HTML, chosen by the
//! outer middleware from the request path); the cause goes to the log only. Codes are
//! part of the public API: add new ones, never rename.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// No or invalid credentials.
    Unauthenticated,
    /// Authenticated, but the authorization table does not allow this action.
    Forbidden,
    /// A second factor is required before anything else.
    TwoFactorRequired,
    /// Missing or wrong CSRF token on a state-changing request.
    CsrfFailed,
    NotFound,
    /// The address exists, but not for this HTTP method.
    MethodNotAllowed,
    /// Malformed request; the message names the field or line.
    BadRequest,
    /// Well-formed, but a value is not acceptable (a number above its maximum, an
    /// unknown item); the message names the field.
    Unprocessable,
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    PayloadTooLarge,
    /// The body is not in a format the route reads (e.g. not JSON on a JSON route).
    UnsupportedMediaType,
    /// The database does not answer.
    Unavailable,
    Internal,
    /// The caller's role allows this, but the content needs current data-privacy
    /// training, which the caller does not hold (the message says what to complete).
    TrainingRequired,
}

impl Code {
    pub const ALL: [Code; 15] = [
        Code::Unauthenticated,
        Code::Forbidden,
        Code::TwoFactorRequired,
        Code::CsrfFailed,
        Code::NotFound,
        Code::MethodNotAllowed,
        Code::BadRequest,
        Code::Unprocessable,
        Code::Conflict,
        Code::RateLimited,
        Code::PayloadTooLarge,
        Code::UnsupportedMediaType,
        Code::Unavailable,
        Code::Internal,
        Code::TrainingRequired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "unauthenticated",
            Code::Forbidden => "forbidden",
            Code::TwoFactorRequired => "two_factor_required",
            Code::CsrfFailed => "csrf_failed",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::BadRequest => "bad_request",
            Code::Unprocessable => "unprocessable",
            Code::Conflict => "conflict",
            Code::RateLimited => "rate_limited",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::Unavailable => "unavailable",
            Code::Internal => "internal",
            Code::TrainingRequired => "training_required",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Forbidden | Code::TwoFactorRequired | Code::CsrfFailed => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::BadRequest => StatusCode::BAD_REQUEST,
            Code::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Code::Conflict => StatusCode::CONFLICT,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::TrainingRequired => StatusCode::FORBIDDEN,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub code: Code,
    pub message: String,
}

/// Attached to error responses so the outer layer can render an HTML page instead.
#[derive(Debug, Clone)]
pub struct ErrorInfo(pub AppError);

impl AppError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(Code::Unauthenticated, "Sign in or send a valid API token.")
    }

    pub fn forbidden() -> Self {
        Self::new(Code::Forbidden, "Your role does not allow this.")
    }

    pub fn not_found() -> Self {
        Self::new(Code::NotFound, "There is nothing here.")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Code::BadRequest, message)
    }

    /// A value that is not acceptable; the message names the field, never the value.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(Code::Unprocessable, message)
    }

    /// The storage is out of reach or full: retry later (`Retry-After` is set).
    pub fn unavailable() -> Self {
        Self::new(
            Code::Unavailable,
            "The service cannot reach its storage right now. Please try again in a moment.",
        )
    }

    /// An internal failure: the cause is logged here and never sent to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            Code::Internal,
            "Something went wrong on our side. It has been logged.",
        )
    }
}

impl From<righttrack_store::StoreError> for AppError {
    fn from(e: righttrack_store::StoreError) -> Self {
        use righttrack_store::StoreError as S;
        match e {
            S::NotFound => AppError::not_found(),
            S::Conflict(what) => AppError::new(Code::Conflict, format!("{what} already exists.")),
            S::Unstorable => AppError::bad_request(
                "The text contains a NUL character, which cannot be stored. Remove it and try again.",
            ),
            S::Connect { .. } | S::Unavailable(_) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::unavailable()
            }
            other => AppError::internal(&other),
        }
    }
}

impl From<righttrack_app::Error> for AppError {
    fn from(e: righttrack_app::Error) -> Self {
        use righttrack_app::Kind as K;
        let code = match e.kind {
            K::Forbidden => Code::Forbidden,
            K::TwoFactorRequired => Code::TwoFactorRequired,
            K::NotFound => Code::NotFound,
            K::BadRequest => Code::BadRequest,
            K::Unprocessable => Code::Unprocessable,
            K::Conflict => Code::Conflict,
            K::RateLimited => Code::RateLimited,
            K::PayloadTooLarge => Code::PayloadTooLarge,
            K::Unavailable => Code::Unavailable,
            K::TrainingRequired => Code::TrainingRequired,
            K::Internal => Code::Internal,
        };
        AppError::new(code, e.message)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = serde_json::json!({ "code": self.code.as_str(), "message": self.message });
        let mut resp = (status, axum::Json(body)).into_response();
        if self.code == Code::RateLimited {
            // A caller that knows better (a limiter's own wait) replaces it.
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        if self.code == Code::Unavailable {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_UNAVAILABLE_SECS),
            );
        }
        resp.extensions_mut().insert(ErrorInfo(self));
        resp
    }
}

/// `Retry-After` on a 503: storage outages are usually short (a failover, a restart).
const RETRY_UNAVAILABLE_SECS: &str = "5";

pub type AppResult<T> = Result<T, AppError>;
