//! The mail outbox and each person's mail preference.
//!
//! A message is a row until the SMTP server accepts it: queuing and sending are two
//! steps, so an outage only delays. Rows hold the recipient, subject and body sealed
//! (the app seals and opens; the store never sees them in the clear); `last_error` is
//! the kind of failure only. `dedup_key` makes queuing idempotent: the sweep may look at
//! the same day's notices any number of times.

use crate::{from_ms, ms, uid, Db, Result};
use jiff::Timestamp;
use righttrack_core::ids::UserId;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub id: String,
    pub dedup_key: &'a str,
    pub user: Option<UserId>,
    /// Recipient, subject and body, sealed by the app.
    pub sealed: Vec<u8>,
}

/// A queued message whose time to try has come.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: String,
    pub sealed: Vec<u8>,
    pub attempts: i64,
    pub created_at: Timestamp,
}

/// The outbox at a glance, for the administrators' page (counts and times only).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MailStatus {
    /// Not sent yet and not given up on.
    pub waiting: i64,
    /// Of those, how many failed at least once.
    pub retrying: i64,
    /// Given up on (see `righttrack_core::mail::GIVE_UP_AFTER`).
    pub failed: i64,
    /// Accepted by the server in the last 24 hours.
    pub sent_last_day: i64,
    /// When the oldest waiting message was queued.
    pub oldest_waiting: Option<Timestamp>,
    /// The kind of the latest failure of a waiting or failed message.
    pub last_error: Option<String>,
}

/// A person mail can reach: `(user, username, address, preference as stored)`.
pub type Addressee = (UserId, String, String, Option<String>);

impl Db {
    /// Queues a message unless one with the same key is queued or sent already. Returns
    /// whether it is new.
    pub async fn queue_mail(&self, m: &NewMail<'_>, now: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO mail_outbox (id, dedup_key, user_id, sealed, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedup_key) DO NOTHING",
            &m.id,
            m.dedup_key,
            m.user.map(|u| u.to_string()),
            &m.sealed,
            ms(now),
        );
        Ok(n > 0)
    }

    /// Up to `limit` messages due at `now`, those waiting longest first.
    pub async fn due_mail(&self, now: Timestamp, limit: i64) -> Result<Vec<QueuedMail>> {
        let rows: Vec<(String, Vec<u8>, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, sealed, attempts, created_at FROM mail_outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
            ms(now),
            limit,
        );
        Ok(rows
            .into_iter()
            .map(|(id, sealed, attempts, created)| QueuedMail {
                id,
                sealed,
                attempts,
                created_at: from_ms(created),
            })
            .collect())
    }

    /// The server accepted the message.
    pub async fn mail_sent(&self, id: &str, now: Timestamp) -> Result<()> {
        execute!(
            self,
            "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
            ms(now),
            id,
        );
        Ok(())
    }

    /// A try failed with `error` (a kind, never an address): try again at `next`, or, when
    /// `give_up`, no more.
    pub async fn mail_attempt_failed(
        &self,
        id: &str,
        error: &str,
        next: Timestamp,
        give_up: Option<Timestamp>,
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
             failed_at = $3 WHERE id = $4",
            error,
            ms(next),
            give_up.map(ms),
            id,
        );
        Ok(())
    }

    /// Queues every given-up message again, as if new at `now`. Returns how many.
    pub async fn requeue_failed_mail(&self, now: Timestamp) -> Result<u64> {
        Ok(execute!(
            self,
            "UPDATE mail_outbox SET failed_at = NULL, created_at = $1, next_attempt_at = $1 \
             WHERE failed_at IS NOT NULL AND sent_at IS NULL",
            ms(now),
        ))
    }

    /// Whether the message queued under `dedup_key` was sent, and its last failure.
    pub async fn mail_state(&self, dedup_key: &str) -> Result<Option<(bool, Option<String>)>> {
        let row: Option<(Option<i64>, Option<String>)> = fetch!(
            self,
            fetch_optional,
            "SELECT sent_at, last_error FROM mail_outbox WHERE dedup_key = $1",
            dedup_key,
        );
        Ok(row.map(|(sent, e)| (sent.is_some(), e)))
    }

    /// Deletes messages sent before `before` (the outbox is not an archive).
    pub async fn purge_sent_mail(&self, before: Timestamp) -> Result<u64> {
        Ok(execute!(
            self,
            "DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < $1",
            ms(before),
        ))
    }

    /// The outbox at a glance at `now`.
    pub async fn mail_status(&self, now: Timestamp) -> Result<MailStatus> {
        let (waiting, retrying, failed, sent, oldest): (i64, i64, i64, i64, Option<i64>) = fetch!(
            self,
            fetch_one,
            "SELECT \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN sent_at >= $1 THEN 1 ELSE 0 END), 0), \
             MIN(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN created_at END) \
             FROM mail_outbox",
            ms(now) - 24 * 3_600_000,
        );
        let last_error: Option<String> = fetch!(
            self,
            fetch_optional,
            "SELECT last_error FROM mail_outbox WHERE sent_at IS NULL AND last_error IS NOT NULL \
             ORDER BY next_attempt_at DESC LIMIT 1",
        )
        .map(|(e,): (String,)| e);
        Ok(MailStatus {
            waiting,
            retrying,
            failed,
            sent_last_day: sent,
            oldest_waiting: oldest.map(from_ms),
            last_error,
        })
    }

    /// Everyone mail can reach: enabled people whose directory row has an address.
    pub async fn mail_addressees(&self) -> Result<Vec<Addressee>> {
        let rows: Vec<(String, String, String, Option<String>)> = fetch!(
            self,
            fetch_all,
            "SELECT u.id, u.username, d.email, p.mode FROM users u \
             JOIN directory_people d ON d.user_id = u.id \
             LEFT JOIN mail_preferences p ON p.user_id = u.id \
             WHERE NOT u.disabled AND d.email IS NOT NULL AND d.email <> '' ORDER BY u.id",
        );
        rows.into_iter()
            .map(|(id, username, email, mode)| Ok((uid(&id, "users.id")?, username, email, mode)))
            .collect()
    }

    /// The in-app notices written on `day`: `(user, kind, text, written at)`, hotline
    /// and training notices by their kind and corrective-action notices as `capa`.
    pub async fn notices_of_day(
        &self,
        day: &str,
    ) -> Result<Vec<(UserId, String, String, Timestamp)>> {
        let rows: Vec<(String, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT user_id, kind, text, created_at FROM staff_notifications WHERE day = $1 \
             UNION ALL SELECT user_id, 'capa', text, created_at FROM capa_notifications WHERE day = $1 \
             ORDER BY 1, 2",
            day,
        );
        rows.into_iter()
            .map(|(id, kind, text, at)| Ok((uid(&id, "notices.user_id")?, kind, text, from_ms(at))))
            .collect()
    }

    /// A person's mail preference as stored (`None`: never chosen).
    pub async fn mail_preference(&self, user: UserId) -> Result<Option<String>> {
        Ok(scalar!(
            self,
            fetch_optional,
            "SELECT mode FROM mail_preferences WHERE user_id = $1",
            user.to_string(),
        ))
    }

    /// Stores a person's mail preference.
    pub async fn set_mail_preference(
        &self,
        user: UserId,
        mode: &str,
        now: Timestamp,
    ) -> Result<()> {
        execute!(
            self,
            "INSERT INTO mail_preferences (user_id, mode, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at",
            user.to_string(),
            mode,
            ms(now),
        );
        Ok(())
    }
}
