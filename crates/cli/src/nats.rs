//! NATS JetStream ingestion: the consumer `righttrack serve --nats-url` runs beside the
//! HTTP server, and `righttrack publish`, which feeds the stream from NDJSON files.
//!
//! Every instance of `serve` binds the same durable pull consumer, so JetStream hands
//! each message to one of them (work sharing). Delivery is at least once:
//! **a message is acked only after the transaction that stored it has committed.** A
//! crash before the ack means redelivery after the ack wait (6 s; a live instance marks
//! its batch in progress meanwhile), which is harmless because storage is idempotent on
//! the interaction id. The consumer allows 64 batches unacked, so what a crashed
//! instance held never stops the others pulling (`an_instance_holding_two_batches_*`
//! in `crates/cli/tests/nats.rs`); `serve` brings an older consumer up to these settings. A message that is not an interaction is
//! terminated (never redelivered) and logged with its stream sequence and the field at
//! fault, never its content (it may hold a card number). A database error naks the whole
//! batch with a delay so it comes back. NATS outages are retried with backoff for as
//! long as the server runs: HTTP ingestion keeps working meanwhile.
//!
//! The stream is created when missing with work-queue retention: a message leaves
//! NATS once it is acked or terminated, so raw interactions do not linger there.

use anyhow::{bail, Context, Result};
use async_nats::jetstream::{self, consumer, stream, AckKind};
use async_nats::ServerAddr;
use futures_util::StreamExt;
use righttrack_core::interactions::Prepared;
use righttrack_store::interactions::Outcome;
use righttrack_web::AppState;
use std::collections::VecDeque;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

pub const DEFAULT_STREAM: &str = "RIGHTTRACK";
pub const DEFAULT_SUBJECT: &str = "righttrack.interactions";
pub const DEFAULT_CONSUMER: &str = "righttrack-ingest";
/// Messages fetched per pull (and stored per transaction).
pub const DEFAULT_BATCH: usize = 500;
/// How long one pull waits for a full batch before taking what has arrived.
const PULL_WAIT: Duration = Duration::from_secs(1);
/// Unacked messages are redelivered after this: what a crashed instance held comes back
/// this soon. A live instance keeps its batch however long it takes by telling the server
/// it is still working on it every [`PROGRESS_EVERY`].
const ACK_WAIT: Duration = Duration::from_secs(6);
/// How often a batch in hand is marked in progress (well inside [`ACK_WAIT`]).
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// Unacked messages the shared consumer allows, in batches: room for many instances'
/// batches in hand plus what crashed ones held until it comes back, so one instance's
/// crash never stops the others pulling (with 2, at the server's default of 1000 and
/// batches of 500, it did until the ack wait ran out).
const PENDING_BATCHES: usize = 64;
/// A batch that failed to store comes back after this.
const NAK_DELAY: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Publish acks awaited at once by `righttrack publish`.
const PUBLISH_WINDOW: usize = 256;

const METRIC: &str = "righttrack_nats_messages_total";
const METRIC_HELP: &str =
    "Messages taken from the NATS JetStream consumer by outcome (stored, duplicate, conflict, rejected).";

/// Where the consumer reads from.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub consumer: String,
    pub batch: usize,
}

/// Parses a NATS URL (or a comma-separated list of them) up front, so a typo is a clear
/// startup error rather than a retry loop. `source` names where the value came from.
pub fn parse_urls(url: &str, source: &str) -> Result<Vec<ServerAddr>> {
    let addrs = url
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| {
            u.parse::<ServerAddr>().map_err(|e| {
                anyhow::anyhow!(
                    "{source}: {:?} is not a NATS URL ({e}); expected nats://HOST:PORT",
                    without_credentials(u)
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if addrs.is_empty() {
        bail!("{source}: empty; expected nats://HOST:PORT");
    }
    Ok(addrs)
}

/// The URL with any `user:password@` or `token@` removed, for logs and errors.
pub fn without_credentials(url: &str) -> String {
    url.split(',')
        .map(|u| {
            let u = u.trim();
            let (scheme, rest) = u.split_once("://").map_or(("", u), |(s, r)| (s, r));
            let rest = match rest.split_once('@') {
                Some((_, host)) if !host.contains('/') || rest.find('@') < rest.find('/') => host,
                _ => rest,
            };
            if scheme.is_empty() {
                rest.to_owned()
            } else {
                format!("{scheme}://{rest}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Connects once; after that the client reconnects by itself, and its events are logged
/// here (async-nats's own logs are quieted to warnings in `main`).
async fn connect(addrs: &[ServerAddr], name: &str) -> Result<async_nats::Client> {
    let url = addrs
        .iter()
        .map(|a| format!("{}:{}", a.host(), a.port()))
        .collect::<Vec<_>>()
        .join(",");
    async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(Duration::from_secs(5))
        .event_callback(move |event| {
            let url = url.clone();
            async move {
                use async_nats::Event;
                match event {
                    Event::Connected => tracing::info!(server = %url, "NATS connected"),
                    Event::Disconnected => tracing::warn!(
                        server = %url,
                        "NATS connection lost; reconnecting (HTTP ingestion still works)"
                    ),
                    Event::LameDuckMode | Event::SlowConsumer(_) | Event::ServerError(_) => {
                        tracing::warn!(server = %url, event = %event, "NATS")
                    }
                    Event::ClientError(_) | Event::Draining | Event::Closed => {
                        tracing::debug!(server = %url, event = %event, "NATS")
                    }
                }
            }
        })
        .connect(addrs.to_vec())
        .await
        .context("cannot connect")
}

/// The stream that takes `subject`, created (work-queue retention, file storage) when
/// missing. An existing stream is used as it is.
async fn ensure_stream(
    js: &jetstream::Context,
    name: &str,
    subject: &str,
) -> Result<stream::Stream> {
    let mut s = js
        .get_or_create_stream(stream::Config {
            name: name.to_owned(),
            subjects: vec![subject.to_owned()],
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .with_context(|| format!("cannot create or open stream {name:?}"))?;
    let info = s
        .info()
        .await
        .with_context(|| format!("cannot read stream {name:?}"))?;
    let takes = info
        .config
        .subjects
        .iter()
        .any(|s| s == subject || s.contains('*') || s.contains('>'));
    if !takes {
        bail!(
            "stream {name:?} exists but does not take subject {subject:?} (it takes {:?})",
            info.config.subjects
        );
    }
    Ok(s)
}

/// Runs the consumer until `shutdown` turns true, reconnecting after any NATS failure.
pub async fn consume(
    state: AppState,
    cfg: NatsConfig,
    addrs: Vec<ServerAddr>,
    mut shutdown: watch::Receiver<bool>,
) {
    let url = without_credentials(&cfg.url);
    for outcome in ["stored", "duplicate", "conflict", "rejected"] {
        state.metrics.count(METRIC, METRIC_HELP, label(outcome), 0);
    }
    let mut backoff = Duration::from_secs(1);
    loop {
        if *shutdown.borrow() {
            break;
        }
        match session(&state, &cfg, &addrs, &url, &mut shutdown, &mut backoff).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(url = %url, stream = %cfg.stream, error = format!("{e:#}"), retry_in_secs = backoff.as_secs(), "NATS consumer unavailable; HTTP ingestion still works; retrying");
                tokio::select! {
                    _ = shutdown.wait_for(|s| *s) => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    tracing::info!(stream = %cfg.stream, "NATS consumer stopped");
}

fn label(outcome: &str) -> &'static str {
    match outcome {
        "stored" => "outcome=\"stored\"",
        "duplicate" => "outcome=\"duplicate\"",
        "conflict" => "outcome=\"conflict\"",
        _ => "outcome=\"rejected\"",
    }
}

/// One connection's life: `Ok` on shutdown, `Err` when NATS fails (the caller retries).
async fn session(
    state: &AppState,
    cfg: &NatsConfig,
    addrs: &[ServerAddr],
    url: &str,
    shutdown: &mut watch::Receiver<bool>,
    backoff: &mut Duration,
) -> Result<()> {
    let client = connect(addrs, "righttrack serve").await?;
    let js = jetstream::new(client);
    let stream = ensure_stream(&js, &cfg.stream, &cfg.subject).await?;
    // Created, or brought up to these settings if an older version created it.
    let consumer: consumer::PullConsumer = stream
        .create_consumer(consumer_config(cfg))
        .await
        .with_context(|| {
            format!(
                "cannot create or open the durable consumer {:?} on stream {:?}",
                cfg.consumer, cfg.stream
            )
        })?;
    tracing::info!(url = %url, stream = %cfg.stream, subject = %cfg.subject, consumer = %cfg.consumer, "NATS consumer started");
    *backoff = Duration::from_secs(1);
    let engine = state
        .engine()
        .map_err(|e| anyhow::anyhow!("rule pack: {e}"))?;
    loop {
        let mut batch = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => return Ok(()),
            b = consumer.batch().max_messages(cfg.batch).expires(PULL_WAIT).messages() => b.context("pull request failed")?,
        };
        let mut messages = Vec::new();
        let mut failed = None;
        loop {
            let next = tokio::select! {
                _ = shutdown.wait_for(|s| *s) => None,
                m = batch.next() => m,
            };
            match next {
                Some(Ok(m)) => messages.push(m),
                Some(Err(e)) => {
                    failed = Some(e);
                    break;
                }
                None => break,
            }
        }
        // What was received is processed even when shutting down or after an error:
        // it is stored and acked, or comes back after the ack wait.
        if !messages.is_empty() {
            process(state, &engine, messages).await;
        }
        if let Some(e) = failed {
            bail!("pull failed: {e}");
        }
        if *shutdown.borrow() {
            return Ok(());
        }
    }
}

/// The shared durable consumer's settings.
fn consumer_config(cfg: &NatsConfig) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(cfg.consumer.clone()),
        filter_subject: cfg.subject.clone(),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        max_ack_pending: i64::try_from(cfg.batch.saturating_mul(PENDING_BATCHES))
            .unwrap_or(i64::MAX),
        ..Default::default()
    }
}

/// Marks every message in hand as in progress until dropped, so a batch that takes longer
/// than the ack wait is not redelivered to another instance meanwhile.
struct InProgress(tokio::task::JoinHandle<()>);

impl InProgress {
    fn start(messages: std::sync::Arc<Vec<jetstream::Message>>) -> Self {
        InProgress(tokio::spawn(async move {
            let mut tick = tokio::time::interval(PROGRESS_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                for m in messages.iter() {
                    let _ = m.ack_with(AckKind::Progress).await;
                }
            }
        }))
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Prepares a batch on the blocking pool, terminates bad messages, stores the good ones in
/// one transaction and acks them only once it has committed.
async fn process(
    state: &AppState,
    engine: &std::sync::Arc<righttrack_scan::Engine>,
    messages: Vec<jetstream::Message>,
) {
    let messages = std::sync::Arc::new(messages);
    let _in_progress = InProgress::start(messages.clone());
    let payloads: Vec<_> = messages.iter().map(|m| m.payload.clone()).collect();
    let engine = engine.clone();
    let st = state.ctx.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        payloads
            .iter()
            .map(|p| parse_and_prepare(&st, &engine, p))
            .collect::<Vec<_>>()
    })
    .await;
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, messages = messages.len(), "NATS consumer: preparing a batch failed; it will be redelivered");
            nak_all(&messages).await;
            return;
        }
    };
    let mut good = Vec::new();
    let mut good_msgs = Vec::new();
    for (m, r) in messages.iter().zip(prepared) {
        match r {
            Ok(p) => {
                good.push(p);
                good_msgs.push(m);
            }
            Err(msg) => {
                let seq = m.info().map(|i| i.stream_sequence).unwrap_or(0);
                tracing::warn!(stream_sequence = seq, error = %msg, "NATS consumer: message is not an interaction; terminated");
                if let Err(e) = m.ack_with(AckKind::Term).await {
                    tracing::warn!(stream_sequence = seq, error = %e, "NATS consumer: could not terminate a message");
                }
                state
                    .metrics
                    .count(METRIC, METRIC_HELP, label("rejected"), 1);
            }
        }
    }
    if good.is_empty() {
        return;
    }
    let outcomes = match righttrack_app::interactions::ingest::store(state, &good).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, messages = good_msgs.len(), "NATS consumer: storing a batch failed; it will be redelivered");
            for m in good_msgs {
                let _ = m.ack_with(AckKind::Nak(Some(NAK_DELAY))).await;
            }
            return;
        }
    };
    // Committed: now, and only now, the messages may go.
    let (mut stored, mut duplicates, mut conflicts) = (0, 0, 0);
    for (m, o) in good_msgs.iter().zip(&outcomes) {
        match o {
            Outcome::Stored => stored += 1,
            Outcome::Duplicate => duplicates += 1,
            Outcome::Conflict => conflicts += 1,
        }
        if let Err(e) = m.ack().await {
            // Stored already; the redelivery will be a harmless duplicate.
            tracing::warn!(error = %e, "NATS consumer: ack failed after storing");
        }
    }
    state
        .metrics
        .count(METRIC, METRIC_HELP, label("stored"), stored);
    state
        .metrics
        .count(METRIC, METRIC_HELP, label("duplicate"), duplicates);
    state
        .metrics
        .count(METRIC, METRIC_HELP, label("conflict"), conflicts);
    if conflicts > 0 {
        // The ids are the sender's; the count says enough to look in the sender's log.
        tracing::warn!(
            conflicts,
            "NATS consumer: interactions re-sent under an id already stored with different content were not stored"
        );
    }
    tracing::debug!(stored, duplicates, "NATS consumer: batch stored and acked");
}

async fn nak_all(messages: &[jetstream::Message]) {
    for m in messages {
        let _ = m.ack_with(AckKind::Nak(Some(NAK_DELAY))).await;
    }
}

/// A message body to a stored form, or a content-free reason why it is not an interaction.
/// The same path as HTTP and `import` (the privacy vault included).
fn parse_and_prepare(
    ctx: &righttrack_app::Ctx,
    engine: &righttrack_scan::Engine,
    body: &[u8],
) -> Result<Prepared, String> {
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("the message is not UTF-8 (byte {})", e.valid_up_to()))?;
    righttrack_app::interactions::prepare_line(ctx, engine, text)
}

/// What `righttrack publish` did.
#[derive(Debug, Default)]
pub struct Published {
    pub lines: u64,
    pub published: u64,
    pub duplicates: u64,
    pub errors: u64,
}

/// Publishes each non-empty line of each file as one message with `Nats-Msg-Id` set to
/// the interaction id, awaiting JetStream's publish acks. Bad lines are reported as
/// `FILE:LINE: message` on standard error (never their content) and not published.
pub async fn publish(
    url: &str,
    stream: &str,
    subject: &str,
    files: &[PathBuf],
) -> Result<Published> {
    let addrs = parse_urls(url, "--nats-url / RIGHTTRACK_NATS_URL")?;
    let client = connect(&addrs, "righttrack publish")
        .await
        .with_context(|| format!("NATS at {}", without_credentials(url)))?;
    let js = jetstream::new(client);
    ensure_stream(&js, stream, subject).await?;
    let mut totals = Published::default();
    let mut inflight: VecDeque<(String, jetstream::context::PublishAckFuture)> = VecDeque::new();
    for path in files {
        let name = path.display().to_string();
        let f = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
        let reader = std::io::BufReader::new(f);
        for (i, line) in reader.lines().enumerate() {
            let n = i + 1;
            let line =
                line.with_context(|| format!("{name}:{n}: cannot read (is it UTF-8 text?)"))?;
            totals.lines += 1;
            if line.trim().is_empty() {
                continue;
            }
            let id = match serde_json::from_str::<righttrack_scan::Interaction>(&line) {
                Ok(i) => i.id,
                Err(e) => {
                    eprintln!(
                        "{name}:{n}: {}",
                        righttrack_scan::input::describe(&line, &e)
                    );
                    totals.errors += 1;
                    continue;
                }
            };
            let ack = js
                .send_publish(
                    subject.to_owned(),
                    jetstream::message::PublishMessage::build()
                        .payload(line.into_bytes().into())
                        .message_id(&id),
                )
                .await
                .with_context(|| format!("{name}:{n}: cannot publish"))?;
            inflight.push_back((format!("{name}:{n}"), ack));
            if inflight.len() >= PUBLISH_WINDOW {
                if let Some((at, ack)) = inflight.pop_front() {
                    settle(&at, ack, &mut totals).await?;
                }
            }
        }
    }
    while let Some((at, ack)) = inflight.pop_front() {
        settle(&at, ack, &mut totals).await?;
    }
    Ok(totals)
}

async fn settle(
    at: &str,
    ack: jetstream::context::PublishAckFuture,
    totals: &mut Published,
) -> Result<()> {
    let ack = ack.await.with_context(|| {
        format!("{at}: JetStream did not acknowledge the message (publishing again is safe)")
    })?;
    if ack.duplicate {
        totals.duplicates += 1;
    } else {
        totals.published += 1;
    }
    Ok(())
}
