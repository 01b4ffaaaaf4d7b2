//! `righttrack scan` / `rules test` from the outside: files in, bytes out.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

use righttrack_batch::{
    run_rules_test_to, run_scan_to, Format, RedactArg, RulesTestArgs, ScanArgs,
};
use std::io::Write;
use std::process::ExitCode;

fn args(files: Vec<std::path::PathBuf>) -> ScanArgs {
    ScanArgs {
        files,
        rules: None,
        format: Format::Jsonl,
        redact: None,
        hash_key_file: None,
        threads: Some(2),
        no_progress: true,
    }
}

fn run(a: &ScanArgs) -> (ExitCode, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_scan_to(a, &mut out, &mut err, false).expect("runs");
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn line(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "channel": "chat", "agent_id": "a1", "started_at": "2026-11-20T14:03:00Z",
        "turns": [{"speaker": "customer", "text": text}], "crm_tag": {"keep": true}})
    .to_string()
}

#[test]
fn findings_in_input_order_and_errors_without_content() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for i in 0..300 {
        writeln!(f, "{}", line(&format!("i{i}"), "card 4111 1111 1111 1111")).unwrap();
        if i == 150 {
            writeln!(f, "{{\"id\": \"bad\", \"channel\": \"fax\", \"agent_id\": \"a\", \"started_at\": \"2026-11-20T14:03:00Z\", \"turns\": []}}").unwrap();
            writeln!(f, "{{\"id\": \"x\", \"turns\": [{{\"speaker\": \"customer\", \"text\": 4111111111111111}}]").unwrap();
            writeln!(f, "not json 4111 1111 1111 1111").unwrap();
            writeln!(f, "{{\"id\": \"t\", \"channel\": \"chat\", \"agent_id\": \"a\", \"started_at\": \"2026-11-20T14:03:00Z\", \"turns\": [{{\"speaker\": \"bot\", \"text\": \"4111 1111 1111 1111\"}}]}}").unwrap();
        }
    }
    f.flush().unwrap();
    let (code, out, err) = run(&args(vec![f.path().to_path_buf()]));
    assert_eq!(code, ExitCode::from(1));
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 300);
    assert!(
        ids.iter().enumerate().all(|(k, id)| *id == format!("i{k}")),
        "order kept"
    );
    assert!(err.contains(":152: field `channel`"), "{err}");
    assert!(err.contains(":153: invalid JSON"), "{err}");
    assert!(err.contains(":154: invalid JSON"), "{err}");
    assert!(err.contains(":155: field `turns[0].speaker`"), "{err}");
    assert!(!err.contains("4111"), "errors never echo content: {err}");
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["spans"][0]["kind"], "pii.card_number");
    assert_eq!(first["score"]["max"], 100);
}

#[test]
fn redacted_output_keeps_unknown_fields() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        f,
        "{}",
        line(
            "r1",
            "my email is ana@example.com and card 5555 5555 5555 4444"
        )
    )
    .unwrap();
    let mut a = args(vec![f.path().to_path_buf()]);
    a.redact = Some(RedactArg::Replace);
    let (code, out, _) = run(&a);
    assert_eq!(code, ExitCode::SUCCESS);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v["turns"][0]["text"],
        "my email is <EMAIL_1> and card <CARD_NUMBER_1>"
    );
    assert_eq!(v["crm_tag"]["keep"], true);
    a.redact = Some(RedactArg::Mask);
    let (_, out, _) = run(&a);
    assert!(out.contains("5555 55** **** 4444"), "{out}");
}

#[test]
fn hash_needs_a_key_file_and_never_prints_it() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{}", line("h1", "cvv 123 card 4111 1111 1111 1111")).unwrap();
    let mut key = tempfile::NamedTempFile::new().unwrap();
    write!(key, "super-secret-key-material-0001").unwrap();
    let mut a = args(vec![f.path().to_path_buf()]);
    a.redact = Some(RedactArg::Hash);
    a.hash_key_file = Some(key.path().to_path_buf());
    let (code, out, err) = run(&a);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    assert!(out.contains("<CARD_NUMBER:"), "{out}");
    assert!(!out.contains("super-secret") && !err.contains("super-secret"));
}

#[test]
fn csv_and_summary() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{}", line("c1", "card 4111 1111 1111 1111")).unwrap();
    let mut a = args(vec![f.path().to_path_buf()]);
    a.format = Format::Csv;
    let (_, out, _) = run(&a);
    assert!(out.starts_with("id,record,turn,start,end,kind,rule,due,score\n"));
    assert!(
        out.contains("c1,span,0,5,24,pii.card_number,pci.pan,,"),
        "{out}"
    );
    a.format = Format::Summary;
    let (_, out, _) = run(&a);
    assert!(
        out.contains("pii.card_number") && out.contains("interactions scanned: 1"),
        "{out}"
    );
}

#[test]
fn rules_test_passes_on_the_default_pack_and_fails_on_a_bad_example() {
    let mut out = Vec::new();
    let code = run_rules_test_to(
        &RulesTestArgs {
            pack: None,
            verbose: false,
        },
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(code, ExitCode::SUCCESS, "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    let mut p = tempfile::NamedTempFile::new().unwrap();
    write!(p, "name = \"t\"\nversion = \"1\"\n[[rule]]\nid = \"x.promise\"\nkind = \"conduct.guarantee\"\nspeaker = \"agent\"\nphrases = [\"i promise\"]\npositive = [\"I swear it works\"]\nnegative = [\"hello\"]\n").unwrap();
    let mut out = Vec::new();
    let code = run_rules_test_to(
        &RulesTestArgs {
            pack: Some(p.path().to_path_buf()),
            verbose: false,
        },
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(code, ExitCode::from(1));
    assert!(text.contains("x.promise positive[0]: FAIL"), "{text}");
}

/// An interaction id sent as a tab followed by a formula: the CSV of `righttrack scan`
/// defuses it (a leading `'`), as it does `=`, `+`, `-` and `@`.
#[test]
fn csv_defuses_a_formula_behind_a_tab() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{}", line("\t=1+1", "card 4111 1111 1111 1111")).unwrap();
    let mut a = args(vec![f.path().to_path_buf()]);
    a.format = Format::Csv;
    let (_, out, _) = run(&a);
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with("'\t=1+1,span,"), "{out}");
}
