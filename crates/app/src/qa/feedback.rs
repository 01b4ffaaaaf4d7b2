//! Customer feedback: minting single-use survey links, storing a customer's answer and
//! summing the answers per team and agent; and the survey of one interaction as its
//! pages show it.
//!
//! The token is 32 random bytes; only its SHA-256 is stored, so the minted token is
//! returned once and never again. Answering consumes the link in the same statement that
//! stores the answer. The public form, its rate limits and CSRF are the web shell's.

use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::feedback::{self as fb, token_hash, Answer, LinkState, NpsGroup, Tally};
use righttrack_core::Secret;
use righttrack_store::feedback::{AgentTally, FeedbackFilter, FeedbackLink, FeedbackRecord, Mint};
use serde_json::json;
use std::collections::BTreeMap;

/// A freshly minted survey link: the token (its only copy) and when it expires.
#[derive(Debug)]
pub struct Minted {
    pub token: Secret<String>,
    pub expires: jiff::Timestamp,
}

/// Mints the survey link of interaction `id` for `feedback_link_days`, replacing an
/// unanswered one; audited. An answered interaction is a conflict (links are single-use).
pub async fn mint(ctx: &Ctx, actor: &Caller, id: &str) -> Result<Minted> {
    let token = fb::new_token(&mut rand::rngs::OsRng);
    let now = ctx.now();
    let days = ctx.config.feedback_link_days.max(1);
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
        .map_err(|e| Error::internal(&e))?;
    match ctx
        .db
        .mint_feedback_link(
            id,
            &token_hash(token.expose()),
            now,
            expires,
            &mut rand::rngs::OsRng,
        )
        .await?
    {
        Mint::UnknownInteraction => Err(Error::new(
            Kind::NotFound,
            "path parameter `id`: no interaction with this id",
        )),
        Mint::Answered => Err(Error::new(
            Kind::Conflict,
            "path parameter `id`: the customer already answered this interaction's survey; links are single-use",
        )),
        Mint::Minted => {
            ctx.audit(
                &actor.actor(),
                "feedback.link_created",
                id,
                json!({"expires_at": expires.to_string()}),
            )
            .await?;
            Ok(Minted { token, expires })
        }
    }
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Stored,
    /// The link closed meanwhile (answered in another tab, or expired while the form
    /// was open): how it stands now.
    Closed(LinkState),
    /// The link is gone.
    Unknown,
}

/// Stores the customer's checked `answer` through link `token` of `interaction`: the
/// comment is scrubbed and screened (on the blocking pool), the link consumed in the same
/// statement, and the answer audited as the customer's.
pub async fn answer(ctx: &Ctx, token: &str, interaction: &str, answer: Answer) -> Result<Answered> {
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let comment = answer.comment.clone();
    let screened =
        tokio::task::spawn_blocking(move || comment.map(|c| fb::screen_comment(&engine, &c)))
            .await
            .map_err(|e| Error::internal(&e))?;
    let hash = token_hash(token);
    let now = ctx.now();
    let stored = ctx
        .db
        .answer_feedback(
            &hash,
            answer.csat,
            answer.nps,
            screened.as_ref().map(|s| s.text.as_str()),
            screened.as_ref().is_some_and(|s| s.flagged),
            now,
        )
        .await?;
    if !stored {
        return Ok(match ctx.db.feedback_link(&hash).await? {
            Some(l) => Answered::Closed(LinkState::of(l.expires_at, l.submitted_at, now)),
            None => Answered::Unknown,
        });
    }
    ctx.audit(
        "customer",
        "feedback.answered",
        interaction,
        json!({"csat": answer.csat, "nps": answer.nps, "comment_flagged": screened.is_some_and(|s| s.flagged)}),
    )
    .await?;
    Ok(Answered::Stored)
}

/// The answers matching `filter`, summed: overall, per team (by team reference, `""`
/// for agents without a team) and per agent.
pub struct Tallies {
    pub overall: Tally,
    pub teams: Vec<(String, Tally)>,
    pub agents: Vec<AgentTally>,
}

/// Sums the feedback matching `filter` per agent, team and overall.
pub async fn tallies(ctx: &Ctx, filter: &FeedbackFilter) -> Result<Tallies> {
    let agents = ctx.db.feedback_tallies(filter).await?;
    let mut overall = Tally::default();
    let mut teams: BTreeMap<String, Tally> = BTreeMap::new();
    for a in &agents {
        overall.add(&a.tally);
        teams
            .entry(a.team_ref.clone().unwrap_or_default())
            .or_default()
            .add(&a.tally);
    }
    Ok(Tallies {
        overall,
        teams: teams.into_iter().collect(),
        agents,
    })
}

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

/// The link a customer's token names, if the token is plausible and known (expired and
/// answered ones included: the caller words each state).
pub async fn link(ctx: &Ctx, token: &str) -> Result<Option<FeedbackLink>> {
    if !fb::plausible_token(token) {
        return Ok(None);
    }
    Ok(ctx.db.feedback_link(&token_hash(token)).await?)
}

/// The feedback report: the sums, and at most `limit` answers (only those with a
/// comment when `comments_only`), newest first.
pub async fn report(
    ctx: &Ctx,
    filter: &FeedbackFilter,
    comments_only: bool,
    limit: i64,
) -> Result<(Tallies, Vec<FeedbackRecord>)> {
    let t = tallies(ctx, filter).await?;
    let answers = ctx
        .db
        .feedback_answers(filter, comments_only, limit)
        .await?;
    Ok((t, answers))
}
