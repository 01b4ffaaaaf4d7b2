//! Wrappers for values that must never reach a log.
//!
//! `Secret<T>` prints `Secret(<redacted>)` under `Debug` and has no `Display`, so a
//! password, token, key or session id can be passed through code that derives `Debug`
//! (and through `tracing` fields) without leaking. The value is reachable only through
//! [`Secret::expose`], which makes every use greppable.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value. Call sites are the audit surface for secret handling.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new(String::from("hunter2-password"));
        let printed = format!("{s:?} {:?}", Some(&s));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(s.expose(), "hunter2-password");
    }
}
