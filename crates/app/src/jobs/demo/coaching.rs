//! Demo coaching and upward feedback, with a story. Lena (the demo team lead) coached
//! Alex (the demo agent) two months ago on a call where he guaranteed a refund date:
//! one goal was met at its follow-up, the other's date has passed and its follow-up is
//! waiting on Lena's page; Alex acknowledged the session and answered that the refund
//! script makes it easy to over-promise. Three days ago she coached another agent, who
//! has not answered yet. Last quarter seven of her agents rated her: her coaching is
//! rated well, her fairness less so, which her upward feedback page shows her; a lead
//! of another site was rated by three people only, so nothing is shown for him.
//!
//! Sessions and ratings are backdated, so they are written with the store calls the use
//! cases make (texts sealed the same way) rather than through the use cases, which
//! stamp the present.

use super::broken;
use super::days_ago;
use crate::program::coaching::PURPOSE;
use crate::{Ctx, Result};
use jiff::civil::Date;
use jiff::Timestamp;
use righttrack_core::coaching::{Outcome, Rating, Round};
use righttrack_core::Role;
use righttrack_store::coaching::NewSession;
use righttrack_store::directory::User;
use righttrack_store::interactions::InteractionFilter;
use serde_json::json;

fn seal(ctx: &Ctx, s: &str) -> Result<Vec<u8>> {
    ctx.seal(PURPOSE, s.as_bytes()).map_err(broken)
}

fn date(t: Timestamp) -> Date {
    t.to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// A session held `ago` days back, its goals due `due` days after `now` (negative: past).
#[expect(
    clippy::too_many_arguments,
    reason = "one demo call per session reads best with its story's words inline"
)]
async fn session(
    ctx: &Ctx,
    lead: &User,
    agent: &str,
    interaction: Option<String>,
    item: &str,
    ago: i64,
    feedback: &str,
    goals: &[(&str, i64)],
) -> Result<String> {
    let now = ctx.now();
    let mut sealed = Vec::new();
    for (g, due) in goals {
        let on = if *due < 0 {
            days_ago(now, -due)
        } else {
            days_ago(now, 0)
                .checked_add(jiff::SignedDuration::from_hours(24 * due))
                .unwrap_or(now)
        };
        sealed.push((seal(ctx, g)?, date(on)));
    }
    let id = ctx
        .db
        .create_coaching_session(
            &NewSession {
                agent: agent.to_owned(),
                lead: lead.username.clone(),
                item: Some(item.to_owned()),
                interaction: interaction.clone(),
                feedback: seal(ctx, feedback)?,
                goals: sealed,
                held_at: days_ago(now, ago),
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &lead.id.to_string(),
        "coaching.recorded",
        &id,
        json!({"agent": agent, "interaction": interaction, "item": item, "goals": goals.len()}),
    )
    .await?;
    Ok(id)
}

/// Seeds the story; a no-op when the demo's lead or agent is missing.
pub async fn seed(ctx: &Ctx) -> Result<()> {
    let users = ctx.db.list_users().await?;
    let find = |n: &str| users.iter().find(|u| u.username == n).cloned();
    let (Some(lena), Some(alex)) = (find("lead"), find("agent")) else {
        return Ok(());
    };
    let now = ctx.now();
    let line = crate::program::conflicts::reporting_line(ctx, lena.id).await?;

    // The call Alex was coached on: his latest guarantee from before the session.
    let call = ctx
        .db
        .list_interactions(&InteractionFilter {
            flagged_only: false,
            agent_ref: Some(alex.username.clone()),
            agent_refs: None,
            team_ref: None,
            rule: Some("honesty.guarantee".into()),
            min_severity: None,
            from: None,
            to: Some(days_ago(now, 60)),
            before: None,
            limit: 1,
        })
        .await?
        .into_iter()
        .next()
        .map(|i| i.ext_id);
    let first = session(
        ctx,
        &lena,
        &alex.username,
        call,
        "honesty",
        60,
        "On this call you guaranteed the refund would arrive by Friday. The bank decides \
         that, not us: tell the customer what we know, what we will do and when we will \
         call back.",
        &[
            (
                "Listen to two refund calls with a colleague who handles them well",
                -30,
            ),
            (
                "Offer a dated callback instead of a guarantee on every refund call",
                -5,
            ),
        ],
    )
    .await?;
    ctx.db
        .acknowledge_coaching(&first, &alex.username, days_ago(now, 59))
        .await?;
    ctx.db
        .comment_coaching(
            &first,
            &alex.username,
            &seal(
                ctx,
                "Fair. The refund script makes it easy to over-promise; could it say what we \
                 do know instead?",
            )?,
            days_ago(now, 59),
        )
        .await?;
    ctx.db
        .follow_up_goal(
            &first,
            1,
            Outcome::Met,
            Some(&seal(
                ctx,
                "Shadowed two calls; picked up how to explain the bank's timing.",
            )?),
            days_ago(now, 29),
        )
        .await?;

    if let Some(other) = line.iter().find(|a| *a != &alex.username) {
        session(
            ctx,
            &lena,
            other,
            None,
            "recording_notice",
            3,
            "Three of your calls this week started without the recording notice. Say it \
             before anything else, even when the customer is in a hurry.",
            &[("Every call opens with the recording notice", 25)],
        )
        .await?;
    }

    // Last quarter's upward feedback: seven of Lena's agents rated her; a lead of
    // another site was rated by three. Then the quarter is closed, as the sweep does.
    let last = Round::of(now).previous().to_string();
    let lena_ratings = [(5, 4), (4, 2), (5, 5), (4, 3), (4, 2), (5, 4), (3, 3)];
    for (rater, (c, f)) in line.iter().zip(lena_ratings) {
        let Some(u) = find(rater) else { continue };
        ctx.db
            .rate_lead(
                &last,
                &lena.username,
                &u.id.to_string(),
                Rating {
                    coaching: c,
                    fairness: f,
                },
                &mut rand::rngs::OsRng,
            )
            .await?;
    }
    let teams = ctx.db.list_teams().await?;
    let other_lead = users.iter().find(|u| {
        u.id != lena.id
            && u.has(Role::TeamLead)
            && teams.iter().any(|t| t.lead_user_id == Some(u.id))
            && u.username != "lead"
    });
    if let Some(tom) = other_lead {
        let theirs = crate::program::conflicts::reporting_line(ctx, tom.id).await?;
        for rater in theirs.iter().filter(|r| !line.contains(r)).take(3) {
            let Some(u) = find(rater) else { continue };
            ctx.db
                .rate_lead(
                    &last,
                    &tom.username,
                    &u.id.to_string(),
                    Rating {
                        coaching: 2,
                        fairness: 3,
                    },
                    &mut rand::rngs::OsRng,
                )
                .await?;
        }
    }
    ctx.db.close_upward_round(&last, now).await?;
    Ok(())
}
