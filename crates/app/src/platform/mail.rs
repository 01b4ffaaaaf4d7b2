//! E-mail from a person's and an administrator's side: one's own preference, the
//! outbox at a glance, a test message, queuing given-up messages again. Queuing notices
//! and sending are jobs (`crate::jobs::mail`).

use crate::jobs::mail::{self as job, Security};
use crate::{Caller, Ctx, Error, Result};
use righttrack_core::mail::{self as rules, Preference};
use righttrack_store::mail::MailStatus;
use serde_json::json;

/// One's preference and whether mail can reach one at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MyMail {
    pub preference: &'static str,
    /// Mail is configured and the directory has an address for this person.
    pub reachable: bool,
}

/// The caller's mail preference.
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<MyMail> {
    let pref = ctx
        .db
        .mail_preference(caller.user.id)
        .await?
        .as_deref()
        .and_then(Preference::parse)
        .unwrap_or_default();
    let reachable = ctx.config.mail.is_some()
        && ctx
            .db
            .mail_addressees()
            .await?
            .iter()
            .any(|(id, ..)| *id == caller.user.id);
    Ok(MyMail {
        preference: pref.as_str(),
        reachable,
    })
}

/// Sets the caller's preference; an unknown value is unprocessable on `E-mail`.
pub async fn set_mine(ctx: &Ctx, caller: &Caller, value: &str) -> Result<Preference> {
    let pref = Preference::parse(value).ok_or_else(|| {
        Error::unprocessable("E-mail: choose each notice, one summary a day, or off.").on("E-mail")
    })?;
    ctx.db
        .set_mail_preference(caller.user.id, pref.as_str(), ctx.now())
        .await?;
    ctx.audit(
        &caller.user.username,
        "mail.preference_set",
        &caller.user.id.to_string(),
        json!({"preference": pref.as_str()}),
    )
    .await?;
    Ok(pref)
}

/// The mail settings as an administrator may see them: never the password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub security: &'static str,
    pub username: Option<String>,
    pub from: String,
}

/// The settings (`None`: mail is off) and the outbox at a glance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Overview {
    pub settings: Option<Settings>,
    pub queue: MailStatus,
}

pub async fn overview(ctx: &Ctx) -> Result<Overview> {
    let settings = ctx.config.mail.as_ref().map(|m| Settings {
        host: m.host.clone(),
        port: m.port,
        security: match m.security {
            Security::StartTls => "STARTTLS",
            Security::Tls => "TLS",
            Security::None => "none (a relay on this machine)",
        },
        username: m.username.clone(),
        from: m.from.clone(),
    });
    Ok(Overview {
        settings,
        queue: ctx.db.mail_status(ctx.now()).await?,
    })
}

/// What happened to a test message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TestOutcome {
    /// The server accepted it.
    pub sent: bool,
    /// Why not (the kind of failure); it stays queued and is retried like any message.
    pub error: Option<String>,
}

/// Queues a test message to `to` and tries to send what is due at once. Unprocessable on
/// `Send to` for an implausible address, and when mail is not configured.
pub async fn send_test(ctx: &Ctx, actor: &str, to: &str) -> Result<TestOutcome> {
    let to = to.trim();
    if ctx.config.mail.is_none() {
        return Err(Error::unprocessable(
            "Send to: mail is not set up; add the mail settings to the configuration file first.",
        )
        .on("Send to"));
    }
    if !rules::plausible_address(to) {
        return Err(Error::unprocessable(
            "Send to: enter an e-mail address such as ann@example.com.",
        )
        .on("Send to"));
    }
    let now = ctx.now();
    let key = format!("test:{}", job::random_id());
    job::queue(
        ctx,
        None,
        &key,
        &rules::test(to, ctx.config.public_url.as_deref()),
        now,
    )
    .await?;
    ctx.audit(actor, "mail.test_queued", "mail", json!({}))
        .await?;
    job::deliver(ctx, now).await?;
    let state = ctx.db.mail_state(&key).await?;
    Ok(TestOutcome {
        sent: state.as_ref().is_some_and(|s| s.0),
        error: state.and_then(|s| s.1),
    })
}

/// Queues every given-up message again. Returns how many.
pub async fn retry_failed(ctx: &Ctx, actor: &str) -> Result<u64> {
    let n = ctx.db.requeue_failed_mail(ctx.now()).await?;
    ctx.audit(actor, "mail.requeued", "mail", json!({"messages": n}))
        .await?;
    Ok(n)
}
