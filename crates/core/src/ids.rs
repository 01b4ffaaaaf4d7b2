//! Typed identifiers. A `UserId` cannot be passed where a `TeamId` is meant.
//!
//! Rows are keyed by UUIDv7 (time-ordered, so indexes stay append-friendly). A row id is
//! never used where a secret is meant: session ids, API tokens and (later) hotline
//! receipts are separate random values, stored only as hashes.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A new time-ordered UUIDv7: the millisecond of `at`, then ten random bytes from `rng`.
/// Every row id is made here, typed or not.
pub fn uuid_v7(at: jiff::Timestamp, rng: &mut impl rand::RngCore) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    let ms = u64::try_from(at.as_millisecond()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
}

/// [`uuid_v7`] as text, for the rows keyed by a plain text id.
pub fn new_row_id(at: jiff::Timestamp, rng: &mut impl rand::RngCore) -> String {
    uuid_v7(at, rng).to_string()
}

macro_rules! typed_id {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id. The timestamp and random bits are supplied by the caller.
            pub fn new_v7(at: jiff::Timestamp, rng: &mut impl rand::RngCore) -> Self {
                Self(uuid_v7(at, rng))
            }

            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

typed_id!(
    UserId,
    TeamId,
    SiteId,
    TokenId,
    InteractionId,
    CommitmentId,
    CalibrationId,
    DisputeId,
    FeedbackId,
    BinderGenerationId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_by_time() {
        let mut rng = rand::thread_rng();
        let a = UserId::new_v7(jiff::Timestamp::from_second(1_000).unwrap(), &mut rng);
        let b = UserId::new_v7(jiff::Timestamp::from_second(2_000).unwrap(), &mut rng);
        assert!(a < b);
        assert_eq!(UserId::parse(&a.to_string()), Some(a));
        assert_eq!(UserId::parse("not-a-uuid"), None);
    }
}
