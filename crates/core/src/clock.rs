//! The one place that reads the system clock.
//!
//! **Architecture Invariant:** every timestamp RightTrack stores or compares comes from a
//! [`Clock`]. Production code uses [`SystemClock`]; tests inject [`FixedClock`] and move
//! it. `clippy.toml` disallows `jiff::Timestamp::now` everywhere else.

use jiff::Timestamp;
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the system clock lives here and only here"
    )]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock for tests: starts at a given instant and moves only when told to.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<Timestamp>>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        if let Ok(mut t) = self.0.lock() {
            *t = t.checked_add(by).unwrap_or(*t);
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The calendar day of an instant, in UTC, as `YYYY-MM-DD`: the one date format of
/// notices, exports and reports.
pub fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// An instant to the minute, in UTC, as `YYYY-MM-DD HH:MM`.
pub fn minute(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn days_and_minutes_are_utc() {
        let t: Timestamp = "2026-03-01T23:59:30-05:00".parse().unwrap();
        assert_eq!(day(t), "2026-03-02");
        assert_eq!(minute(t), "2026-03-02 04:59");
    }
}
