//! Architecture invariants from ARCHITECTURE.md, checked against the source tree.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(rust_files(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

fn sources(krate: &str) -> Vec<(PathBuf, String)> {
    rust_files(&root().join("crates").join(krate).join("src"))
        .into_iter()
        .map(|p| {
            let s = std::fs::read_to_string(&p).unwrap();
            (p, s)
        })
        .collect()
}

fn manifest(krate: &str) -> String {
    std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap()
}

const CRATES: [&str; 6] = ["scan", "batch", "core", "store", "web", "cli"];

#[test]
fn scan_does_no_io() {
    let m = manifest("scan");
    for dep in [
        "tokio",
        "sqlx",
        "axum",
        "reqwest",
        "righttrack-store",
        "righttrack-web",
    ] {
        assert!(
            !m.contains(&format!("\n{dep}")),
            "scan must not depend on {dep}"
        );
    }
    for (p, s) in sources("scan") {
        for banned in [
            "std::fs",
            "std::net",
            "std::env",
            "std::process",
            "SystemTime::now",
            "Timestamp::now",
            "std::io::stdin",
        ] {
            assert!(
                !s.contains(banned),
                "{} uses {banned}: the scanning engine does no I/O",
                p.display()
            );
        }
    }
}

#[test]
fn core_does_no_io() {
    for (p, s) in sources("core") {
        for banned in ["std::fs", "std::net", "tokio", "sqlx", "axum"] {
            assert!(!s.contains(banned), "{} uses {banned}", p.display());
        }
    }
}

#[test]
fn only_web_knows_http() {
    for krate in CRATES {
        if krate == "web" {
            continue;
        }
        assert!(
            !manifest(krate).contains("\naxum"),
            "{krate} depends on axum"
        );
        for (p, s) in sources(krate) {
            assert!(!s.contains("axum::"), "{} uses axum", p.display());
        }
    }
}

#[test]
fn only_store_issues_sql_and_only_its_audit_module_writes_the_trail() {
    for krate in CRATES {
        for (p, s) in sources(krate) {
            let is_store = krate == "store";
            if !is_store {
                assert!(
                    !s.contains("sqlx::query"),
                    "{} issues SQL outside the store",
                    p.display()
                );
            }
            let writes_audit = [
                "INSERT INTO audit_log",
                "UPDATE audit_head",
                "INSERT INTO audit_checkpoints",
            ]
            .iter()
            .any(|w| s.contains(w));
            if writes_audit {
                assert!(
                    p.ends_with("store/src/audit.rs"),
                    "{} writes the audit tables",
                    p.display()
                );
            }
        }
    }
}

#[test]
fn the_system_clock_is_read_in_one_place() {
    for krate in CRATES {
        for (p, s) in sources(krate) {
            if p.ends_with("core/src/clock.rs") {
                continue;
            }
            assert!(
                !s.contains("Timestamp::now()") && !s.contains("SystemTime::now()"),
                "{} reads the clock",
                p.display()
            );
        }
    }
}
