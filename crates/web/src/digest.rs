//! The day's staff notifications, as the server's timer and `righttrack` run them: the
//! hotline's content-free line (`righttrack_app::jobs::digest`) and the conflicts of
//! interest's (`crate::conflicts::notify`).
//!
//! Only the joining is here: it ends when the conflicts' notices are an app use case,
//! and `righttrack_app::jobs::digest::run` does both.

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
    new += crate::conflicts::notify(state, now).await?;
    Ok(new)
}
