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

const CRATES: [&str; 7] = ["scan", "batch", "core", "store", "app", "web", "cli"];

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
        // Addresses are values (`core::net` parses CIDR networks); sockets are I/O.
        for banned in [
            "std::fs",
            "TcpStream",
            "TcpListener",
            "UdpSocket",
            "ToSocketAddrs",
            "tokio",
            "sqlx",
            "axum",
        ] {
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

/// The source without `//` comments, so that documentation may name what the code
/// must not use.
fn code(s: &str) -> String {
    s.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn app_knows_no_http() {
    let m = manifest("app");
    for dep in ["axum", "askama", "tower", "hyper", "http"] {
        assert!(
            !m.contains(&format!("\n{dep} ")) && !m.contains(&format!("\n{dep}.")),
            "app depends on {dep}: use cases know nothing of HTTP"
        );
    }
    for (p, s) in sources("app") {
        let s = code(&s);
        // `Html(` is the web framework's response wrapper; an export format may be
        // called `Html` (the binder records which format was exported).
        for banned in ["axum", "askama", "tower", "Html(", "<html", "StatusCode"] {
            assert!(
                !s.contains(banned),
                "{} names {banned}: use cases know nothing of HTTP or HTML",
                p.display()
            );
        }
    }
}

/// A web feature's folder and the module path of one of its files, from
/// `web/src/features/<feature>/...`.
fn feature_module(p: &Path) -> Option<(String, Vec<String>)> {
    let base = root().join("crates/web/src/features");
    let rel = p.strip_prefix(&base).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if parts.len() < 2 {
        return None; // features/mod.rs: the list of features itself
    }
    let file = parts.pop()?;
    if file != "mod.rs" {
        parts.push(file.trim_end_matches(".rs").to_owned());
    }
    Some((parts[0].clone(), parts))
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

#[test]
fn features_never_import_each_other() {
    let mut wrong = Vec::new();
    for (p, s) in sources("web") {
        let Some((feature, module)) = feature_module(&p) else {
            continue;
        };
        let s = code(&s);
        // `crate::features::<other>`
        for (i, _) in s.match_indices("features::") {
            let other = ident(&s[i + "features::".len()..]);
            if !other.is_empty() && other != feature {
                wrong.push(format!("{} names features::{other}", p.display()));
            }
        }
        // `super::super::<other>`: climbing out of the feature's folder into another's.
        for (i, _) in s.match_indices("super::") {
            if i >= "super::".len() && s[..i].ends_with("super::") {
                continue; // counted from the first `super::` of the chain
            }
            let mut rest = &s[i..];
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            if up == module.len() {
                let other = ident(rest);
                if other != feature {
                    wrong.push(format!("{} reaches another feature: {other}", p.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a feature imports another (a link between features is a URL; shared logic belongs in righttrack-app):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn nav_permissions_are_their_routes() {
    let entries = righttrack_web::features::nav();
    let specs = righttrack_web::routes::specs();
    let resolved = righttrack_web::nav::resolve(&entries, &specs);
    let missing: Vec<&str> = entries
        .iter()
        .filter(|e| !resolved.iter().any(|(r, _)| r.href == e.href))
        .map(|e| e.href)
        .collect();
    assert!(
        missing.is_empty(),
        "navigation entries without a guarded GET route (the link's permission would be a guess): {missing:?}"
    );
    assert_eq!(righttrack_web::nav::links().len(), entries.len());
    for (e, action) in &resolved {
        let route = specs
            .iter()
            .find(|s| s.method == "GET" && s.path == e.href)
            .unwrap();
        assert!(
            matches!(route.access, righttrack_web::routes::Access::Act(a) if a == *action),
            "{}: the link's permission is not its route's",
            e.href
        );
    }
}

/// The web shell: what may sit at the top of `web/src` beside `features/`.
const SHELL: [&str; 15] = [
    "api",
    "auth",
    "client",
    "error",
    "extract",
    "features",
    "limit",
    "middleware",
    "nav",
    "pages",
    "params",
    "routes",
    "signin",
    "state",
    "lib",
];

#[test]
fn web_top_level_is_the_shell() {
    let src = root().join("crates/web/src");
    let mut wrong = Vec::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        let p = e.path();
        let name = p
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_module = p.is_dir() || p.extension().is_some_and(|x| x == "rs");
        if is_module && !SHELL.contains(&name.as_str()) {
            wrong.push(name);
        }
    }
    wrong.sort();
    assert!(
        wrong.is_empty(),
        "web/src holds modules that belong in a feature folder (features/<name>/): {wrong:?}"
    );
}

/// What the command line may name from `righttrack_web`: the server's state, its
/// settings and the function that serves. Everything else goes through `righttrack_app`.
const CLI_WEB_ITEMS: [&str; 3] = ["AppState", "WebConfig", "serve"];

/// The web items `s` names, as the path after `righttrack_web::` (a `use` list counts
/// each of its names).
fn web_items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices("righttrack_web::") {
        let rest = &s[i + "righttrack_web::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            out.extend(
                list[..end]
                    .split(',')
                    .map(|x| x.split_whitespace().collect::<String>())
                    .filter(|x| !x.is_empty()),
            );
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].trim_end_matches(':').to_owned());
    }
    out
}

#[test]
fn cli_uses_web_only_to_serve() {
    let mut wrong = Vec::new();
    for (p, s) in sources("cli") {
        let s = code(&s);
        if s.contains("righttrack_web as") {
            wrong.push(format!("{} renames righttrack_web", p.display()));
        }
        for item in web_items(&s) {
            if !CLI_WEB_ITEMS.contains(&item.as_str()) {
                wrong.push(format!("{} names righttrack_web::{item}", p.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the command line reaches the web crate for more than serving (imports, ingestion, sweeps, reminders, digests and demo data go through righttrack-app):\n{}",
        wrong.join("\n")
    );
}
