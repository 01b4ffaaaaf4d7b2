//! Recognition: kudos between colleagues, with the recipient's consent.
//!
//! `core::kudos` holds the rules and the invariant that kudos are never linked to hotline
//! data. The message is checked and scrubbed of personal data before it is stored; the
//! audit trail records who gave what value to whom, never the message. Only the recipient
//! changes a kudos' visibility: the store matches the id and the recipient together, so
//! anyone else gets "not found", as for a kudos that does not exist.

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::kudos::{check_message, Visibility};
use righttrack_store::kudos::Kudos;
use serde_json::json;

/// Gives a kudos from `caller` to `recipient` for `value`. Audited.
pub async fn give(
    ctx: &Ctx,
    caller: &Caller,
    recipient: &str,
    value: &str,
    message: &str,
) -> Result<String> {
    let users = ctx.db.list_users().await?;
    let Some(to) = users
        .iter()
        .find(|u| u.username == recipient.trim() && !u.disabled)
    else {
        return Err(Error::unprocessable("field `recipient`: no such person"));
    };
    if to.id == caller.user.id {
        return Err(Error::unprocessable(
            "field `recipient`: kudos are for someone else",
        ));
    }
    if !ctx.db.conduct_values().await?.iter().any(|v| v == value) {
        return Err(Error::unprocessable(
            "field `value`: choose a value of the code of ethics",
        ));
    }
    let message =
        check_message(message).map_err(|e| crate::program::unprocessable("message", e))?;
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let message = righttrack_core::interactions::scrub(&engine, message);
    let id = ctx
        .db
        .give_kudos(
            &caller.user.username,
            &to.username,
            value,
            &message,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &caller.actor(),
        "kudos.given",
        &id,
        json!({"recipient": to.id.to_string(), "value": value}),
    )
    .await?;
    Ok(id)
}

/// The recipient shows (`visible`) or hides (`hidden`) a kudos. Audited.
pub async fn set_visibility(ctx: &Ctx, caller: &Caller, id: &str, v: &str) -> Result<()> {
    let v = match Visibility::parse(v.trim()) {
        Some(v @ (Visibility::Visible | Visibility::Hidden)) => v,
        _ => {
            return Err(Error::unprocessable(
                "field `visibility`: expected visible or hidden",
            ))
        }
    };
    if !ctx
        .db
        .set_kudos_visibility(id, &caller.user.username, v, ctx.now())
        .await?
    {
        return Err(Error::not_found());
    }
    ctx.audit(
        &caller.actor(),
        if v == Visibility::Visible {
            "kudos.consented"
        } else {
            "kudos.hidden"
        },
        id,
        json!({}),
    )
    .await?;
    Ok(())
}

/// The caller's team mates' usernames (themselves included).
pub async fn team_of(ctx: &Ctx, caller: &Caller) -> Result<Vec<String>> {
    let Some(team) = caller.user.team_id else {
        return Ok(vec![caller.user.username.clone()]);
    };
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.team_id == Some(team))
        .map(|u| u.username)
        .collect())
}

/// Adds a value of the code of ethics (once; adding it again changes nothing). Audited.
pub async fn add_value(ctx: &Ctx, caller: &Caller, name: &str) -> Result<()> {
    let name = crate::program::text("name", name, 100)?;
    if ctx.db.add_conduct_value(&name, ctx.now()).await? {
        ctx.audit(&caller.actor(), "kudos.value_added", &name, json!({}))
            .await?;
    }
    Ok(())
}

/// The kudos `caller` received and gave, and their team's consented ones.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mine {
    pub received: Vec<Kudos>,
    pub given: Vec<Kudos>,
    pub team: Vec<Kudos>,
}

/// What `caller` received and gave, and what their team consented to show.
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<Mine> {
    let me = &caller.user.username;
    Ok(Mine {
        received: ctx.db.kudos_received(me).await?,
        given: ctx.db.kudos_given(me).await?,
        team: ctx
            .db
            .kudos_visible_to_team(&team_of(ctx, caller).await?)
            .await?,
    })
}

/// The kudos page: whom `caller` may thank, the values to choose from, and [`Mine`].
#[derive(Debug, Clone)]
pub struct Board {
    pub colleagues: Vec<(String, String)>,
    pub values: Vec<String>,
    pub mine: Mine,
}

/// What the kudos page shows `caller`.
pub async fn board(ctx: &Ctx, caller: &Caller) -> Result<Board> {
    Ok(Board {
        colleagues: super::colleagues(ctx, caller).await?,
        values: ctx.db.conduct_values().await?,
        mine: mine(ctx, caller).await?,
    })
}
