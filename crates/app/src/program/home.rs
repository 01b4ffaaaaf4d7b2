//! The home page's notices: what the program's parts left for the person signing in.
//!
//! Notices are content-free; the page lists them with a link and never acts on them.

use crate::{Caller, Ctx, Result};

/// The notices waiting for one person.
pub struct Home {
    /// Training and digest notices, "day: text", each with where it leads.
    pub notices: Vec<(String, &'static str)>,
    /// Overdue notices of corrective actions.
    pub capa_notices: Vec<String>,
    /// Policy attestations waiting (and, for leads, their team's overdue ones).
    pub policy_lines: Vec<(String, &'static str)>,
}

/// The caller's notices; those shown once are marked seen.
pub async fn view(ctx: &Ctx, caller: &Caller) -> Result<Home> {
    // Content-free notifications (`digest`): shown once, then marked seen.
    let notices = ctx.db.unseen_notifications(caller.user.id).await?;
    if !notices.is_empty() {
        ctx.db
            .mark_notifications_seen(caller.user.id, ctx.now())
            .await?;
    }
    Ok(Home {
        notices: notices
            .into_iter()
            .map(|(day, text)| {
                let href = crate::program::training::notice_link(&text);
                (format!("{day}: {text}"), href)
            })
            .collect(),
        capa_notices: crate::program::capa::take_notices(ctx, caller).await?,
        policy_lines: crate::program::policies::home_lines(ctx, &caller.user, ctx.now()).await?,
    })
}
