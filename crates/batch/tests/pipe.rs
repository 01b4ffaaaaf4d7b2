//! `righttrack scan FILE | head`: a real process whose standard output is a pipe
//! that the reader closes after a few lines. The scan must end (status 0, or
//! killed by SIGPIPE as `cat` would be), never wait forever.
//!
//! The process is this test binary re-run with `RIGHTTRACK_PIPE_CHILD` set: the
//! child test then calls `run_scan`, the function `righttrack scan` calls, on
//! its real standard output and exits with its status.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

use righttrack_batch::{run_scan, Format, ScanArgs};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const CHILD: &str = "RIGHTTRACK_PIPE_CHILD";

/// In the child process only: scan the file named by the variable to stdout.
#[test]
fn scan_child_process() {
    let Some(file) = std::env::var_os(CHILD) else {
        return;
    };
    let args = ScanArgs {
        files: vec![file.into()],
        rules: None,
        format: Format::Jsonl,
        redact: None,
        hash_key_file: None,
        threads: Some(2),
        no_progress: true,
    };
    let code = match run_scan(&args) {
        Ok(c) if c == ExitCode::SUCCESS => 0,
        Ok(_) => 1,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

#[test]
fn scan_ends_when_its_output_is_closed_like_head() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    // Far more output than a pipe buffers, so the writer must notice the close.
    for i in 0..20_000 {
        let line = serde_json::json!({"id": format!("c{i}"), "channel": "chat", "agent_id": "a1",
            "started_at": "2026-11-20T14:03:00Z", "turns": [
                {"speaker": "agent", "text": "Thanks for waiting, how can I help?"},
                {"speaker": "customer", "text": "my card is 4111 1111 1111 1111 and my email is sam@example.com"}]});
        writeln!(f, "{line}").unwrap();
    }
    f.flush().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "scan_child_process", "--nocapture", "--quiet"])
        .env(CHILD, f.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read like `head -3`: three findings lines, then close the pipe.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut findings = 0;
    let mut line = String::new();
    while findings < 3 {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "output ended early");
        findings += usize::from(line.starts_with("{\"id\""));
    }
    drop(out);
    // A generous guard: the assertion is that it exits at all.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("`scan` kept running after its output was closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    #[cfg(unix)]
    let by_sigpipe = std::os::unix::process::ExitStatusExt::signal(&status) == Some(13);
    #[cfg(not(unix))]
    let by_sigpipe = false;
    assert!(
        status.success() || by_sigpipe,
        "status {status:?}, stderr: {err}"
    );
    assert!(!err.contains("error"), "stderr: {err}");
}
