//! The `righttrack` binary as an operator uses it: real processes, real files, a real
//! server on a free port, SQLite and (when configured) PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use righttrack_core::crypto::Keyring;
use righttrack_store::testing::TestDb;
use righttrack_store::Db;
use std::path::Path;
use std::process::Output;

mod common;

use common::{add_root, fails, ok, rt, text, Server, PW};

fn dir_arg(d: &Path) -> String {
    d.display().to_string()
}

#[test]
fn serve_initialises_an_empty_directory_and_stops_gracefully() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&["--data-dir", &dir_arg(&data)]);
    let (status, body) = server.get("/healthz", None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sqlite"));
    assert!(server.stop().0.success(), "graceful shutdown exits 0");
    use std::os::unix::fs::PermissionsExt;
    for f in ["master.keys", "signing.key"] {
        let mode = std::fs::metadata(data.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    assert!(data.join("righttrack.db").exists());
    // The second start reuses what the first created.
    let again = Server::start(&["--data-dir", &dir_arg(&data)]);
    assert_eq!(again.get("/healthz", None).0, 200);
    again.stop();
}

#[test]
fn operators_add_users_and_tokens_and_tokens_work_until_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    let server = Server::start(&["--data-dir", &d]);
    let out = common::add_root(&["--data-dir", &d]);
    assert!(out.contains("added root (admin)"));
    let list = ok(&["user", "list", "--data-dir", &d], None);
    assert!(list.contains("root") && list.contains("admin"));
    assert!(!list.contains(PW) && !out.contains(PW));

    // Tokens are for service accounts (the command line is nobody's own session).
    let e = fails(&[
        "token",
        "create",
        "--data-dir",
        &d,
        "--username",
        "root",
        "--scope",
        "read",
    ]);
    assert!(e.contains("is a person"), "{e}");
    let out = ok(
        &[
            "user",
            "add-service",
            "--data-dir",
            &d,
            "--username",
            "probe-bot",
            "--role",
            "team_lead",
        ],
        None,
    );
    assert!(out.contains("added service account probe-bot"), "{out}");
    let out = ok(
        &[
            "token",
            "create",
            "--data-dir",
            &d,
            "--username",
            "probe-bot",
            "--scope",
            "read",
            "--name",
            "probe",
        ],
        None,
    );
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(
        token.starts_with("rt_") && !token.contains(' '),
        "the token alone on the last line: {out}"
    );
    let (status, body) = server.get("/api/v1/me", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"username\":\"probe-bot\""));
    ok(
        &[
            "token",
            "revoke",
            "--data-dir",
            &d,
            "--username",
            "probe-bot",
            "--name",
            "probe",
        ],
        None,
    );
    assert_eq!(server.get("/api/v1/me", Some(&token)).0, 401);

    let e = fails(&[
        "user",
        "add",
        "--data-dir",
        &d,
        "--username",
        "x",
        "--role",
        "wizard",
        "--password-stdin",
    ]);
    assert!(e.contains("--role") && e.contains("wizard"), "{e}");
    let e = fails(&[
        "user",
        "add",
        "--data-dir",
        &d,
        "--username",
        "x",
        "--role",
        "agent",
    ]);
    assert!(e.contains("--password-stdin"), "{e}");
    let o = rt(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "x",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!o.status.success() && text(&o.stderr).contains("at least 12 characters"));
    let o = rt(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "root",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(
        text(&o.stderr).contains("already exists"),
        "{}",
        text(&o.stderr)
    );
    let (_, logs) = server.stop();
    assert!(logs.contains("/api/v1/me"), "requests are logged: {logs}");
    assert!(!logs.contains(&token), "token in server logs");
}

#[test]
fn operators_build_the_organisation_and_the_management_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    ok(
        &[
            "team",
            "add",
            "--data-dir",
            &d,
            "--name",
            "Lisbon Operations",
            "--site",
            "Lisbon",
        ],
        None,
    );
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "dora",
            "--role",
            "team_lead",
            "--team",
            "Lisbon Operations",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    ok(
        &[
            "team",
            "add",
            "--data-dir",
            &d,
            "--name",
            "Billing",
            "--site",
            "Lisbon",
            "--parent",
            "Lisbon Operations",
        ],
        None,
    );
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "leo",
            "--role",
            "team_lead,agent",
            "--team",
            "Billing",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "ana",
            "--role",
            "agent",
            "--team",
            "Billing",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    let list = ok(&["team", "list", "--data-dir", &d], None);
    assert!(
        list.lines()
            .any(|l| l.starts_with("Billing") && l.contains("Lisbon Operations")),
        "{list}"
    );
    let e = fails(&[
        "team",
        "add",
        "--data-dir",
        &d,
        "--name",
        "X",
        "--site",
        "Lisbon",
        "--parent",
        "Nope",
    ]);
    assert!(e.contains("--parent") && e.contains("Nope"), "{e}");
    let o = rt(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "z",
            "--role",
            "agent",
            "--team",
            "Nope",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(
        !o.status.success() && text(&o.stderr).contains("--team: no team named \"Nope\""),
        "{}",
        text(&o.stderr)
    );
    // Leads set later: the chain of an agent is their lead, then the lead above.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::open_sqlite(&tmp.path().join("data/righttrack.db"))
            .await
            .unwrap();
        let teams = db.list_teams().await.unwrap();
        let dora = db.user_by_username("dora").await.unwrap().unwrap();
        let leo = db.user_by_username("leo").await.unwrap().unwrap();
        let ana = db.user_by_username("ana").await.unwrap().unwrap();
        for t in &teams {
            db.set_team_lead(t.id, if t.name == "Billing" { leo.id } else { dora.id })
                .await
                .unwrap();
        }
        assert_eq!(
            db.management_chain(ana.id).await.unwrap(),
            vec![leo.id, dora.id]
        );
        db.close().await;
    });
}

#[test]
fn bad_configuration_gives_one_clear_line_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("never-created");
    let d = dir_arg(&data);
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "# settings\nlisten = 8080\n").unwrap();
    let e = fails(&["serve", "--data-dir", &d, "--config", &dir_arg(&cfg)]);
    assert!(e.contains("bad.toml line 2"), "{e}");
    std::fs::write(&cfg, "colour = \"blue\"\n").unwrap();
    let e = fails(&["serve", "--data-dir", &d, "--config", &dir_arg(&cfg)]);
    assert!(e.contains("unknown field") && e.contains("colour"), "{e}");
    let e = fails(&["serve", "--data-dir", &d, "--listen", "localhost-ish"]);
    assert!(e.contains("--listen") && e.contains("HOST:PORT"), "{e}");
    let e = fails(&[
        "serve",
        "--data-dir",
        &d,
        "--database-url",
        "postgres://rt:s3cretpw@127.0.0.1:1/rt",
    ]);
    assert!(
        e.contains("cannot open the database postgres://127.0.0.1:1/rt"),
        "{e}"
    );
    assert!(!e.contains("s3cretpw"), "password in error: {e}");
    let e = fails(&["user", "list", "--data-dir", &d]);
    assert!(e.contains("no RightTrack database"), "{e}");
    assert!(
        !data.exists(),
        "a failed start must not create the data directory"
    );
}

#[test]
fn damaged_keys_and_newer_schemas_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = dir_arg(&data);
    common::add_root(&["--data-dir", &d]);
    let keys = data.join("master.keys");
    let original = std::fs::read(&keys).unwrap();

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = fails(&["user", "list", "--data-dir", &d]);
    assert!(
        e.contains("readable by other users") && e.contains("chmod 600"),
        "{e}"
    );
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();

    std::fs::write(&keys, "1 not-base64!\n").unwrap();
    let e = fails(&["user", "list", "--data-dir", &d]);
    assert!(e.contains("master.keys") && e.contains("line 1"), "{e}");

    std::fs::remove_file(&keys).unwrap();
    let e = fails(&["serve", "--data-dir", &d]);
    assert!(e.contains("master.keys") && e.contains("missing"), "{e}");
    assert!(
        !keys.exists(),
        "a missing key must never be silently regenerated"
    );
    std::fs::write(&keys, &original).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(ok(&["user", "list", "--data-dir", &d], None).contains("root"));

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::open_sqlite(&data.join("righttrack.db")).await.unwrap();
        righttrack_store::sqlx::raw_sql(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99990101000000, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 0)",
        )
        .execute(match &db.backend {
            righttrack_store::Backend::Sqlite(p) => p,
            _ => unreachable!(),
        })
        .await
        .unwrap();
        db.close().await;
    });
    let e = fails(&["serve", "--data-dir", &d]);
    assert!(e.contains("newer than this righttrack binary"), "{e}");
}

fn tamper_sql(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 2;"
    } else {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 2;"
    }
}

#[test]
fn audit_verify_detects_tampering_on_both_backends_and_rotation_rewraps() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dbs = rt.block_on(TestDb::each()).unwrap();
    for t in &dbs {
        let tmp = tempfile::tempdir().unwrap();
        // SQLite lives in the data directory; PostgreSQL is named by URL and the data
        // directory holds only the keys.
        let (data, url) = match t.data_dir() {
            Some(dir) => (dir.to_path_buf(), None),
            None => (tmp.path().join("keys"), Some(t.url())),
        };
        let d = dir_arg(&data);
        let mut base = vec!["--data-dir".to_owned(), d.clone()];
        if let Some(u) = &url {
            base.extend(["--database-url".to_owned(), u.clone()]);
        }
        let with = |extra: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.extend(base.iter().cloned());
            v
        };

        // Fresh TestDb databases are migrated but empty, so the first command creates keys.
        common::add_root(&common::strs(&base));
        ok_v(
            &with(&[
                "user",
                "add-service",
                "--username",
                "bot",
                "--role",
                "agent",
            ]),
            None,
        );
        ok_v(
            &with(&["token", "create", "--username", "bot", "--scope", "read"]),
            None,
        );
        let out = ok_v(&with(&["audit", "verify"]), None);
        assert!(
            out.contains("audit trail intact: 3 entries"),
            "{}: {out}",
            t.db.backend_name()
        );

        // Rotation: seal a value as enrolment would, rotate, and it opens under key 2.
        let keys =
            Keyring::parse(&std::fs::read_to_string(data.join("master.keys")).unwrap()).unwrap();
        let sealed = keys
            .seal("totp", b"JBSWY3DPEHPK3PXP", &mut rand::rngs::OsRng)
            .unwrap();
        let db = rt.block_on(async {
            match &url {
                Some(u) => Db::connect(u).await.unwrap(),
                None => Db::open_sqlite(&data.join("righttrack.db")).await.unwrap(),
            }
        });
        let root = rt.block_on(db.user_by_username("root")).unwrap().unwrap();
        rt.block_on(db.set_totp(root.id, Some(&sealed), true))
            .unwrap();
        let out = ok_v(&with(&["keys", "rotate"]), None);
        assert!(
            // The TOTP secret and the conflicts-of-interest reference key.
            out.contains("master key 2 is now current; re-wrapped 2"),
            "{out}"
        );
        let now_sealed = rt.block_on(db.all_sealed_totp()).unwrap()[0].1.clone();
        assert_eq!(Keyring::key_id_of(&now_sealed).unwrap(), 2);
        let rotated =
            Keyring::parse(&std::fs::read_to_string(data.join("master.keys")).unwrap()).unwrap();
        assert_eq!(
            rotated.open("totp", &now_sealed).unwrap(),
            b"JBSWY3DPEHPK3PXP"
        );

        rt.block_on(async {
            let sql = tamper_sql(db.backend_name());
            match &db.backend {
                righttrack_store::Backend::Sqlite(p) => righttrack_store::sqlx::raw_sql(sql)
                    .execute(p)
                    .await
                    .map(|_| ()),
                righttrack_store::Backend::Postgres(p) => righttrack_store::sqlx::raw_sql(sql)
                    .execute(p)
                    .await
                    .map(|_| ()),
            }
            .unwrap();
            db.close().await;
        });
        let o = rt_owned(&with(&["audit", "verify"]));
        assert_eq!(o.status.code(), Some(1), "{}", db.backend_name());
        let out = text(&o.stdout);
        assert!(
            out.contains("audit entry 2") && out.contains("modified"),
            "{out}"
        );
    }
}

fn ok_v(args: &[String], stdin: Option<&str>) -> String {
    ok(&common::strs(args), stdin)
}

fn rt_owned(args: &[String]) -> Output {
    rt(&common::strs(args), None)
}

#[test]
fn serve_runs_on_postgresql() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(t) = rt.block_on(TestDb::postgres()).unwrap() else {
        // Only SQLite is configured in this environment; the test command sets
        // RIGHTTRACK_TEST_PG_URL so CI always runs this.
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the PostgreSQL suite"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let url = t.url();
    let server = Server::start(&[
        "--data-dir",
        &dir_arg(&tmp.path().join("keys")),
        "--database-url",
        &url,
        "--log-format",
        "json",
    ]);
    let (status, body) = server.get("/healthz", None);
    assert_eq!((status, body.contains("postgres")), (200, true), "{body}");
    let (status, logs) = server.stop();
    assert!(status.success());
    assert!(
        logs.lines()
            .any(|l| l.starts_with('{') && l.contains("\"listening\"")),
        "JSON logs: {logs}"
    );
}

#[test]
fn import_loads_a_file_once_reports_bad_lines_by_number_and_stores_no_card_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    common::add_root(&["--data-dir", &d]);
    let file = tmp.path().join("calls.jsonl");
    let good = |id: &str| {
        format!(
            "{{\"id\":\"{id}\",\"channel\":\"chat\",\"agent_id\":\"a-1\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[{{\"speaker\":\"customer\",\"text\":\"card 5555 5555 5555 4444 please\"}}]}}"
        )
    };
    let bad = "{\"id\":\"x\",\"channel\":\"fax\",\"agent_id\":\"5555 5555 5555 4444\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[]}";
    std::fs::write(
        &file,
        format!("{}\n{bad}\n\n{}\n", good("i-1"), good("i-2")),
    )
    .unwrap();
    let o = rt(&["import", "--data-dir", &d, &dir_arg(&file)], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "bad lines make the exit code non-zero"
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(
        out.contains("4 lines: 2 stored, 0 duplicates, 1 errors"),
        "{out}"
    );
    assert!(err.contains("calls.jsonl:2: field `channel`"), "{err}");
    assert!(!err.contains("5555"), "errors never echo content: {err}");
    let again = rt(&["import", "--data-dir", &d, &dir_arg(&file)], None);
    assert!(
        text(&again.stdout).contains("0 stored, 2 duplicates"),
        "{}",
        text(&again.stdout)
    );
    let db = std::fs::read(tmp.path().join("data/righttrack.db")).unwrap();
    assert!(
        !db.windows(19).any(|w| w == b"5555 5555 5555 4444"),
        "card number at rest"
    );
    let e = fails(&["import", "--data-dir", &d, "/nonexistent/file.jsonl"]);
    assert!(e.contains("cannot open /nonexistent/file.jsonl"), "{e}");
}

/// SIGKILL in the middle of a load: every interaction whose request was answered 200 is
/// there after a restart.
#[test]
fn no_acknowledged_interaction_is_lost_when_the_server_is_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    let token = common::bot_token(&d);
    let mut server = Server::start(&["--data-dir", &d]);
    let addr = server.addr.clone();
    let load = common::Load::start(&addr, &token, 4, 25, "d");
    // Let the load run, then kill without warning.
    load.wait_for(500);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let acked = load.stop();
    assert!(acked.len() >= 500);
    let again = Server::start(&["--data-dir", &d]);
    for id in &acked {
        let (status, body) = again.get(&format!("/api/v1/interactions/{id}"), Some(&token));
        assert_eq!(
            status, 200,
            "acknowledged interaction {id} lost after SIGKILL: {body}"
        );
    }
    again.stop();
}

#[test]
fn the_privacy_vault_is_opt_in_keeps_only_ciphertext_and_follows_key_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "quinn",
            "--role",
            "qa_analyst",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    let file = tmp.path().join("calls.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"v-1\",\"channel\":\"chat\",\"agent_id\":\"a-1\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[{\"speaker\":\"customer\",\"text\":\"card 5555 5555 5555 4444 please\"}]}\n",
    )
    .unwrap();
    let e = fails(&[
        "import",
        "--data-dir",
        &d,
        "--privacy-vault",
        "--vault-retention-days",
        "0",
        &dir_arg(&file),
    ]);
    assert!(e.contains("vault-retention-days"), "{e}");
    let out = ok(
        &[
            "import",
            "--data-dir",
            &d,
            "--privacy-vault",
            &dir_arg(&file),
        ],
        None,
    );
    assert!(out.contains("1 stored"), "{out}");
    let mut bytes = std::fs::read(tmp.path().join("data/righttrack.db")).unwrap();
    bytes.extend(std::fs::read(tmp.path().join("data/righttrack.db-wal")).unwrap_or_default());
    assert!(
        !bytes.windows(19).any(|w| w == b"5555 5555 5555 4444"),
        "card number at rest"
    );
    // Rotation re-wraps the one sealed original (there is no TOTP secret yet) and the
    // conflicts-of-interest reference key.
    let out = ok(&["keys", "rotate", "--data-dir", &d], None);
    assert!(out.contains("re-wrapped 2 sealed values"), "{out}");

    // Training comes from records now: an LMS export makes quinn's current. Each line
    // stands on its own: the good one is recorded, the bad ones are named, exit 1.
    let csv = tmp.path().join("lms.csv");
    std::fs::write(
        &csv,
        "username,course,completed_at,score\nquinn,data-privacy,2026-11-01,90\nnobody,data-privacy,2026-11-01,90\nquinn,data-privacy,someday,90\n",
    )
    .unwrap();
    let o = rt(
        &["training", "import", "--data-dir", &d, &dir_arg(&csv)],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(
        out.contains("1 completions recorded, 0 already recorded, 2 lines refused"),
        "{out}"
    );
    assert!(
        err.contains("line 3: field `username`: no such user"),
        "{err}"
    );
    assert!(err.contains("line 4: field `completed_at`"), "{err}");
    assert!(!err.contains("someday"), "cells are not echoed: {err}");
    // Again: nothing twice.
    let o = rt(
        &["training", "import", "--data-dir", &d, &dir_arg(&csv)],
        None,
    );
    assert!(text(&o.stdout).contains("0 completions recorded, 1 already recorded"));
    let e = fails(&["training", "import", "--data-dir", &d, "/nonexistent.csv"]);
    assert!(e.contains("cannot read /nonexistent.csv"), "{e}");
}

/// An HR system's pay export goes in from the command line: good lines stored, bad ones
/// named by line and column on standard error (never their content), exit 1; a sex
/// column is refused while collecting sex is off; the amounts are not readable at rest.
#[test]
fn pay_data_is_imported_from_an_hr_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    add_root(&["--data-dir", &d]);
    let csv = tmp.path().join("pay.csv");
    std::fs::write(
        &csv,
        "person,period,basic_pay,hours,category,promoted\n\
         ana,2026,31415.92,1600,Agent,yes\n\
         bo,2026,lots,1600,Agent,no\n\
         cy,2026,30000,1600,Agent,perhaps\n",
    )
    .unwrap();
    let o = rt(&["pay", "import", "--data-dir", &d, &dir_arg(&csv)], None);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(
        out.contains("1 pay lines stored (0 replaced an earlier line), 2 lines refused"),
        "{out}"
    );
    assert!(err.contains("line 3: field `basic_pay`"), "{err}");
    assert!(err.contains("line 4: field `promoted`"), "{err}");
    assert!(
        !err.contains("lots") && !err.contains("perhaps"),
        "cells are not echoed: {err}"
    );
    // The same file again replaces ana's line.
    let o = rt(&["pay", "import", "--data-dir", &d, &dir_arg(&csv)], None);
    assert!(text(&o.stdout).contains("1 pay lines stored (1 replaced"));
    let mut bytes = std::fs::read(tmp.path().join("data/righttrack.db")).unwrap();
    bytes.extend(std::fs::read(tmp.path().join("data/righttrack.db-wal")).unwrap_or_default());
    assert!(!bytes.windows(8).any(|w| w == b"31415.92"), "pay at rest");
    // Sex is refused as a whole until the ethics office enables collecting it.
    std::fs::write(
        &csv,
        "person,period,basic_pay,hours,category,sex\nana,2026,1,1,A,F\n",
    )
    .unwrap();
    let e = fails(&["pay", "import", "--data-dir", &d, &dir_arg(&csv)]);
    assert!(e.contains("collecting sex is not enabled"), "{e}");
}

/// An accepted dispute's negative example goes out with `rules export-examples` and is
/// run by `rules test` on the exported pack: the rule still fires on it, which is what a
/// rules author needs to see.
#[test]
fn negative_examples_from_accepted_disputes_round_trip_into_rules_test() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = dir_arg(&data);
    common::add_root(&["--data-dir", &d]);
    let file = tmp.path().join("calls.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"x-1\",\"channel\":\"chat\",\"agent_id\":\"alex\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[{\"speaker\":\"customer\",\"text\":\"when do I get my refund?\"},{\"speaker\":\"agent\",\"text\":\"I guarantee the refund arrives today\"}]}\n",
    )
    .unwrap();
    ok(&["import", "--data-dir", &d, &dir_arg(&file)], None);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let evidence = runtime.block_on(async {
        let db = Db::open_sqlite(&data.join("righttrack.db")).await.unwrap();
        let i = db.interaction("x-1").await.unwrap().unwrap();
        let ev = i.findings["scorecard"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|it| it["item"] == "honesty")
            .unwrap()["evidence"][0]["evidence"]
            .as_str()
            .unwrap()
            .to_owned();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let id = db
            .open_dispute(
                &righttrack_store::disputes::NewDispute {
                    interaction: "x-1".into(),
                    item: "honesty".into(),
                    agent_ref: "alex".into(),
                    reason: "quoting the policy".into(),
                    evaluator: None,
                    assignee: Some("quinn".into()),
                    opened_at: now,
                    due_at: now,
                },
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap();
        let example = righttrack_store::disputes::RuleExample {
            rule: "honesty.guarantee".into(),
            text: ev.clone(),
            channel: "chat".into(),
            dispute: Some(id.clone()),
            added_by: "quinn".into(),
            at: now,
        };
        let resolution = righttrack_store::disputes::Resolution {
            outcome: "accepted".into(),
            note: "fine".into(),
            by_user: "quinn".into(),
            at: now,
        };
        assert!(db
            .resolve_dispute(&id, &resolution, None, &[example], &mut rand::rngs::OsRng)
            .await
            .unwrap());
        db.close().await;
        ev
    });
    assert!(evidence.contains("guarantee"), "{evidence}");

    let pack = tmp.path().join("pack-with-examples.toml");
    let out = ok(
        &[
            "rules",
            "export-examples",
            "--data-dir",
            &d,
            "--out",
            &dir_arg(&pack),
        ],
        None,
    );
    assert!(out.contains("1 new negative example(s)"), "{out}");
    let default = rt_owned(&["rules".into(), "test".into()]);
    assert!(
        default.status.success(),
        "the default pack passes its own examples"
    );
    let tested = rt(&["rules", "test", &dir_arg(&pack)], None);
    let report = text(&tested.stdout);
    assert_eq!(tested.status.code(), Some(1), "{report}");
    let fail_lines: Vec<&str> = report.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(fail_lines.len(), 1, "{report}");
    assert!(
        fail_lines[0].starts_with("honesty.guarantee negative[")
            && fail_lines[0].ends_with(&format!("FAIL (fired): [chat] | {evidence}")),
        "{report}"
    );
    assert!(report.contains("1 failed"), "{report}");

    // Exported again onto the exported pack, the example is not duplicated.
    let again = ok(
        &[
            "rules",
            "export-examples",
            "--data-dir",
            &d,
            "--pack",
            &dir_arg(&pack),
            "--out",
            &dir_arg(&tmp.path().join("again.toml")),
        ],
        None,
    );
    assert!(
        again.contains("0 new negative example(s) (1 already there)"),
        "{again}"
    );
    let e = fails(&[
        "rules",
        "export-examples",
        "--data-dir",
        &d,
        "--out",
        &dir_arg(&pack),
        "--pack",
        "/nonexistent/pack.toml",
    ]);
    assert!(e.contains("/nonexistent/pack.toml"), "{e}");
}

/// `speakup digest` prints the day's content-free notifications for a mailer; a bad day
/// is named.
#[test]
fn the_speakup_digest_names_a_bad_day_and_prints_nothing_when_no_work_waits() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "olga",
            "--role",
            "ethics_officer",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    let e = fails(&["speakup", "digest", "--data-dir", &d, "--day", "2026-13-01"]);
    assert!(
        e.contains("--day \"2026-13-01\": expected YYYY-MM-DD"),
        "{e}"
    );
    let out = ok(&["speakup", "digest", "--data-dir", &d], None);
    assert_eq!(out.trim(), "", "no hotline work, no line");
    let out = ok(
        &["speakup", "digest", "--data-dir", &d, "--day", "2026-11-01"],
        None,
    );
    assert_eq!(out.trim(), "");
}

/// Conflicts of interest: a disclosure's sealed details and the customer-reference key
/// are re-wrapped by `keys rotate`, and after rotation `import` (a new process, with the
/// rotated keyring) still matches the disclosed reference: the keyed hashes stay valid.
#[test]
fn conflict_disclosures_survive_key_rotation_and_still_match_on_import() {
    use righttrack_store::conflicts::SealedField;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dbs = rt.block_on(TestDb::each()).unwrap();
    for t in &dbs {
        let tmp = tempfile::tempdir().unwrap();
        let (data, url) = match t.data_dir() {
            Some(dir) => (dir.to_path_buf(), None),
            None => (tmp.path().join("keys"), Some(t.url())),
        };
        let mut base = vec!["--data-dir".to_owned(), dir_arg(&data)];
        if let Some(u) = &url {
            base.extend(["--database-url".to_owned(), u.clone()]);
        }
        let with = |extra: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.extend(base.iter().cloned());
            v
        };
        ok_v(
            &with(&[
                "user",
                "add",
                "--username",
                "alex",
                "--role",
                "agent",
                "--password-stdin",
            ]),
            Some(&format!("{PW}\n")),
        );
        let open_db = || {
            rt.block_on(async {
                match &url {
                    Some(u) => Db::connect(u).await.unwrap(),
                    None => Db::open_sqlite(&data.join("righttrack.db")).await.unwrap(),
                }
            })
        };
        let keys =
            || Keyring::parse(&std::fs::read_to_string(data.join("master.keys")).unwrap()).unwrap();
        let state = |db: Db| {
            righttrack_web::AppState::new(
                db,
                keys(),
                ed25519_dalek_key(),
                std::sync::Arc::new(righttrack_core::clock::SystemClock),
                righttrack_web::WebConfig::default(),
            )
        };
        // The agent declares a relative who is a customer (through the web layer's code).
        let db = open_db();
        let st = state(db.clone());
        let id = rt.block_on(async {
            righttrack_app::program::conflicts::ensure_key(&st)
                .await
                .unwrap();
            let alex = db.user_by_username("alex").await.unwrap().unwrap();
            let f = righttrack_core::conflicts::Fields {
                kind: "relative_customer".into(),
                name: "Marta Rivera".into(),
                relationship: "sister".into(),
                customer_refs: "CUST-4711".into(),
                ..Default::default()
            };
            righttrack_app::program::conflicts::submit(&st, &alex, &f, "hire", "")
                .await
                .unwrap()
        });
        rt.block_on(db.close());

        let out = ok_v(&with(&["keys", "rotate"]), None);
        assert!(out.contains("re-wrapped 2 sealed values"), "{out}");

        let db = open_db();
        for field in [SealedField::RefKey, SealedField::Details] {
            for (_, sealed) in rt.block_on(db.conflict_sealed(field)).unwrap() {
                assert_eq!(Keyring::key_id_of(&sealed).unwrap(), 2, "{field:?}");
            }
        }
        let row = rt.block_on(db.disclosure(&id)).unwrap().unwrap();
        let opened = keys()
            .open(
                righttrack_core::conflicts::SEAL_PURPOSE,
                &row.details_sealed.unwrap(),
            )
            .unwrap();
        assert!(String::from_utf8(opened).unwrap().contains("Marta Rivera"));
        rt.block_on(db.close());

        // After rotation, ingestion in a new process still finds the relation.
        let file = tmp.path().join("calls.jsonl");
        std::fs::write(
            &file,
            "{\"id\":\"coi-1\",\"channel\":\"voice\",\"agent_id\":\"alex\",\"customer_ref\":\"cust-4711\",\"started_at\":\"2026-11-20T09:00:00Z\",\"turns\":[{\"speaker\":\"agent\",\"text\":\"hello\"}]}\n",
        )
        .unwrap();
        let out = ok_v(&with(&["import", &dir_arg(&file)]), None);
        assert!(out.contains("1 stored"), "{out}");
        let db = open_db();
        let hits = rt.block_on(db.conflict_hits(None, 10)).unwrap();
        assert_eq!(hits.len(), 1, "{}", db.backend_name());
        assert_eq!(hits[0].interaction, "coi-1");
        assert_eq!(hits[0].disclosure, id);
        rt.block_on(db.close());
    }
}

fn ed25519_dalek_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}

/// `policies digest` prints the day's attestation reminders and escalations for a
/// mailer; a bad day is named; nothing published, nothing printed.
#[test]
fn the_policies_digest_names_a_bad_day_and_prints_nothing_before_anything_is_published() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dir_arg(&tmp.path().join("data"));
    ok(
        &[
            "user",
            "add",
            "--data-dir",
            &d,
            "--username",
            "alex",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    let e = fails(&[
        "policies",
        "digest",
        "--data-dir",
        &d,
        "--day",
        "2026-02-30",
    ]);
    assert!(
        e.contains("--day \"2026-02-30\": expected YYYY-MM-DD"),
        "{e}"
    );
    let out = ok(&["policies", "digest", "--data-dir", &d], None);
    assert_eq!(out.trim(), "", "no published policy, no reminder");
}

/// What `team list` prints (fixed-width columns), one `[team, site, parent, lead]` a team.
fn teams_listed(d: &str) -> Vec<[String; 4]> {
    ok(&["team", "list", "--data-dir", d], None)
        .lines()
        .skip(1)
        .map(|l| {
            let cell = |from: usize, to: usize| {
                l.get(from..to.min(l.len())).unwrap_or("").trim().to_owned()
            };
            [cell(0, 28), cell(29, 45), cell(46, 74), cell(75, l.len())]
        })
        .collect()
}

/// An organisation without directory provisioning brings its people in from an HR
/// export: the dry run shows every change and writes nothing, the import makes the
/// people, teams, leads and the team tree, the same file again changes nothing, a
/// later file updates and deactivates, and a file with a bad line changes nothing.
#[test]
fn directory_import_from_an_hr_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = dir_arg(&data);
    add_root(&["--data-dir", &d]);
    let csv = tmp.path().join("people.csv");
    let people = "Username,Display name,E-mail,Team,Site,Manager,Roles,Hire date,Job level,Employment status\n\
        mia,Mia Moreno,mia@example.com,Lisbon managers,Lisbon,,team_lead,2015-04-01,M2,active\n\
        lee,Lee Park,lee@example.com,Lisbon A,Lisbon,mia,team_lead,2019-09-15,L3,active\n\
        ana,Ana Silva,ana@example.com,Lisbon A,Lisbon,lee,,2023-01-09,L1,active\n\
        bo,Bo Chen,bo@example.com,Lisbon A,Lisbon,lee,agent;qa_analyst,2024-06-01,L1,on leave\n\
        cy,Cy Reyes,cy@example.com,Manila A,Manila,mia,,2022-03-01,L1,active\n";
    std::fs::write(&csv, people).unwrap();
    let import = |extra: &[&str]| -> Output {
        rt(
            &[
                &["directory", "import", "--data-dir", &d, &dir_arg(&csv)],
                extra,
            ]
            .concat(),
            None,
        )
    };

    let o = import(&["--dry-run"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for line in [
        "new site Lisbon",
        "new team Manila A at Manila",
        "add ana (Ana Silva), team Lisbon A, reports to lee",
        "team Lisbon A lead: (none) → lee",
        "team Lisbon A sits below: (none) → Lisbon managers",
        "dry run, nothing written: 5 people in the file: 5 to add",
    ] {
        assert!(out.contains(line), "{line:?} in {out}");
    }
    assert!(teams_listed(&d).is_empty(), "a dry run writes nothing");

    let out = text(&import(&[]).stdout);
    assert!(
        out.contains("5 people in the file: 5 to add, 0 to change"),
        "{out}"
    );
    let row = |t: [&str; 4]| t.map(String::from);
    assert_eq!(
        teams_listed(&d),
        vec![
            row(["Lisbon A", "Lisbon", "Lisbon managers", "lee"]),
            row(["Lisbon managers", "Lisbon", "-", "-"]),
            row(["Manila A", "Manila", "Lisbon managers", "mia"]),
        ]
    );
    let users = ok(&["user", "list", "--data-dir", &d], None);
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("bo ") && l.contains("agent,qa_analyst")),
        "{users}"
    );

    // Imported people have no password until an admin gives them a first one; a password
    // in use is never replaced that way.
    let first = [
        "user",
        "first-password",
        "--data-dir",
        &d,
        "--username",
        "ana",
        "--password-stdin",
    ];
    assert!(ok(&first, Some(&format!("{PW}\n"))).contains("ana can sign in now"));
    let o = rt(&first, Some("another long enough password\n"));
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("ana already has a password"),
        "{}",
        text(&o.stderr)
    );

    let out = text(&import(&[]).stdout);
    assert!(
        out.contains(
            "nothing to change: 5 people in the file: 0 to add, 0 to change, 0 to deactivate"
        ),
        "{out}"
    );

    // Bo leaves, Cy is no longer in the file, Ana changes her name.
    std::fs::write(
        &csv,
        people
            .replace("bo,Bo Chen,bo@example.com,Lisbon A,Lisbon,lee,agent;qa_analyst,2024-06-01,L1,on leave", "bo,Bo Chen,bo@example.com,Lisbon A,Lisbon,lee,agent;qa_analyst,2024-06-01,L1,left")
            .replace("cy,Cy Reyes,cy@example.com,Manila A,Manila,mia,,2022-03-01,L1,active\n", "")
            .replace("Ana Silva", "Ana Silva Costa"),
    )
    .unwrap();
    let out = text(&import(&["--dry-run"]).stdout);
    let changes: Vec<&str> = out.lines().filter(|l| !l.contains("dry run")).collect();
    assert_eq!(
        changes,
        vec![
            "change ana: display_name: Ana Silva → Ana Silva Costa",
            "change bo: employment_status: on_leave → left",
            "deactivate bo (the file says they left)",
            "deactivate cy (no longer in the file)",
        ]
    );
    ok(
        &["directory", "import", "--data-dir", &d, &dir_arg(&csv)],
        None,
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let disabled: Vec<String> = runtime.block_on(async {
        let db = Db::open_sqlite(&data.join("righttrack.db")).await.unwrap();
        db.list_users()
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.disabled)
            .map(|u| u.username)
            .collect()
    });
    assert_eq!(disabled, vec!["bo", "cy"]);

    // A file with bad lines changes nothing and names each line and column.
    std::fs::write(
        &csv,
        "username,display_name,team,site,manager,hire_date\n\
         ana,Ana,Lisbon A,Lisbon,lee,2023-13-01\n\
         zed,Zed,Porto B,,ghost,\n",
    )
    .unwrap();
    let o = import(&[]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("line 2: column hire_date: expected a date (YYYY-MM-DD)"),
        "{err}"
    );
    assert!(
        err.contains("line 3: column site is empty: team Porto B is new and needs a site"),
        "{err}"
    );
    assert!(
        err.contains("line 3: column manager: no one named ghost"),
        "{err}"
    );
    assert!(
        err.contains("nothing imported: 3 problems to fix first"),
        "{err}"
    );
    assert!(!list_has(&d, "zed"), "nothing was written");
}

fn list_has(d: &str, username: &str) -> bool {
    ok(&["user", "list", "--data-dir", d], None)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(username))
}
