//! The use cases' error: what went wrong, in words for the person who asked, and which
//! field it concerns.
//!
//! [`Kind`] says what sort of failure it is; the web shell maps each kind to its stable
//! public code and HTTP status, the command line prints the message. A message never
//! carries customer data or hotline content; the cause of an internal failure goes to the
//! log only.

/// What sort of failure (the web shell maps each to a stable public code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The actor's role does not allow this.
    Forbidden,
    /// The action needs the second factor first.
    TwoFactorRequired,
    /// Nothing to see here (also for things the actor may not know exist).
    NotFound,
    /// The input is malformed.
    BadRequest,
    /// The input is well-formed but breaks a rule.
    Unprocessable,
    /// It clashes with what exists (a duplicate, a stale version).
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    /// The input is too large.
    PayloadTooLarge,
    /// The storage cannot be reached right now.
    Unavailable,
    /// A required course has not been completed.
    TrainingRequired,
    /// Our fault; logged.
    Internal,
}

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    /// The input field the error concerns, by its label for people.
    pub field: Option<String>,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            field: None,
            message: message.into(),
        }
    }

    /// The same error, about `field`.
    pub fn on(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn forbidden() -> Self {
        Self::new(Kind::Forbidden, "Your role does not allow this.")
    }

    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, "There is nothing here.")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(Kind::Unprocessable, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, message)
    }

    pub fn unavailable() -> Self {
        Self::new(
            Kind::Unavailable,
            "The service cannot reach its storage right now. Please try again in a moment.",
        )
    }

    /// Logs the cause; the message says only that it was our fault.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            Kind::Internal,
            "Something went wrong on our side. It has been logged.",
        )
    }
}

impl From<righttrack_store::StoreError> for Error {
    fn from(e: righttrack_store::StoreError) -> Self {
        use righttrack_store::StoreError as S;
        match e {
            S::NotFound => Error::not_found(),
            S::Conflict(what) => Error::conflict(format!("{what} already exists.")),
            S::Unstorable => Error::bad_request(
                "The text contains a NUL character, which cannot be stored. Remove it and try again.",
            ),
            S::Connect { .. } | S::Unavailable(_) => {
                tracing::error!(error = %e, "database unavailable");
                Error::unavailable()
            }
            other => Error::internal(&other),
        }
    }
}

impl From<crate::gate::GateError> for Error {
    fn from(e: crate::gate::GateError) -> Self {
        match e {
            crate::gate::GateError::Busy(_) => Error::new(
                Kind::RateLimited,
                "The server is busy; try again in a moment.",
            ),
            crate::gate::GateError::Join(e) => Error::internal(&e),
        }
    }
}

impl From<righttrack_core::crypto::CryptoError> for Error {
    fn from(e: righttrack_core::crypto::CryptoError) -> Self {
        Error::internal(&e)
    }
}
