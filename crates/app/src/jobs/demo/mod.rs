//! Demo data for `righttrack serve --demo`, stored through the same use cases and store
//! calls as real use, so the demo shows what the product does with real rows.

pub mod capa;
pub mod cases;
pub mod coaching;
pub mod conflicts;
pub mod interactions;
pub mod org;
pub mod pay;
pub mod policies;
pub mod surveys;
pub mod training;

use crate::{Error, Kind};
use jiff::{SignedDuration, Timestamp};

/// The instant `days` whole days before `now` (`now` itself should that underflow):
/// the demo backdates its rows so that its history has a shape.
pub(crate) fn days_ago(now: Timestamp, days: i64) -> Timestamp {
    now.checked_sub(SignedDuration::from_hours(24 * days))
        .unwrap_or(now)
}

/// Demo data that could not be made, in words for the operator starting the demo (no
/// customer data is involved: everything is synthetic).
pub(crate) fn broken(what: impl std::fmt::Display) -> Error {
    Error::new(Kind::Internal, what.to_string())
}
