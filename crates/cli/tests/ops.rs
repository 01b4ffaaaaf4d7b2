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
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

const BIN: &str = env!("CARGO_BIN_EXE_righttrack");
const PW: &str = "a long enough operator password";

fn rt(args: &[String], stdin: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("RIGHTTRACK_DATABASE_URL")
        .env_remove("RIGHTTRACK_DATA_DIR")
        .env("NO_COLOR", "1");
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(args: &[String], stdin: Option<&str>) -> String {
    let o = rt(args, stdin);
    assert!(
        o.status.success(),
        "{args:?} failed: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
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
        ok(
            &self.with(&[
                "user",
                "add",
                "--username",
                "root",
                "--role",
                "admin",
                "--password-stdin",
            ]),
            Some(&format!("{PW}\n")),
        );
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
    let rt_ = tokio::runtime::Runtime::new().unwrap();
    for t in rt_.block_on(TestDb::each()).unwrap() {
        let inst = Install::of(&t);
        inst.init();
        let state = rt_.block_on(inst.state());
        rt_.block_on(append(&state, 70));
        assert!(ok(&inst.with(&["audit", "verify"]), None).contains("intact"));
        rt_.block_on(async {
            exec(&state.db, "DELETE FROM audit_checkpoints").await;
            rechain(&state.db, "{\"forged\":true}").await;
        });
        verify_fails(
            &inst,
            &[],
            "audit entry 64: its signed checkpoint is missing",
        );
    }
}

/// Before the first checkpoint (or after the last), the same rewrite left no signature
/// to disagree with: the head is now signed on every append.
#[test]
fn audit_verify_catches_a_rewritten_tail_by_the_head_signature() {
    let rt_ = tokio::runtime::Runtime::new().unwrap();
    for t in rt_.block_on(TestDb::each()).unwrap() {
        let inst = Install::of(&t);
        inst.init();
        let state = rt_.block_on(inst.state());
        rt_.block_on(append(&state, 5));
        rt_.block_on(rechain(&state.db, "{\"forged\":true}"));
        verify_fails(&inst, &[], "audit head at entry 6 is not signed");
        // Clearing the signature (as if the database were older) does not help.
        rt_.block_on(exec(&state.db, "UPDATE audit_head SET signature = NULL"));
        verify_fails(&inst, &[], "audit head at entry 6 is not signed");
    }
}

/// A database writer cuts the trail back to a checkpoint and reuses that checkpoint's
/// signature for the head: consistent inside the database, but the heads exported to
/// the data directory (kept by an auditor) name a later entry.
#[test]
fn exported_heads_catch_a_trail_cut_back_to_a_checkpoint() {
    let rt_ = tokio::runtime::Runtime::new().unwrap();
    for t in rt_.block_on(TestDb::each()).unwrap() {
        let inst = Install::of(&t);
        inst.init();
        let state = rt_.block_on(inst.state());
        rt_.block_on(append(&state, 130));
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
            &inst,
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
            &inst,
            &["--heads", &kept_arg],
            "audit trail ends at entry 64 but its head records entry 128",
        );
    }
}
