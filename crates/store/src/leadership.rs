//! What the leadership view counts that no other part of the store already does.

use crate::{ms, Db, Result};
use jiff::Timestamp;

/// A person's overrides of QA scores since a time, and how many of them were overturned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Overrides {
    pub made: i64,
    /// Later overridden by someone else, the other way (a dispute ruling or a reviewer).
    pub overturned: i64,
}

impl Db {
    /// The overrides `username` made since `since`, and how many a later override of the
    /// same item of the same interaction by someone else reversed.
    pub async fn overrides_by(&self, username: &str, since: Timestamp) -> Result<Overrides> {
        let (made, overturned): (i64, i64) = fetch!(
            self,
            fetch_one,
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM score_overrides l \
             WHERE l.interaction_id = o.interaction_id AND l.item = o.item AND l.at > o.at \
             AND l.by_user <> o.by_user AND l.failed <> o.failed) THEN 1 ELSE 0 END), 0) \
             FROM score_overrides o WHERE o.by_user = $1 AND o.at >= $2",
            username,
            ms(since)
        );
        Ok(Overrides { made, overturned })
    }
}
