//! Ingestion through NATS JetStream as an operator runs it: `righttrack publish` feeds a
//! real nats-server, real `righttrack serve` processes consume it into SQLite or a shared
//! PostgreSQL database.
//!
//! Tests that need NATS read `RIGHTTRACK_TEST_NATS_URL` (scripts/test.sh always sets it,
//! starting a JetStream server when none answers). Each test uses its own stream,
//! subject and consumer, and deletes its stream at the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use righttrack_store::testing::TestDb;
use righttrack_store::Db;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::text;

/// Realistic interactions (voice, chat, e-mail with card numbers, addresses, dates of
/// birth) used as templates: each copy gets its own id.
const FIXTURE: &str = include_str!("fixtures/interactions.jsonl");
/// A card number that only the bad messages carry.
const BAD_CARD: &str = "4111 1111 1111 1111";
/// Generous: the suite shares two cores; a stuck consumer fails here, not a slow one.
const DEADLINE: Duration = Duration::from_secs(300);

fn nats_url() -> Option<String> {
    match std::env::var("RIGHTTRACK_TEST_NATS_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!("skipped: RIGHTTRACK_TEST_NATS_URL not set");
            // scripts/test.sh always sets it, so CI always runs these.
            assert!(std::env::var("CI").is_err(), "CI must run the NATS tests");
            None
        }
    }
}

fn suffix() -> String {
    use rand::RngCore;
    let mut b = [0u8; 6];
    rand::thread_rng().fill_bytes(&mut b);
    data_encoding::HEXLOWER.encode(&b)
}

/// One test's stream, subject and consumer; the stream is deleted on drop.
struct Names {
    url: String,
    stream: String,
    subject: String,
    consumer: String,
}

impl Names {
    fn new(url: &str) -> Names {
        let s = suffix();
        Names {
            url: url.to_owned(),
            stream: format!("RT_TEST_{s}"),
            subject: format!("rt-test.{s}.interactions"),
            consumer: format!("rt-test-{s}"),
        }
    }

    fn serve_args(&self, batch: usize) -> Vec<String> {
        vec![
            "--nats-url".into(),
            self.url.clone(),
            "--nats-stream".into(),
            self.stream.clone(),
            "--nats-subject".into(),
            self.subject.clone(),
            "--nats-consumer".into(),
            self.consumer.clone(),
            "--nats-batch".into(),
            batch.to_string(),
        ]
    }

    /// Publishes raw bodies as another producer might, bypassing `righttrack publish`.
    fn publish_raw(&self, bodies: &[&str]) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let c = async_nats::connect(self.url.as_str()).await.unwrap();
            let js = async_nats::jetstream::new(c);
            for b in bodies {
                js.publish(self.subject.clone(), b.as_bytes().to_vec().into())
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
        });
    }
}

impl Names {
    /// Messages still held by the stream (acked and terminated ones leave a work queue).
    fn left_in_stream(&self) -> u64 {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let c = async_nats::connect(self.url.as_str()).await.unwrap();
            let mut s = async_nats::jetstream::new(c)
                .get_stream(&self.stream)
                .await
                .unwrap();
            s.info().await.unwrap().state.messages
        })
    }
}

impl Drop for Names {
    fn drop(&mut self) {
        if let Ok(rt) = tokio::runtime::Runtime::new() {
            rt.block_on(async {
                if let Ok(c) = async_nats::connect(self.url.as_str()).await {
                    let _ = async_nats::jetstream::new(c)
                        .delete_stream(&self.stream)
                        .await;
                }
            });
        }
    }
}

fn run(args: &[&str]) -> Output {
    common::command()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A `serve` process whose `/metrics` answer a token of its own.
struct Server {
    inner: common::Server,
    /// The metrics token the server was started with (`/metrics` needs it).
    token: String,
}

impl Server {
    fn start(args: &[String]) -> Server {
        let token = format!("metrics-{}-{}", suffix(), suffix());
        let token_file = std::env::temp_dir().join(format!("rt-test-{token}"));
        std::fs::write(&token_file, &token).unwrap();
        let mut c = common::serve(&common::strs(args));
        c.arg("--metrics-token-file").arg(&token_file);
        let inner = common::Server::spawn(c);
        let _ = std::fs::remove_file(&token_file);
        Server { inner, token }
    }

    fn logs(&self) -> String {
        self.inner.logs()
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.inner.get(path, Some(&self.token))
    }

    /// `righttrack_nats_messages_total` by outcome: (stored, duplicate, rejected).
    fn nats_counts(&self) -> (u64, u64, u64) {
        let (status, body) = self.get("/metrics");
        assert_eq!(status, 200, "{body}");
        let get = |outcome: &str| {
            let prefix = format!("righttrack_nats_messages_total{{outcome=\"{outcome}\"}} ");
            body.lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no {prefix} in metrics: {body}"))
                .trim()
                .parse()
                .unwrap()
        };
        (get("stored"), get("duplicate"), get("rejected"))
    }

    /// SIGTERM, then the exit status and everything the server wrote to stderr.
    fn stop(self) -> (std::process::ExitStatus, String) {
        self.inner.stop()
    }

    /// SIGKILL: no shutdown, no acks for the batch in hand.
    fn kill(self) -> String {
        self.inner.kill()
    }
}

/// `n` interactions built from the fixture, with ids `{prefix}-{i}`.
fn interactions(prefix: &str, n: usize) -> Vec<(String, String)> {
    let templates: Vec<serde_json::Value> = FIXTURE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (0..n)
        .map(|i| {
            let mut v = templates[i % templates.len()].clone();
            let id = format!("{prefix}-{i}");
            v["id"] = serde_json::json!(id);
            (id, v.to_string())
        })
        .collect()
}

/// The database the servers share: a fresh PostgreSQL database, or SQLite in `data`.
enum Backend {
    Sqlite(PathBuf),
    Postgres(TestDb),
}

impl Backend {
    /// Arguments for `serve`: SQLite lives in its data directory; with PostgreSQL the
    /// instances share `keys` (the first creates the key files, the others read them).
    fn args(&self, keys: &Path) -> Vec<String> {
        match self {
            Backend::Sqlite(data) => vec!["--data-dir".to_owned(), data.display().to_string()],
            Backend::Postgres(t) => vec![
                "--data-dir".to_owned(),
                keys.display().to_string(),
                "--database-url".into(),
                t.url(),
            ],
        }
    }

    async fn db(&self) -> Db {
        match self {
            Backend::Sqlite(data) => Db::open_sqlite(&data.join("righttrack.db")).await.unwrap(),
            Backend::Postgres(t) => t.db.clone(),
        }
    }
}

/// Every backend the environment offers: SQLite (in `tmp/sqlite`), then PostgreSQL.
fn backends(rt: &tokio::runtime::Runtime, tmp: &Path) -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite(tmp.join("sqlite"))];
    if let Some(pg) = rt.block_on(TestDb::postgres()).unwrap() {
        v.push(Backend::Postgres(pg));
    }
    v
}

/// Polls the database until it holds `n` interactions; fails after [`DEADLINE`].
fn wait_for_rows(rt: &tokio::runtime::Runtime, db: &Db, n: i64, what: &str) {
    let started = Instant::now();
    loop {
        let have = rt.block_on(db.count_interactions()).unwrap_or(0);
        if have >= n {
            return;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{what}: only {have} of {n} interactions stored after {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn assert_each_stored_once(rt: &tokio::runtime::Runtime, db: &Db, ids: &[String]) {
    let count = rt.block_on(db.count_interactions()).unwrap();
    assert_eq!(
        count,
        ids.len() as i64,
        "every interaction stored exactly once"
    );
    for id in ids {
        assert!(
            rt.block_on(db.interaction(id)).unwrap().is_some(),
            "{id} missing"
        );
    }
}

#[test]
fn publish_feeds_serve_instances_that_share_the_work_and_terminate_bad_messages_unseen() {
    let Some(url) = nats_url() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for backend in backends(&rt, tmp.path()) {
        let names = Names::new(&url);
        let instances = match backend {
            Backend::Sqlite(_) => 1,
            Backend::Postgres(_) => 2,
        };
        let data = tmp.path().join(format!("keys-{}", suffix()));
        let mut args = backend.args(&data);
        args.extend(names.serve_args(10));
        // One after the other: the first creates the keys the second reads.
        let servers: Vec<Server> = (0..instances).map(|_| Server::start(&args)).collect();

        let n = 600;
        let good = interactions(&format!("nats-{}", suffix()), n);
        let ids: Vec<String> = good.iter().map(|(id, _)| id.clone()).collect();
        let mut file = String::new();
        for (_, line) in &good {
            file.push_str(line);
            file.push('\n');
        }
        // Sent twice: JetStream's duplicate window (Nats-Msg-Id) drops the copies.
        for (_, line) in good.iter().take(20) {
            file.push_str(line);
            file.push('\n');
        }
        file.push('\n');
        let bad_line = format!(
            "{{\"id\":\"bad-file\",\"channel\":\"fax\",\"agent_id\":\"{BAD_CARD}\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[]}}"
        );
        file.push_str(&bad_line);
        file.push('\n');
        let path = tmp.path().join("calls.jsonl");
        std::fs::write(&path, file).unwrap();
        let path_s = path.display().to_string();
        let o = rt_publish(&names, &[&path_s]);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(1), "a bad line exits 1: {out}{err}");
        assert!(
            out.contains(&format!(
                "{} lines: {n} published, 20 duplicates, 1 errors",
                n + 22
            )),
            "{out}{err}"
        );
        assert!(
            err.contains(&format!("calls.jsonl:{}: field `channel`", n + 22)),
            "{err}"
        );
        assert!(!err.contains(BAD_CARD), "errors never echo content: {err}");

        // Another producer sends what is not an interaction: terminated, never stored.
        let bad_json = format!("{{\"id\":\"bad-nats-1\",\"note\":\"card {BAD_CARD}\"");
        let bad_field = bad_line.replace("bad-file", "bad-nats-2");
        names.publish_raw(&[&bad_json, &bad_field]);

        let db = rt.block_on(backend.db());
        wait_for_rows(&rt, &db, n as i64, "ingestion");
        let started = Instant::now();
        while servers.iter().map(|s| s.nats_counts().2).sum::<u64>() < 2 {
            assert!(
                started.elapsed() < DEADLINE,
                "the bad messages were not terminated"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        let counts: Vec<(u64, u64, u64)> = servers.iter().map(|s| s.nats_counts()).collect();
        assert_eq!(
            counts.iter().map(|c| c.2).sum::<u64>(),
            2,
            "two rejected: {counts:?}"
        );
        assert_eq!(
            counts.iter().map(|c| c.0).sum::<u64>(),
            n as u64,
            "stored once in all: {counts:?}"
        );
        for (i, c) in counts.iter().enumerate() {
            assert!(
                c.0 + c.1 > 0,
                "instance {i} took no part in the work: {counts:?}"
            );
        }
        assert_each_stored_once(&rt, &db, &ids);
        let started = Instant::now();
        while names.left_in_stream() > 0 {
            assert!(
                started.elapsed() < DEADLINE,
                "{} messages (raw interactions) linger in the stream",
                names.left_in_stream()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        for bad in ["bad-file", "bad-nats-1", "bad-nats-2"] {
            assert!(rt.block_on(db.interaction(bad)).unwrap().is_none(), "{bad}");
        }
        let mut logs = String::new();
        for s in servers {
            let (status, l) = s.stop();
            assert!(status.success(), "graceful shutdown: {l}");
            logs.push_str(&l);
        }
        assert!(
            logs.contains("NATS consumer started")
                && logs.contains(&names.stream)
                && logs.contains(&names.subject)
                && logs.contains("127.0.0.1"),
            "{logs}"
        );
        assert_eq!(
            logs.matches("terminated").count(),
            2,
            "each bad message logged once: {logs}"
        );
        assert!(logs.contains("stream_sequence"), "{logs}");
        assert!(
            logs.contains("invalid JSON") && logs.contains("field `channel`"),
            "{logs}"
        );
        assert!(
            !logs.contains(BAD_CARD) && !logs.contains(&BAD_CARD.replace(' ', "")),
            "no content in logs: {logs}"
        );
        assert!(!logs.contains("panicked"), "{logs}");
        if let Backend::Sqlite(d) = &backend {
            rt.block_on(db.close());
            for f in ["righttrack.db", "righttrack.db-wal"] {
                if let Ok(bytes) = std::fs::read(d.join(f)) {
                    assert!(
                        !bytes
                            .windows(BAD_CARD.len())
                            .any(|w| w == BAD_CARD.as_bytes()),
                        "a bad message's content reached {f}"
                    );
                }
            }
        }
    }
}

fn rt_publish(names: &Names, files: &[&str]) -> Output {
    let mut args = vec![
        "publish",
        "--nats-url",
        &names.url,
        "--subject",
        &names.subject,
        "--stream",
        &names.stream,
    ];
    args.extend_from_slice(files);
    run(&args)
}

/// At least once: a consumer SIGKILLed with a batch in hand loses nothing, and the
/// redelivered messages are not stored twice.
#[test]
fn a_consumer_killed_mid_stream_loses_nothing_and_stores_nothing_twice() {
    let Some(url) = nats_url() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // PostgreSQL when configured (the multi-node case), otherwise SQLite.
    let backend = backends(&rt, tmp.path()).pop().unwrap();
    let names = Names::new(&url);
    let data = tmp.path().join("keys");
    let mut args = backend.args(&data);
    args.extend(names.serve_args(25));
    let n = 1500;
    let good = interactions(&format!("kill-{}", suffix()), n);
    let ids: Vec<String> = good.iter().map(|(id, _)| id.clone()).collect();
    // Published in chunks by separate `righttrack publish` runs while the consumer works,
    // so it is killed in the middle of the flow with a batch in hand.
    let chunks: Vec<PathBuf> = good
        .chunks(100)
        .enumerate()
        .map(|(i, c)| {
            let path = tmp.path().join(format!("load-{i}.jsonl"));
            let body: Vec<&str> = c.iter().map(|(_, l)| l.as_str()).collect();
            std::fs::write(&path, body.join("\n")).unwrap();
            path
        })
        .collect();
    let first = Server::start(&args);
    let publisher = {
        let (url, stream, subject) = (
            names.url.clone(),
            names.stream.clone(),
            names.subject.clone(),
        );
        std::thread::spawn(move || {
            for path in chunks {
                let o = run(&[
                    "publish",
                    "--nats-url",
                    &url,
                    "--subject",
                    &subject,
                    "--stream",
                    &stream,
                    &path.display().to_string(),
                ]);
                assert!(
                    text(&o.stdout).contains("100 published, 0 duplicates, 0 errors"),
                    "{}{}",
                    text(&o.stdout),
                    text(&o.stderr)
                );
            }
        })
    };
    let db = rt.block_on(backend.db());
    wait_for_rows(&rt, &db, 300, "first instance");
    let logs = first.kill();
    let at_kill = rt.block_on(db.count_interactions()).unwrap();
    eprintln!("killed with {at_kill} of {n} stored");
    assert!(!logs.contains("panicked"), "{logs}");
    publisher.join().unwrap();

    // Whatever the killed instance had fetched but not acked comes back after the ack
    // wait; what it had stored but not acked comes back as a duplicate.
    let again = Server::start(&args);
    wait_for_rows(&rt, &db, n as i64, "after SIGKILL");
    assert_each_stored_once(&rt, &db, &ids);
    let (status, logs) = again.stop();
    assert!(status.success(), "{logs}");
}

/// The durable consumer as JetStream reports it: (max ack pending, ack wait, pending).
fn consumer_settings(names: &Names) -> (i64, Duration, usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = async_nats::connect(names.url.as_str()).await.unwrap();
        let stream = async_nats::jetstream::new(c)
            .get_stream(&names.stream)
            .await
            .unwrap();
        let mut consumer: async_nats::jetstream::consumer::PullConsumer =
            stream.get_consumer(&names.consumer).await.unwrap();
        let info = consumer.info().await.unwrap();
        (
            info.config.max_ack_pending,
            info.config.ack_wait,
            info.num_ack_pending,
        )
    })
}

/// Failure: an instance that crashed (or hangs) with two batches in hand held every
/// unacked message the shared consumer allowed (`max_ack_pending` 1000 = two batches of
/// 500), so every other instance stalled until the ack wait (30 s) ran out. Here another
/// instance holds two batches of 500 and keeps them in progress, on a consumer made with
/// the old settings; a `serve` started beside it brings the consumer up to date and
/// stores everything else meanwhile. When the holder dies without acking, its messages
/// come back and are stored once.
#[test]
fn an_instance_holding_two_batches_does_not_stall_the_others() {
    use async_nats::jetstream::{self, consumer, AckKind};
    use futures_util::StreamExt;
    let Some(url) = nats_url() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let backend = backends(&rt, tmp.path()).pop().unwrap();
    let names = Names::new(&url);
    let n = 1600;
    let good = interactions(&format!("held-{}", suffix()), n);
    let ids: Vec<String> = good.iter().map(|(id, _)| id.clone()).collect();
    let path = tmp.path().join("held.jsonl");
    let body: Vec<&str> = good.iter().map(|(_, l)| l.as_str()).collect();
    std::fs::write(&path, body.join("\n")).unwrap();
    let o = rt_publish(&names, &[&path.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    // The consumer as an older version made it, and an instance that took two batches.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (taken, took) = std::sync::mpsc::channel::<usize>();
    let holder = {
        let (url, stream, subject, durable) = (
            names.url.clone(),
            names.stream.clone(),
            names.subject.clone(),
            names.consumer.clone(),
        );
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let c = async_nats::connect(url.as_str()).await.unwrap();
                let js = jetstream::new(c);
                let stream = js.get_stream(&stream).await.unwrap();
                let consumer: consumer::PullConsumer = stream
                    .create_consumer(consumer::pull::Config {
                        durable_name: Some(durable),
                        filter_subject: subject,
                        ack_policy: consumer::AckPolicy::Explicit,
                        ack_wait: Duration::from_secs(30),
                        max_ack_pending: 1000,
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                let mut held = Vec::new();
                while held.len() < 1000 {
                    let mut b = consumer
                        .batch()
                        .max_messages(500)
                        .expires(Duration::from_secs(1))
                        .messages()
                        .await
                        .unwrap();
                    while let Some(m) = b.next().await {
                        held.push(m.unwrap());
                    }
                }
                taken.send(held.len()).unwrap();
                // Still working on them, as far as the server can tell.
                while released.recv_timeout(Duration::from_secs(1)).is_err() {
                    for m in &held {
                        let _ = m.ack_with(AckKind::Progress).await;
                    }
                }
                // Then it dies without acking: its messages must come back.
            });
        })
    };
    assert_eq!(took.recv().unwrap(), 1000);
    assert_eq!(consumer_settings(&names).0, 1000);

    let data = tmp.path().join("keys");
    let mut args = backend.args(&data);
    args.extend(names.serve_args(500));
    let server = Server::start(&args);
    let db = rt.block_on(backend.db());
    // Everything the holder does not hold, while it still holds its 1000.
    wait_for_rows(
        &rt,
        &db,
        (n - 1000) as i64,
        "beside an instance holding two batches",
    );
    let (max_pending, ack_wait, pending) = consumer_settings(&names);
    assert!(
        pending >= 1000,
        "the holder still holds its batches ({pending})"
    );
    assert!(max_pending > 10_000, "max_ack_pending is {max_pending}");
    assert!(
        ack_wait <= Duration::from_secs(10),
        "ack wait is {ack_wait:?}"
    );

    release.send(()).unwrap();
    holder.join().unwrap();
    wait_for_rows(&rt, &db, n as i64, "after the holder died");
    assert_each_stored_once(&rt, &db, &ids);
    let (status, logs) = server.stop();
    assert!(status.success(), "{logs}");
}

/// An unreachable NATS server does not stop the HTTP server (ingestion over HTTP still
/// works): serve warns and retries. A malformed URL is a configuration error at start.
/// Neither shows credentials.
#[test]
fn serve_retries_an_unreachable_nats_and_refuses_a_malformed_url() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data").display().to_string();
    let dead = "nats://operator:hunter2-secret@127.0.0.1:1";
    let server = Server::start(&[
        "--data-dir".into(),
        d.clone(),
        "--nats-url".into(),
        dead.into(),
    ]);
    assert_eq!(server.get("/healthz").0, 200);
    let started = Instant::now();
    while !server.logs().contains("NATS consumer unavailable") {
        assert!(
            started.elapsed() < DEADLINE,
            "no retry warning: {}",
            server.logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.get("/healthz").0, 200, "HTTP keeps working");
    let (status, logs) = server.stop();
    assert!(status.success(), "graceful shutdown while retrying: {logs}");
    assert!(logs.contains("nats://127.0.0.1:1"), "{logs}");
    assert!(!logs.contains("hunter2"), "credentials in logs: {logs}");
    assert!(!logs.contains("panicked"), "{logs}");

    let toml = tmp.path().join("righttrack.toml");
    std::fs::write(&toml, "nats_url = \"ftp://127.0.0.1\"\n").unwrap();
    let toml = toml.display().to_string();
    for (args, expect) in [
        (
            vec!["serve", "--data-dir", &d, "--config", &toml],
            "`nats_url`: \"ftp://127.0.0.1\" is not a NATS URL",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                &d,
                "--nats-url",
                "http://operator:hunter2@x",
            ],
            "--nats-url / RIGHTTRACK_NATS_URL: \"http://x\" is not a NATS URL",
        ),
        (
            vec![
                "serve",
                "--data-dir",
                &d,
                "--nats-url",
                "nats://127.0.0.1:4222",
                "--nats-batch",
                "0",
            ],
            "--nats-batch",
        ),
        (
            vec!["publish", "--nats-url", dead, "/nonexistent.jsonl"],
            "NATS at nats://127.0.0.1:1",
        ),
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?} should fail");
        let err = text(&o.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line expected, got: {err}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(expect),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
}

/// A JetStream server of the test's own, stopped and restarted on the same storage.
struct OwnNats {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl OwnNats {
    /// `None` when no nats-server binary is installed (a machine that only reaches a
    /// remote NATS); scripts/test.sh installs Debian's package when it starts one.
    fn start() -> Option<OwnNats> {
        let bin = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut n = OwnNats {
            bin,
            dir: tempfile::tempdir().unwrap(),
            port,
            child: None,
        };
        n.up();
        Some(n)
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn up(&mut self) {
        let child = Command::new(&self.bin)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < DEADLINE, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.down();
    }
}

/// NATS going away does not stop serve: the consumer warns, retries, and picks up what
/// was published once NATS is back.
#[test]
fn the_consumer_resumes_after_a_nats_outage() {
    let Some(mut nats) = OwnNats::start() else {
        eprintln!("skipped: no nats-server binary to stop and restart");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let names = Names::new(&nats.url());
    let backend = Backend::Sqlite(tmp.path().join("data"));
    let mut args = backend.args(tmp.path());
    args.extend(names.serve_args(50));
    let good = interactions(&format!("outage-{}", suffix()), 200);
    let ids: Vec<String> = good.iter().map(|(id, _)| id.clone()).collect();
    let publish_half = |half: &[(String, String)], name: &str| {
        let path = tmp.path().join(name);
        let body: Vec<&str> = half.iter().map(|(_, l)| l.as_str()).collect();
        std::fs::write(&path, body.join("\n")).unwrap();
        let o = rt_publish(&names, &[&path.display().to_string()]);
        assert!(
            text(&o.stdout).contains("100 published, 0 duplicates, 0 errors"),
            "{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    };
    let server = Server::start(&args);
    publish_half(&good[..100], "before.jsonl");
    let db = rt.block_on(backend.db());
    wait_for_rows(&rt, &db, 100, "before the outage");

    nats.down();
    let started = Instant::now();
    while !server.logs().contains("NATS connection lost") {
        assert!(
            started.elapsed() < DEADLINE,
            "the outage went unnoticed: {}",
            server.logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.get("/healthz").0, 200, "HTTP keeps working");
    nats.up();
    publish_half(&good[100..], "after.jsonl");
    wait_for_rows(&rt, &db, 200, "after the outage");
    assert_each_stored_once(&rt, &db, &ids);
    let (status, logs) = server.stop();
    assert!(status.success(), "{logs}");
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(logs.contains("NATS connected"), "{logs}");
}
