//! Attacks on stored data through the binary: `righttrack import` against bad bytes,
//! re-sent ids and unbounded input, and what reaches the database file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use std::path::Path;

mod common;

use common::{rt, text};

/// A data directory with an administrator.
fn data_dir(tmp: &Path) -> String {
    let d = tmp.join("data").display().to_string();
    common::add_root(&["--data-dir", &d]);
    d
}

fn line(id: &str, text: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "chat", "agent_id": "a-1", "started_at": "2026-11-20T09:00:00Z",
        "turns": [{"speaker": "customer", "text": text}]
    })
    .to_string()
}

fn import(d: &str, file: &Path) -> (Option<i32>, String, String) {
    let o = rt(
        &["import", "--data-dir", d, &file.display().to_string()],
        None,
    );
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

/// An operator imports a 1,501-line export in which line 1001 holds a byte that is not
/// UTF-8. Before the fix the import stopped there with one error line and lines
/// 1001–1500 (the batch being read) were lost; now every other line is stored and the
/// bad one is named by its number.
#[test]
fn a_line_that_is_not_utf8_is_named_and_every_other_line_is_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = data_dir(tmp.path());
    let file = tmp.path().join("calls.jsonl");
    let mut bytes = Vec::new();
    for n in 1..=1501 {
        if n == 1001 {
            bytes.extend_from_slice(b"{\"id\":\"bad\xff\xfe\"}\n");
        } else {
            bytes.extend_from_slice(line(&format!("i-{n}"), "hello").as_bytes());
            bytes.push(b'\n');
        }
    }
    std::fs::write(&file, bytes).unwrap();
    let (code, out, err) = import(&d, &file);
    assert_eq!(
        code,
        Some(1),
        "a bad line makes the exit code 1: {out}{err}"
    );
    assert!(
        out.contains("1501 lines: 1500 stored, 0 duplicates, 1 errors"),
        "{out}{err}"
    );
    assert!(err.contains("calls.jsonl:1001: not UTF-8"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A sender re-sends an interaction under an id already imported, with an edited
/// transcript. Before the fix it was counted as a duplicate and dropped without a word;
/// now the import names the line and the id, stores nothing, and exits 1.
#[test]
fn a_resent_id_with_other_content_is_a_conflict_named_by_line_and_id() {
    let tmp = tempfile::tempdir().unwrap();
    let d = data_dir(tmp.path());
    let first = tmp.path().join("first.jsonl");
    std::fs::write(&first, format!("{}\n", line("c-1", "hello"))).unwrap();
    assert_eq!(import(&d, &first).0, Some(0));
    let again = tmp.path().join("again.jsonl");
    std::fs::write(
        &again,
        format!(
            "{}\n{}\n",
            line("c-1", "hello"),
            line("c-1", "hello, I changed my mind")
        ),
    )
    .unwrap();
    let (code, out, err) = import(&d, &again);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("2 lines: 0 stored, 1 duplicates, 0 errors, 1 conflicts"),
        "{out}"
    );
    assert!(
        err.contains("again.jsonl:2: field `id`") && err.contains("`c-1`"),
        "{err}"
    );
    assert!(err.contains("different content"), "{err}");
}

/// A sender imports lines with an empty id, a path as id, a 300-character id and an
/// interaction over the size limit. Before the fix all were stored; now each is refused
/// with its line and field while the good lines are stored.
#[test]
fn bad_ids_and_oversized_interactions_are_refused_by_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let d = data_dir(tmp.path());
    let file = tmp.path().join("calls.jsonl");
    let lines = [
        line("ok-1", "hello"),
        line("", "hello"),
        line("../../etc/passwd", "hello"),
        line(&"x".repeat(300), "hello"),
        line("big-1", &"refund ".repeat(200_000)),
        line("ok-2", "hello"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (code, out, err) = import(&d, &file);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("6 lines: 2 stored"), "{out}{err}");
    for n in 2..=4 {
        assert!(
            err.contains(&format!("calls.jsonl:{n}: field `id`")),
            "line {n}: {err}"
        );
    }
    assert!(
        err.contains("calls.jsonl:5: the interaction is larger than"),
        "{err}"
    );
}

/// An integrator's export carries a card number in `notes`, the caller's number in
/// `caller_ani` and the customer's account in `customer_ref`. Before the fix all three
/// were written to the database file as sent.
#[test]
fn imported_unknown_fields_and_customer_refs_reach_the_database_file_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = data_dir(tmp.path());
    let file = tmp.path().join("calls.jsonl");
    let mut v: serde_json::Value = serde_json::from_str(&line("n-1", "hello")).unwrap();
    v["notes"] = serde_json::json!("card 4111 1111 1111 1111 read out");
    v["caller_ani"] = serde_json::json!("+1 415 555 0134");
    v["customer_ref"] = serde_json::json!("CUST-4711");
    std::fs::write(&file, format!("{v}\n")).unwrap();
    let (code, out, err) = import(&d, &file);
    assert_eq!(code, Some(0), "{out}{err}");
    let mut db = std::fs::read(tmp.path().join("data/righttrack.db")).unwrap();
    db.extend(std::fs::read(tmp.path().join("data/righttrack.db-wal")).unwrap_or_default());
    for n in [
        &b"4111 1111 1111 1111"[..],
        b"1111 1111 1111",
        b"415 555 0134",
        b"CUST-4711",
    ] {
        assert!(
            !db.windows(n.len()).any(|w| w == n),
            "{} in the database file",
            String::from_utf8_lossy(n)
        );
    }
}
