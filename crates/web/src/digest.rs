//! Staff notifications that leak nothing: one content-free line a day for each person
//! with hotline work waiting, and nothing else.
//!
//! **Invariant:** a notification names no case, no category, no count and no time finer
//! than the day: "There is hotline work waiting for you", shown on the home page and
//! available to an external mailer through `righttrack speakup digest --day`. Whoever
//! reads the mailbox or the notifications table learns only that, on that day, some case
//! needed this person; the daily cadence hides when anything happened.
//!
//! Conflicts of interest add their own line through the same table
//! (`righttrack_app::program::conflicts::notify`, called at the end of [`run`]).

use crate::error::AppResult;
use crate::state::AppState;
use jiff::Timestamp;

/// The one text of a notification.
pub const TEXT: &str = "There is hotline work waiting for you. Sign in to RightTrack to see it.";

/// The day a notification belongs to (UTC).
pub fn day_of(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// Writes today's notification for everyone with hotline work waiting (once a day per
/// person; later runs the same day add nothing). Returns how many were new.
pub async fn run(state: &AppState, now: Timestamp) -> AppResult<usize> {
    let day = day_of(now);
    let mut new = 0;
    for user in state.db.users_with_case_work(now).await? {
        if state.db.put_notification(user, &day, TEXT, now).await? {
            new += 1;
        }
    }
    new += righttrack_app::program::conflicts::notify(state, now).await?;
    Ok(new)
}
