//! Customer feedback as the QA capability reads it: the survey of one interaction.
//!
//! The survey links, the public form and the team report stay with the web feature for
//! now; what the interaction pages show about a survey is here so that they need not
//! reach into the feedback pages.

use crate::{Ctx, Result};
use righttrack_core::feedback::NpsGroup;

/// The survey of one interaction, for its QA page and the agent's own view.
pub struct FeedbackView {
    /// "Answered on …", "Sent on …, open until …", "Sent on …, expired unanswered".
    pub status: String,
    pub answered: bool,
    pub csat: i64,
    pub nps: i64,
    pub nps_group: &'static str,
    pub comment: Option<String>,
    pub flagged: bool,
}

/// The survey of interaction `ext_id` as its pages show it; `None` when none was sent.
pub async fn view_for(ctx: &Ctx, ext_id: &str) -> Result<Option<FeedbackView>> {
    let Some(r) = ctx.db.feedback_for(ext_id).await? else {
        return Ok(None);
    };
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let status = match (r.submitted_at, r.expires_at > ctx.now()) {
        (Some(t), _) => format!("Answered on {}.", day(t)),
        (None, true) => format!(
            "Survey sent on {}; open until {}.",
            day(r.minted_at),
            day(r.expires_at)
        ),
        (None, false) => format!(
            "Survey sent on {}; it expired unanswered on {}.",
            day(r.minted_at),
            day(r.expires_at)
        ),
    };
    Ok(Some(FeedbackView {
        status,
        answered: r.submitted_at.is_some(),
        csat: r.csat.unwrap_or_default(),
        nps: r.nps.unwrap_or_default(),
        nps_group: r
            .nps
            .and_then(|n| u8::try_from(n).ok())
            .map_or("", |n| NpsGroup::of(n).as_str()),
        comment: r.comment,
        flagged: r.comment_flagged,
    }))
}
