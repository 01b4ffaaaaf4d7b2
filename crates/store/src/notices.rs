//! Daily notices to a user: at most one a day per kind, kept until the user has seen
//! them. CAPA reminders and hotline staff reminders live in two tables of the same
//! shape, so their queries are written once here and each module names its table.

use crate::{ms, Db, Result};
use jiff::Timestamp;
use righttrack_core::ids::UserId;

/// A notices table and the key that allows one notice a day.
pub(crate) struct Notices {
    pub(crate) table: &'static str,
    pub(crate) one_a_day: &'static str,
}

impl Db {
    /// Stores the day's notice for a user unless one is there already. Returns whether
    /// it is new.
    pub(crate) async fn put_notice(
        &self,
        n: &Notices,
        user: UserId,
        day: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let sql = format!(
            "INSERT INTO {} (user_id, day, text, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT ({}) DO NOTHING",
            n.table, n.one_a_day
        );
        let added = execute!(self, &sql, user.to_string(), day, text, ms(at));
        Ok(added > 0)
    }

    /// A user's unseen notices, newest first: `(day, text)`.
    pub(crate) async fn unseen_notices(
        &self,
        n: &Notices,
        user: UserId,
    ) -> Result<Vec<(String, String)>> {
        let sql = format!(
            "SELECT day, text FROM {} WHERE user_id = $1 AND seen_at IS NULL ORDER BY day DESC",
            n.table
        );
        Ok(fetch!(self, fetch_all, &sql, user.to_string()))
    }

    /// Marks every unseen notice of a user as seen at `at`.
    pub(crate) async fn mark_notices_seen(
        &self,
        n: &Notices,
        user: UserId,
        at: Timestamp,
    ) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET seen_at = $1 WHERE user_id = $2 AND seen_at IS NULL",
            n.table
        );
        execute!(self, &sql, ms(at), user.to_string());
        Ok(())
    }
}
