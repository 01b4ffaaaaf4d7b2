//! The edge settings of `righttrack serve` as an operator gives them: trusted proxies and
//! the metrics token, from flags, the environment and the config file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_righttrack");
const TOKEN: &str = "0123456789abcdef-metrics";

fn serve(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("RIGHTTRACK_DATABASE_URL")
        .env_remove("RIGHTTRACK_TRUSTED_PROXY")
        .env_remove("RIGHTTRACK_METRICS_TOKEN_FILE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Starts `serve` and returns it with its address.
#[expect(
    clippy::zombie_processes,
    reason = "the caller kills and waits for the child it is handed"
)]
fn start(mut c: Command) -> (Child, String) {
    let mut child = c.spawn().unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("server exited before listening: {seen}");
        }
        seen.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
            return (child, addr);
        }
    }
}

fn get(addr: &str, path: &str, bearer: Option<&str>) -> u16 {
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
    resp.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Attack: `/metrics` was public. Now it is off without a token; with the token from a
/// file (flag or config file) it answers only that token.
#[test]
fn metrics_need_the_token_from_the_configured_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.display().to_string();
    let (mut off, addr) = start(serve(&["--data-dir", &d]));
    assert_eq!(get(&addr, "/metrics", None), 404);
    off.kill().unwrap();
    off.wait().unwrap();

    let file = tmp.path().join("metrics-token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let f = file.display().to_string();
    let (mut on, addr) = start(serve(&["--data-dir", &d, "--metrics-token-file", &f]));
    assert_eq!(get(&addr, "/metrics", None), 401);
    assert_eq!(get(&addr, "/metrics", Some("wrong")), 401);
    assert_eq!(get(&addr, "/metrics", Some(TOKEN)), 200);
    on.kill().unwrap();
    on.wait().unwrap();

    std::fs::write(
        data.join("righttrack.toml"),
        format!(
            "metrics_token_file = {:?}\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
            f
        ),
    )
    .unwrap();
    let (mut from_file, addr) = start(serve(&["--data-dir", &d]));
    assert_eq!(get(&addr, "/metrics", Some(TOKEN)), 200);
    from_file.kill().unwrap();
    from_file.wait().unwrap();
}

/// Misconfiguration is a clear error at start, naming where the value came from and
/// never printing the token.
#[test]
fn bad_edge_settings_stop_serve_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("data").display().to_string();
    let short = tmp.path().join("short");
    std::fs::write(&short, "tiny-secret").unwrap();
    let s = short.display().to_string();
    let missing = tmp.path().join("missing").display().to_string();
    for (args, env, expect) in [
        (
            vec!["--trusted-proxy", "10.0.0.0/8,not-a-network"],
            None,
            "--trusted-proxy / RIGHTTRACK_TRUSTED_PROXY: \"not-a-network\" is not a network",
        ),
        (
            vec![],
            Some(("RIGHTTRACK_TRUSTED_PROXY", "10.0.0.0/40")),
            "\"10.0.0.0/40\" is not a network",
        ),
        (
            vec!["--metrics-token-file", s.as_str()],
            None,
            "must be at least 16 characters",
        ),
        (
            vec!["--metrics-token-file", missing.as_str()],
            None,
            "--metrics-token-file / RIGHTTRACK_METRICS_TOKEN_FILE: cannot read",
        ),
    ] {
        let mut c = serve(&[&["--data-dir", d.as_str()][..], &args[..]].concat());
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert!(!o.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("tiny-secret"), "{err}");
    }
}
