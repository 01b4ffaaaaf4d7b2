//! Attacks on operations through the binary: the audit trail rewritten with database
//! write access, backups and restores, a corrupt database, storage outages, two servers
//! on one data directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use righttrack_core::audit::{entry_hash, NewEntry};
use righttrack_core::clock::{Clock, SystemClock};
use righttrack_core::crypto::Keyring;
use righttrack_store::testing::TestDb;
use righttrack_store::Db;
use righttrack_web::{AppState, WebConfig};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;

mod common;

use common::{text, Server};

fn rt(args: &[String], stdin: Option<&str>) -> Output {
    common::rt(&common::strs(args), stdin)
}

fn ok(args: &[String], stdin: Option<&str>) -> String {
    common::ok(&common::strs(args), stdin)
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A data directory (and, for PostgreSQL, a database URL) as the binary sees it.
struct Install {
    data: PathBuf,
    url: Option<String>,
    _tmp: tempfile::TempDir,
}

impl Install {
    fn of(t: &TestDb) -> Install {
        let tmp = tempfile::tempdir().unwrap();
        let (data, url) = match t.data_dir() {
            Some(dir) => (dir.to_path_buf(), None),
            None => (tmp.path().join("keys"), Some(t.url())),
        };
        Install {
            data,
            url,
            _tmp: tmp,
        }
    }

    fn with(&self, extra: &[&str]) -> Vec<String> {
        let mut v = args(extra);
        v.extend(["--data-dir".to_owned(), self.data.display().to_string()]);
        if let Some(u) = &self.url {
            v.extend(["--database-url".to_owned(), u.clone()]);
        }
        v
    }

    /// Creates the keys and a first user, as an operator would.
    fn init(&self) {
        common::add_root(&common::strs(&self.with(&[])));
    }

    async fn db(&self) -> Db {
        match &self.url {
            Some(u) => Db::connect(u).await.unwrap(),
            None => Db::open_sqlite(&self.data.join("righttrack.db"))
                .await
                .unwrap(),
        }
    }

    /// The server's state on this installation (its keys), exporting heads to the data
    /// directory as `serve` does.
    async fn state(&self) -> AppState {
        let keys = Keyring::parse(&std::fs::read_to_string(self.data.join("master.keys")).unwrap())
            .unwrap();
        let seed = data_encoding::BASE64
            .decode(
                std::fs::read_to_string(self.data.join("signing.key"))
                    .unwrap()
                    .trim()
                    .as_bytes(),
            )
            .unwrap();
        let signer = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap());
        AppState::new(
            self.db().await,
            keys,
            signer,
            Arc::new(SystemClock) as Arc<dyn Clock>,
            WebConfig {
                audit_heads_path: Some(self.heads()),
                ..WebConfig::default()
            },
        )
    }

    fn heads(&self) -> PathBuf {
        self.data.join("audit-heads.log")
    }
}

async fn exec(db: &Db, sql: &str) {
    righttrack_store::on_pool!(db, |p| righttrack_store::sqlx::raw_sql(sql)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
}

fn lift_append_only(db: &Db) -> &'static str {
    if db.backend_name() == "sqlite" {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    } else {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;"
    }
}

type Row = (i64, i64, String, String, String, String);

/// What an attacker with write access to the database (but not the signing key) does:
/// edit entry 2 with `forge`, recompute the unkeyed chain from there and the head.
async fn rechain(db: &Db, forge: &str) {
    exec(db, lift_append_only(db)).await;
    exec(
        db,
        &format!("UPDATE audit_log SET detail = '{forge}' WHERE seq = 2"),
    )
    .await;
    let rows: Vec<Row> = righttrack_store::on_pool!(db, |p| righttrack_store::sqlx::query_as(
        "SELECT seq, at_ms, actor, action, target, detail FROM audit_log ORDER BY seq"
    )
    .fetch_all(p)
    .await
    .unwrap());
    let mut prev = righttrack_core::audit::GENESIS;
    for (seq, at_ms, actor, action, target, detail) in rows {
        let h = entry_hash(
            &prev,
            seq,
            &NewEntry {
                at_ms,
                actor,
                action,
                target,
                detail,
            },
        );
        righttrack_store::on_pool!(db, |p| righttrack_store::sqlx::query(
            "UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3"
        )
        .bind(&prev[..])
        .bind(&h[..])
        .bind(seq)
        .execute(p)
        .await
        .map(|_| ())
        .unwrap());
        prev = h;
    }
    righttrack_store::on_pool!(db, |p| righttrack_store::sqlx::query(
        "UPDATE audit_head SET hash = $1 WHERE id = 1"
    )
    .bind(&prev[..])
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
}

async fn append(state: &AppState, n: usize) {
    for i in 0..n {
        state
            .audit(
                "root",
                "test.event",
                &format!("t{i}"),
                serde_json::json!({}),
            )
            .await
            .unwrap();
    }
}

fn verify_fails(inst: &Install, extra: &[&str], expect: &str) {
    let mut a = vec!["audit", "verify"];
    a.extend_from_slice(extra);
    let o = rt(&inst.with(&a), None);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("audit trail BROKEN") && out.contains(expect),
        "expected {expect:?}: {out}"
    );
}

/// A database writer deletes every signed checkpoint, edits an entry and recomputes the
/// unkeyed SHA-256 chain and head; before, `audit verify` then said "intact".
#[test]
fn audit_verify_catches_a_rewritten_trail_without_its_checkpoints() {
    each_install(70, |rt_, inst, state| {
        assert!(ok(&inst.with(&["audit", "verify"]), None).contains("intact"));
        rt_.block_on(async {
            exec(&state.db, "DELETE FROM audit_checkpoints").await;
            rechain(&state.db, "{\"forged\":true}").await;
        });
        verify_fails(
            inst,
            &[],
            "audit entry 64: its signed checkpoint is missing",
        );
    });
}

/// Before the first checkpoint (or after the last), the same rewrite left no signature
/// to disagree with: the head is now signed on every append.
#[test]
fn audit_verify_catches_a_rewritten_tail_by_the_head_signature() {
    each_install(5, |rt_, inst, state| {
        rt_.block_on(rechain(&state.db, "{\"forged\":true}"));
        verify_fails(inst, &[], "audit head at entry 6 is not signed");
        // Clearing the signature (as if the database were older) does not help.
        rt_.block_on(exec(&state.db, "UPDATE audit_head SET signature = NULL"));
        verify_fails(inst, &[], "audit head at entry 6 is not signed");
    });
}

/// A database writer cuts the trail back to a checkpoint and reuses that checkpoint's
/// signature for the head: consistent inside the database, but the heads exported to
/// the data directory (kept by an auditor) name a later entry.
#[test]
fn exported_heads_catch_a_trail_cut_back_to_a_checkpoint() {
    each_install(130, |rt_, inst, state| {
        let kept = inst.data.join("auditor-copy.log");
        std::fs::copy(inst.heads(), &kept).unwrap();
        let exported = std::fs::read_to_string(&kept).unwrap();
        assert_eq!(exported.lines().count(), 2, "{exported}");
        let kept_arg = kept.display().to_string();
        assert!(
            ok(&inst.with(&["audit", "verify", "--heads", &kept_arg]), None)
                .contains("intact: 131 entries")
        );
        // A forged line in an auditor's copy is not accepted.
        let forged = inst.data.join("forged.log");
        std::fs::write(&forged, exported.replace("\t64\t", "\t63\t")).unwrap();
        verify_fails(
            inst,
            &["--heads", &forged.display().to_string()],
            "audit checkpoint at entry 63: signature is invalid",
        );
        rt_.block_on(async {
            let db = &state.db;
            exec(db, lift_append_only(db)).await;
            exec(db, "DELETE FROM audit_log WHERE seq > 64").await;
            exec(db, "DELETE FROM audit_checkpoints WHERE seq > 64").await;
            exec(
                db,
                "UPDATE audit_head SET seq = 64, hash = (SELECT hash FROM audit_checkpoints WHERE seq = 64), signature = (SELECT signature FROM audit_checkpoints WHERE seq = 64)",
            )
            .await;
        });
        // Inside the database alone, the cut is invisible ...
        assert!(ok(&inst.with(&["audit", "verify"]), None).contains("intact: 64 entries"));
        // ... but not against the exported heads.
        verify_fails(
            inst,
            &["--heads", &kept_arg],
            "audit trail ends at entry 64 but its head records entry 128",
        );
    });
}

/// For each backend: an initialised install whose audit trail has `entries` entries,
/// passed to `check` with a runtime and the state opened on it.
fn each_install(entries: usize, check: impl Fn(&tokio::runtime::Runtime, &Install, &AppState)) {
    let rt_ = tokio::runtime::Runtime::new().unwrap();
    for t in rt_.block_on(TestDb::each()).unwrap() {
        let inst = Install::of(&t);
        inst.init();
        let state = rt_.block_on(inst.state());
        rt_.block_on(append(&state, entries));
        check(&rt_, &inst, &state);
    }
}

/// `serve` on a SQLite data directory.
fn serve_on(data: &Path) -> Server {
    Server::start(&["--data-dir", &data.display().to_string()])
}

/// Runs `righttrack ARGS` that must exit by itself; a process still running after a
/// minute is killed and the test fails (a second server that was not refused).
fn must_exit(args: &[String]) -> Output {
    let mut child = common::command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let o = child.wait_with_output().unwrap();
    panic!(
        "{args:?} was still running after a minute: {}",
        text(&o.stderr)
    );
}

fn sqlite_install() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    (tmp, data)
}

fn with_dir(data: &Path, extra: &[&str]) -> Vec<String> {
    let mut v = args(extra);
    v.extend(["--data-dir".to_owned(), data.display().to_string()]);
    v
}

/// Two `serve` processes on one SQLite data directory: before, the second one started
/// too, and both wrote the same database and audit trail.
#[test]
fn a_second_server_on_the_same_data_directory_is_refused() {
    let (_tmp, data) = sqlite_install();
    let first = serve_on(&data);
    let o = must_exit(&with_dir(&data, &["serve", "--listen", "127.0.0.1:0"]));
    let err = text(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("is in use by another righttrack process")
            && err.contains(&first.child.id().to_string()),
        "{err}"
    );
    assert_eq!(first.get("/healthz", None).0, 200);
    let (status, _) = first.stop();
    assert!(status.success());
    // Once the first has stopped, the directory is free again.
    let again = serve_on(&data);
    again.stop();
}

/// A damaged database file: before, the server started on it, `/healthz` said ok and
/// `audit verify` said intact.
#[test]
fn a_corrupt_database_is_refused_at_start_and_by_check() {
    let (_tmp, data) = sqlite_install();
    let inst = Install {
        data: data.clone(),
        url: None,
        _tmp: tempfile::tempdir().unwrap(),
    };
    inst.init();
    let rt_ = tokio::runtime::Runtime::new().unwrap();
    rt_.block_on(async {
        let state = inst.state().await;
        append(&state, 1500).await;
        state.db.close().await;
    });
    let out = ok(&with_dir(&data, &["check"]), None);
    assert!(
        out.contains("database: ok") && out.contains("audit trail: intact: 1501 entries"),
        "{out}"
    );
    // Damage the last pages (the audit trail's), as a torn copy or a failing disk would.
    let path = data.join("righttrack.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let page = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    let pages = bytes.len() / page;
    for p in (pages - 12)..(pages - 2) {
        for b in &mut bytes[p * page..p * page + 200] {
            *b = 0x5a;
        }
    }
    std::fs::write(&path, bytes).unwrap();

    let o = must_exit(&with_dir(&data, &["serve", "--listen", "127.0.0.1:0"]));
    let err = text(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("is damaged") && err.contains("righttrack restore"),
        "{err}"
    );
    for cmd in [&["check"][..], &["audit", "verify"][..]] {
        let o = must_exit(&with_dir(&data, cmd));
        let err = text(&o.stderr);
        assert!(!o.status.success(), "{cmd:?}: {err}");
        assert!(err.contains("is damaged"), "{cmd:?}: {err}");
    }
}

/// An operator backs up a live server while interactions stream in, loses the data
/// directory, and restores: before, there was no backup command, and a plain file
/// copy under load was corrupt.
#[test]
fn a_backup_taken_under_load_restores_into_a_working_installation() {
    let (tmp, data) = sqlite_install();
    let token = common::bot_token(&data.display().to_string());
    let server = serve_on(&data);
    let load = common::Load::start(&server.addr, &token, 2, 20, "b");
    load.wait_for(100);
    let before_backup = load.acked();
    let dest = tmp.path().join("backup");
    let out = ok(
        &with_dir(&data, &["backup", &dest.display().to_string()]),
        None,
    );
    let during_backup = load.acked().len();
    load.stop();
    server.stop();
    assert!(
        out.contains("backup written") && out.contains("Store keys/ apart"),
        "{out}"
    );
    assert!(dest.join("database/righttrack.db").exists());
    assert!(dest.join("keys/master.keys").exists() && dest.join("keys/signing.key").exists());
    assert!(
        during_backup > before_backup.len(),
        "writes continued during the backup"
    );

    // The original is gone; restore into a new directory.
    let restored = tmp.path().join("restored");
    let out = ok(
        &with_dir(&restored, &["restore", &dest.display().to_string()]),
        None,
    );
    assert!(
        out.contains("database: ok") && out.contains("audit trail: intact"),
        "{out}"
    );
    // Restoring over an installation is refused.
    let o = rt(
        &with_dir(&restored, &["restore", &dest.display().to_string()]),
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("already holds"),
        "{}",
        text(&o.stderr)
    );

    assert!(ok(&with_dir(&restored, &["audit", "verify"]), None).contains("intact"));
    let again = serve_on(&restored);
    assert_eq!(again.get("/healthz", None).0, 200);
    for id in &before_backup {
        let (status, body) = again.get(&format!("/api/v1/interactions/{id}"), Some(&token));
        assert_eq!(
            status, 200,
            "interaction {id} missing after restore: {body}"
        );
    }
    let (status, _) = again.stop();
    assert!(status.success());
    assert!(ok(&with_dir(&restored, &["check"]), None).contains("audit trail: intact"));
}

/// Verification reads the trail up to the head it started from (so a live server's trail
/// verifies); an entry slipped in after the head is still caught, not skipped.
#[test]
fn audit_verify_catches_entries_added_past_the_head() {
    each_install(5, |rt_, inst, state| {
        rt_.block_on(exec(
            &state.db,
            "INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) SELECT 7, at_ms, 'mallory', action, target, detail, hash, hash FROM audit_log WHERE seq = 6",
        ));
        verify_fails(inst, &[], "entries or checkpoints after its head (entry 6)");
    });
}
