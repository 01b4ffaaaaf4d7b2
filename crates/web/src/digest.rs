//! The day's staff notifications, as the server's timer and `righttrack` run them: the
//! hotline's content-free line (`righttrack_app::jobs::digest`) and the conflicts of
//! interest's (`righttrack_app::program::conflicts::notify`).
//!
//! Only the joining is here: the hotline's job and the conflicts' notices (both use cases)
//! are run together; neither names a case, a category or a count.

use crate::error::AppResult;
use crate::state::AppState;
use jiff::Timestamp;

pub use righttrack_app::jobs::digest::TEXT;
/// The day a notification belongs to (UTC); core's one day formatter.
pub use righttrack_core::clock::day as day_of;

/// Writes today's notifications (once a day per person; later runs the same day add
/// nothing). Returns how many were new.
pub async fn run(state: &AppState, now: Timestamp) -> AppResult<usize> {
    let mut new = righttrack_app::jobs::digest::hotline(state, now).await?;
    new += righttrack_app::program::conflicts::notify(state, now).await?;
    Ok(new)
}
