//! E-mail: turning the in-app notices into queued messages, and sending the queue over
//! SMTP with retries.
//!
//! Mail hangs off the notices, in one place: every feature writes its content-free
//! notice as before, and [`enqueue`] (a step of the ten-minute sweep) turns the day's
//! notices into outbox rows for the people with an address in the directory, by their
//! preference (`righttrack_core::mail::delivery`). Nobody without an address, and nothing
//! at all when mail is not configured, is queued; the in-app notices stay either way.
//!
//! [`deliver`] sends what is due. A row leaves the queue only when the SMTP server
//! accepts it; a failure records its kind and the next try (`core::mail::backoff`), so an
//! outage delays mail and loses none. Messages are sealed at rest (recipient, subject
//! and body together) and the log gets counts only.
//!
//! The hotline's line is mailed at one fixed time a day (`core::mail::slot`), once per
//! person and day, with a constant subject, body and `Date` header: when it leaves says
//! nothing about when a case moved.

use crate::{Ctx, Error, Result};
use jiff::{SignedDuration, Timestamp};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use righttrack_core::clock::day;
use righttrack_core::ids::UserId;
use righttrack_core::mail::{self as rules, Delivery, Message, Preference, Source};
use righttrack_core::Secret;
use righttrack_store::mail::NewMail;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The sealing purpose of outbox rows.
const PURPOSE: &str = "mail";
/// Messages sent per round; the rest wait for the next round (a minute later).
const BATCH: i64 = 50;
/// Sent rows are kept this long (the administrators' page counts them), then deleted.
const KEEP_SENT: SignedDuration = SignedDuration::from_hours(24 * 7);
/// How long one SMTP conversation may take before it counts as failed.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only for a relay on the same machine (usually port 25), never with
    /// a password.
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }

    /// The port when none is configured.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// The SMTP server and the sender's address. The password is a [`Secret`]: its `Debug`
/// prints nothing, and it is never logged or shown.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
    /// The `From` address, e.g. `RightTrack <righttrack@example.com>`.
    pub from: String,
}

impl MailConfig {
    /// Checks what can be checked before any connection; the error names the setting.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.host.trim().is_empty() {
            return Err("`mail_host` is empty".into());
        }
        if self.from.parse::<Mailbox>().is_err() {
            return Err(format!("`mail_from` is not an address: {:?}", self.from));
        }
        if self.username.is_some() != self.password.is_some() {
            return Err("`mail_username` and `mail_password_file` go together".into());
        }
        if self.security == Security::None && self.password.is_some() {
            return Err(
                "`mail_security = \"none\"` would send the password in the clear; use \"starttls\" or \"tls\""
                    .into(),
            );
        }
        Ok(())
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
        let builder = match self.security {
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host),
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host),
            Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                self.host.as_str(),
            )),
        }
        .map_err(|e| Error::internal(&e))?;
        let mut builder = builder.port(self.port).timeout(Some(SMTP_TIMEOUT));
        if let (Some(u), Some(p)) = (&self.username, &self.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.expose().clone()));
        }
        Ok(builder.build())
    }
}

/// What one round of [`deliver`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Tries that failed and will be tried again.
    pub deferred: usize,
    /// Messages given up on this round.
    pub failed: usize,
}

/// Seals `msg` and queues it under `key` unless that key is queued already. Returns
/// whether it is new.
pub async fn queue(
    ctx: &Ctx,
    user: Option<UserId>,
    key: &str,
    msg: &Message,
    now: Timestamp,
) -> Result<bool> {
    let plain = serde_json::to_vec(msg).map_err(|e| Error::internal(&e))?;
    let sealed = ctx.seal(PURPOSE, &plain).map_err(|e| Error::internal(&e))?;
    let id = random_id();
    Ok(ctx
        .db
        .queue_mail(
            &NewMail {
                id,
                dedup_key: key,
                user,
                sealed,
            },
            now,
        )
        .await?)
}

/// A short fingerprint of a notice's text, so that a changed notice (a longer list of
/// policies to attest) is a new message while the same one is not.
fn fingerprint(text: &str) -> String {
    let h = Sha256::digest(text.as_bytes());
    h[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// A person mail reaches.
struct Addressee {
    email: String,
    pref: Preference,
}

/// Turns notices into queued mail (see the module documentation). Returns how many
/// messages were queued. Does nothing when mail is not configured.
pub async fn enqueue(ctx: &Ctx, now: Timestamp) -> Result<usize> {
    if ctx.config.mail.is_none() {
        return Ok(0);
    }
    let url = ctx.config.public_url.as_deref();
    let mut people: BTreeMap<UserId, Addressee> = BTreeMap::new();
    let mut by_name: BTreeMap<String, UserId> = BTreeMap::new();
    for (id, username, email, mode) in ctx.db.mail_addressees().await? {
        let pref = mode
            .as_deref()
            .and_then(Preference::parse)
            .unwrap_or_default();
        by_name.insert(username, id);
        people.insert(id, Addressee { email, pref });
    }
    if people.is_empty() {
        return Ok(0);
    }
    let today = day(now);
    let mut queued = 0;
    // Each notice as it comes, for those who want it so (and mandatory ones for all).
    for (u, kind, text, _) in notices(ctx, &today, &by_name).await? {
        let Some(p) = people.get(&u) else { continue };
        let source = Source::of_kind(&kind);
        if source == Source::Work || rules::delivery(source, p.pref) != Delivery::Now {
            continue;
        }
        let key = format!("notice:{today}:{u}:{kind}:{}", fingerprint(&text));
        if queue(
            ctx,
            Some(u),
            &key,
            &rules::notice(&p.email, &text, url),
            now,
        )
        .await?
        {
            queued += 1;
        }
    }
    // The hotline's line and the digests leave at the day's fixed time.
    let Some(slot) = rules::slot(now) else {
        return Ok(queued);
    };
    let yesterday = day(slot - SignedDuration::from_hours(24));
    let mut digests: BTreeMap<UserId, Vec<String>> = BTreeMap::new();
    let mut work: Vec<UserId> = Vec::new();
    for (u, kind, text, at) in notices(ctx, &yesterday, &by_name).await? {
        let Some(p) = people.get(&u) else { continue };
        let source = Source::of_kind(&kind);
        // Yesterday's line written before yesterday's slot went out yesterday.
        if source == Source::Work && at.is_none_or(|at| at > slot - SignedDuration::from_hours(24))
        {
            work.push(u);
        } else if source != Source::Work && rules::delivery(source, p.pref) == Delivery::InDigest {
            digests.entry(u).or_default().push(text);
        }
    }
    // Today's line counts once written before today's slot; a later one waits for
    // tomorrow's (above), so the hour of sending never follows a case.
    for (u, kind, _, at) in notices(ctx, &today, &by_name).await? {
        if Source::of_kind(&kind) == Source::Work && at.is_none_or(|at| at <= slot) {
            work.push(u);
        }
    }
    work.sort();
    work.dedup();
    for u in work {
        let Some(p) = people.get(&u) else { continue };
        let key = format!("work:{today}:{u}");
        if queue(ctx, Some(u), &key, &rules::work(&p.email, slot, url), now).await? {
            queued += 1;
        }
    }
    for (u, texts) in digests {
        let Some(p) = people.get(&u) else { continue };
        let key = format!("digest:{yesterday}:{u}");
        let msg = rules::digest(&p.email, &yesterday, &texts, url);
        if queue(ctx, Some(u), &key, &msg, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The notices of `day` from every source: `(user, kind, text, written at)`; the policy
/// reminders (one line per recipient and kind) have no time of their own.
async fn notices(
    ctx: &Ctx,
    day: &str,
    by_name: &BTreeMap<String, UserId>,
) -> Result<Vec<(UserId, String, String, Option<Timestamp>)>> {
    let mut out: Vec<_> = ctx
        .db
        .notices_of_day(day)
        .await?
        .into_iter()
        .map(|(u, kind, text, at)| (u, kind, text, Some(at)))
        .collect();
    for (username, text) in crate::program::policies::digest_lines(ctx, day).await? {
        if let Some(u) = by_name.get(&username) {
            out.push((*u, "policy".to_owned(), text, None));
        }
    }
    Ok(out)
}

/// The kind of an SMTP failure, in words for the administrators' page: never the
/// server's text, which may quote an address.
fn failure_kind(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        format!("the server refused the message (code {code})")
    } else if e.is_timeout() {
        "the server did not answer in time".into()
    } else if e.is_tls() {
        "the secure connection failed".into()
    } else {
        "could not connect to the server".into()
    }
}

/// Sends what is due (see the module documentation). Does nothing when mail is not
/// configured.
pub async fn deliver(ctx: &Ctx, now: Timestamp) -> Result<Delivered> {
    let mut out = Delivered::default();
    let Some(cfg) = &ctx.config.mail else {
        return Ok(out);
    };
    let due = ctx.db.due_mail(now, BATCH).await?;
    if due.is_empty() {
        return Ok(out);
    }
    let transport = cfg.transport()?;
    let from: Mailbox = cfg
        .from
        .parse()
        .map_err(|_| Error::unprocessable("The sender address is not an address.").on("From"))?;
    let domain = from.email.domain().to_owned();
    for m in due {
        let attempts = m.attempts + 1;
        let give_up = (now.duration_since(m.created_at) >= rules::GIVE_UP_AFTER).then_some(now);
        let next = now + rules::backoff(attempts);
        let msg = match ctx
            .open(PURPOSE, &m.sealed)
            .ok()
            .and_then(|p| serde_json::from_slice::<Message>(&p).ok())
        {
            Some(msg) => msg,
            None => {
                ctx.db
                    .mail_attempt_failed(&m.id, "the message cannot be opened", next, Some(now))
                    .await?;
                out.failed += 1;
                continue;
            }
        };
        let Ok(to) = msg.to.parse::<Mailbox>() else {
            ctx.db
                .mail_attempt_failed(
                    &m.id,
                    "the recipient's address is not valid",
                    next,
                    Some(now),
                )
                .await?;
            out.failed += 1;
            continue;
        };
        let built = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(msg.subject.as_str())
            .date(msg.date.unwrap_or(now).into())
            .message_id(Some(format!("<{}@{domain}>", random_id())))
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone());
        let email = match built {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "a queued message cannot be built");
                ctx.db
                    .mail_attempt_failed(&m.id, "the message cannot be built", next, Some(now))
                    .await?;
                out.failed += 1;
                continue;
            }
        };
        match transport.send(email).await {
            Ok(_) => {
                ctx.db.mail_sent(&m.id, now).await?;
                out.sent += 1;
            }
            Err(e) => {
                let kind = failure_kind(&e);
                ctx.db
                    .mail_attempt_failed(&m.id, &kind, next, give_up)
                    .await?;
                if give_up.is_some() {
                    out.failed += 1;
                } else {
                    out.deferred += 1;
                }
                // Without a server, the rest of the batch would fail the same way: each
                // keeps its turn and none gains an attempt it did not make.
                if e.status().is_none() {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// 128 random bits in hex: outbox ids and `Message-ID`s, which must not tell the time
/// (a UUIDv7 would).
pub(crate) fn random_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One round of the server's mail loop (every minute): send what is due, forget what was
/// sent long ago. Queuing is the sweep's ([`enqueue`]). Failures are logged, counts and
/// kinds only.
pub async fn send_due(ctx: &Ctx, now: Timestamp) {
    if ctx.config.mail.is_none() {
        return;
    }
    match deliver(ctx, now).await {
        Ok(d) if d == Delivered::default() => {}
        Ok(d) => tracing::info!(
            sent = d.sent,
            deferred = d.deferred,
            failed = d.failed,
            "mail delivery"
        ),
        Err(e) => tracing::warn!(error = %e.message, "mail delivery failed"),
    }
    if let Err(e) = ctx.db.purge_sent_mail(now - KEEP_SENT).await {
        tracing::warn!(error = %e, "purging sent mail failed");
    }
}
