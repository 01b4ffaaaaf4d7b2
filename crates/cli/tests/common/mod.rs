//! Shared by the binary's test files: running `righttrack` as an operator would (without
//! the caller's `RIGHTTRACK_*` settings), a server on a free port, and plain HTTP to it.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test binaries; a failed setup step should panic"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub const BIN: &str = env!("CARGO_BIN_EXE_righttrack");
pub const PW: &str = "a long enough operator password";

/// The settings a caller's environment could leak into a child process.
const LEAKY_ENV: [&str; 5] = [
    "RIGHTTRACK_DATABASE_URL",
    "RIGHTTRACK_DATA_DIR",
    "RIGHTTRACK_NATS_URL",
    "RIGHTTRACK_TRUSTED_PROXY",
    "RIGHTTRACK_METRICS_TOKEN_FILE",
];

/// `righttrack` with no inherited settings and no colours.
pub fn command() -> Command {
    let mut c = Command::new(BIN);
    for k in LEAKY_ENV {
        c.env_remove(k);
    }
    c.env("NO_COLOR", "1");
    c
}

/// Runs `righttrack ARGS` to the end, with `stdin` as its input.
pub fn rt(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a command that must succeed; returns its stdout.
pub fn ok(args: &[&str], stdin: Option<&str>) -> String {
    let o = rt(args, stdin);
    assert!(
        o.status.success(),
        "{args:?} failed: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// Adds the service account `bot` (a QA analyst) to the install in `data_dir` and returns
/// a new token of it for ingesting and reading (the last line `token create` prints).
pub fn bot_token(data_dir: &str) -> String {
    let add = ["user", "add-service", "--role", "qa_analyst"];
    ok(
        &[&add[..], &["--data-dir", data_dir, "--username", "bot"]].concat(),
        None,
    );
    let create = ["token", "create", "--scope", "ingest,read"];
    let out = ok(
        &[&create[..], &["--data-dir", data_dir, "--username", "bot"]].concat(),
        None,
    );
    out.lines().last().unwrap().trim().to_owned()
}

/// Runs a command that must fail with exactly one clear error line.
pub fn fails(args: &[&str]) -> String {
    let o = rt(args, None);
    assert!(!o.status.success(), "{args:?} should fail");
    let err = text(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_owned()
}

/// `user add --username root --role admin` with [`PW`] on stdin, into the installation
/// that `place` names (`--data-dir …`, perhaps `--database-url …`). Returns stdout.
pub fn add_root(place: &[&str]) -> String {
    let mut args = vec![
        "user",
        "add",
        "--username",
        "root",
        "--role",
        "admin",
        "--password-stdin",
    ];
    args.extend_from_slice(place);
    ok(&args, Some(&format!("{PW}\n")))
}

/// Borrows owned arguments for [`rt`], [`ok`] and [`serve`].
pub fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `righttrack serve ARGS --listen 127.0.0.1:0`, its stderr piped (see [`Server::spawn`]).
pub fn serve(args: &[&str]) -> Command {
    let mut c = command();
    c.arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// A running `righttrack serve` and everything it has written to stderr.
pub struct Server {
    pub child: Child,
    pub addr: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl Server {
    /// `serve ARGS` on a free port.
    pub fn start(args: &[&str]) -> Server {
        Server::spawn(serve(args))
    }

    /// Starts `c` (a [`serve`] command) and waits until it says where it listens.
    pub fn spawn(mut c: Command) -> Server {
        let mut child = c.spawn().unwrap();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                panic!("server exited before listening: {seen}");
            }
            seen.push_str(&line);
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        let reader = std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Server {
            child,
            addr,
            stderr,
            reader: Some(reader),
        }
    }

    /// What the server has written to stderr so far.
    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `GET path` (with a bearer token): the status and the body.
    pub fn get(&self, path: &str, bearer: Option<&str>) -> (u16, String) {
        http_get(&self.addr, path, bearer)
    }

    /// SIGTERM, then the exit status and everything the server wrote to stderr.
    pub fn stop(mut self) -> (ExitStatus, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().unwrap();
        (status, self.finish())
    }

    /// SIGKILL: no shutdown at all. Returns everything the server wrote to stderr.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.finish()
    }

    fn finish(&mut self) -> String {
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.logs()
    }
}

/// `GET path` on `addr` over a fresh connection: the status and the body.
pub fn http_get(addr: &str, path: &str, bearer: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: test\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    (
        status,
        resp.split("\r\n\r\n").nth(1).unwrap_or("").to_owned(),
    )
}

/// `POST /api/v1/interactions` (NDJSON) on `addr`: the status, or `None` when the
/// connection failed (a server being killed).
pub fn post_ndjson(addr: &str, bearer: &str, body: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    let req = format!(
        "POST /api/v1/interactions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {bearer}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    resp.split_whitespace().nth(1)?.parse().ok()
}

/// Clients ingesting batches of interactions into a server until stopped, keeping the
/// ids of every batch that was answered 200 (acknowledged).
pub struct Load {
    acked: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Load {
    /// `workers` clients, each posting `batch` interactions at a time with ids
    /// `{prefix}-{worker}-{round}-{i}`; a refused or failed batch is retried after 5 ms.
    pub fn start(addr: &str, token: &str, workers: usize, batch: usize, prefix: &str) -> Load {
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers = (0..workers)
            .map(|w| {
                let (addr, token, prefix) = (addr.to_owned(), token.to_owned(), prefix.to_owned());
                let (acked, stop) = (acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    for round in 0.. {
                        if stop.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        let ids: Vec<String> =
                            (0..batch).map(|i| format!("{prefix}-{w}-{round}-{i}")).collect();
                        let body: Vec<String> = ids
                            .iter()
                            .map(|id| format!("{{\"id\":\"{id}\",\"channel\":\"chat\",\"agent_id\":\"a\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[{{\"speaker\":\"customer\",\"text\":\"my order is late\"}}]}}"))
                            .collect();
                        match post_ndjson(&addr, &token, &body.join("\n")) {
                            Some(200) => acked.lock().unwrap().extend(ids),
                            Some(_) | None => {
                                std::thread::sleep(std::time::Duration::from_millis(5))
                            }
                        }
                    }
                })
            })
            .collect();
        Load {
            acked,
            stop,
            workers,
        }
    }

    /// Waits until at least `n` interactions were acknowledged.
    pub fn wait_for(&self, n: usize) {
        while self.acked.lock().unwrap().len() < n {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The ids acknowledged so far.
    pub fn acked(&self) -> Vec<String> {
        self.acked.lock().unwrap().clone()
    }

    /// Stops the clients and returns every acknowledged id.
    pub fn stop(self) -> Vec<String> {
        let Load {
            acked,
            stop,
            workers,
        } = self;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for w in workers {
            w.join().unwrap();
        }
        let acked = acked.lock().unwrap();
        acked.clone()
    }
}
