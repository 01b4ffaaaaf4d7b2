//! Staff notifications that leak nothing: one content-free line a day for each person
//! with hotline work waiting, and nothing else.
//!
//! **Invariant:** a notification names no case, no category, no count and no time finer
//! than the day: "There is hotline work waiting for you", shown on the home page and
//! available to an external mailer through `righttrack speakup digest --day`. Whoever
//! reads the mailbox or the notifications table learns only that, on that day, some case
//! needed this person; the daily cadence hides when anything happened.
//!
//! Conflicts of interest add their own line through the same table: the day's [`run`]
//! is [`hotline`] followed by `program::conflicts::notify`. The server's timer and
//! `righttrack speakup digest` both call [`run`].

use crate::{Ctx, Result};
use jiff::Timestamp;

/// The one text of a notification.
pub const TEXT: &str = "There is hotline work waiting for you. Sign in to RightTrack to see it.";

/// Writes today's notification for everyone with hotline work waiting (once a day per
/// person; later runs the same day add nothing). Returns how many were new.
pub async fn hotline(ctx: &Ctx, now: Timestamp) -> Result<usize> {
    let day = righttrack_core::clock::day(now);
    let mut new = 0;
    for user in ctx.db.users_with_case_work(now).await? {
        if ctx.db.put_notification(user, &day, TEXT, now).await? {
            new += 1;
        }
    }
    Ok(new)
}

/// The day's staff notifications: the hotline's line and the conflicts of interest's
/// (once a day per person; later runs the same day add nothing). Returns how many were new.
pub async fn run(ctx: &Ctx, now: Timestamp) -> Result<usize> {
    let mut new = hotline(ctx, now).await?;
    new += crate::program::conflicts::notify(ctx, now).await?;
    Ok(new)
}

/// The staff notifications of `day` as (username, text) lines for an external mailer;
/// when `day` is today, the day's notifications and training reminders are written first
/// (as the server's timer would).
pub async fn of_day(ctx: &Ctx, day: &str, now: Timestamp) -> Result<Vec<(String, String)>> {
    if day == righttrack_core::clock::day(now) {
        run(ctx, now).await?;
        crate::program::training::remind(ctx, now).await?;
    }
    Ok(ctx.db.notifications_of_day(day).await?)
}

/// The policy attestation reminders and escalations of `day` as (username, text) lines;
/// when `day` is today, today's are sent first (as the server's timer would).
pub async fn policies_of_day(
    ctx: &Ctx,
    day: &str,
    now: Timestamp,
) -> Result<Vec<(String, String)>> {
    if day == righttrack_core::clock::day(now) {
        crate::program::policies::remind(ctx, now).await?;
    }
    crate::program::policies::digest_lines(ctx, day).await
}
