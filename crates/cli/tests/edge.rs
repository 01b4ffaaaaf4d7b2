//! The edge settings of `righttrack serve` as an operator gives them: trusted proxies and
//! the metrics token, from flags, the environment and the config file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{serve, Server};

const TOKEN: &str = "0123456789abcdef-metrics";

/// Attack: `/metrics` was public. Now it is off without a token; with the token from a
/// file (flag or config file) it answers only that token.
#[test]
fn metrics_need_the_token_from_the_configured_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.display().to_string();
    let off = Server::start(&["--data-dir", &d]);
    assert_eq!(off.get("/metrics", None).0, 404);
    off.kill();

    let file = tmp.path().join("metrics-token");
    std::fs::write(&file, format!("{TOKEN}\n")).unwrap();
    let f = file.display().to_string();
    let on = Server::start(&["--data-dir", &d, "--metrics-token-file", &f]);
    assert_eq!(on.get("/metrics", None).0, 401);
    assert_eq!(on.get("/metrics", Some("wrong")).0, 401);
    assert_eq!(on.get("/metrics", Some(TOKEN)).0, 200);
    on.kill();

    std::fs::write(
        data.join("righttrack.toml"),
        format!(
            "metrics_token_file = {:?}\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
            f
        ),
    )
    .unwrap();
    let from_file = Server::start(&["--data-dir", &d]);
    assert_eq!(from_file.get("/metrics", Some(TOKEN)).0, 200);
    from_file.kill();
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
