//! Migrations as an operator upgrading meets them: an applied migration never changes
//! (a database made by an older version must still start), and both backends end with
//! the same schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use righttrack_store::migrations::{self, Dialect};
use righttrack_store::testing::TestDb;
use righttrack_store::Backend;
use sha2::Digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// Every migration as each backend runs it, as `backend/file.sql` → its SHA-256 (hex).
fn rendered() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dialect in Dialect::ALL {
        for (file, source) in migrations::SOURCES {
            let sql = migrations::render(source, dialect)
                .unwrap_or_else(|e| panic!("{file} ({}): {e}", dialect.name()));
            let sum = sha2::Sha256::digest(sql.as_bytes());
            let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
            out.insert(format!("{}/{file}", dialect.name()), hex);
        }
    }
    out
}

/// A migration file that is not in `migrations::SOURCES` would never run.
#[test]
fn every_migration_file_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(migrations_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = migrations::SOURCES
        .iter()
        .map(|(f, _)| (*f).to_owned())
        .collect();
    assert_eq!(
        on_disk, listed,
        "list each migration file in store::migrations::SOURCES"
    );
}

/// A developer edits a migration that databases in the field have already applied
/// (this happened twice, and a database made at an older commit no longer started:
/// the migrator refuses a changed checksum). The committed manifest
/// `crates/store/migrations/SHA256SUMS` pins every migration as each backend runs it
/// (`<sha256>  <backend>/<file>`, the text the former per-backend folders held);
/// changing, renaming or deleting one fails here, and a new migration must add its two
/// lines (this test's failure prints them).
#[test]
fn applied_migrations_never_change() {
    let manifest = std::fs::read_to_string(migrations_dir().join("SHA256SUMS")).unwrap();
    let pinned: BTreeMap<String, String> = manifest
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (sum, name) = l
                .split_once("  ")
                .expect("`<sha256>  <backend/file>` lines");
            (name.trim().to_owned(), sum.trim().to_owned())
        })
        .collect();
    let files = rendered();
    let mut problems = Vec::new();
    for (name, sum) in &pinned {
        match files.get(name) {
            None => problems.push(format!(
                "{name}: pinned but missing (an applied migration may not be removed or renamed)"
            )),
            Some(now) if now != sum => problems.push(format!(
                "{name}: changed after it was pinned; never edit an applied migration, add a new one"
            )),
            Some(_) => {}
        }
    }
    for (name, sum) in &files {
        if !pinned.contains_key(name) {
            problems.push(format!(
                "{name}: new migration not in SHA256SUMS; add the line `{sum}  {name}`"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A column as the comparison sees it: the type class and whether NULL is allowed.
type Schema = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// The documented type differences: SQLite `TEXT` is PostgreSQL `text`, `BIGINT` and
/// `INTEGER` are `bigint`/`integer`, `BLOB` is `bytea`, `BOOLEAN` is `boolean`, `REAL`
/// and `DOUBLE PRECISION` are `double precision`/`real`. Anything else must be spelled
/// the same.
fn type_class(t: &str) -> String {
    let t = t.trim().to_ascii_lowercase();
    match t.as_str() {
        "text" | "character varying" | "varchar" => "text",
        "bigint" | "integer" | "int" | "int8" | "int4" | "smallint" => "integer",
        "blob" | "bytea" => "bytes",
        "boolean" | "bool" => "boolean",
        "real" | "double precision" | "double" | "float8" | "float4" => "float",
        _ => return t,
    }
    .to_owned()
}

async fn schema(t: &TestDb) -> Schema {
    let mut out: Schema = BTreeMap::new();
    match &t.db.backend {
        Backend::Sqlite(p) => {
            let rows: Vec<(String, String, String, bool, i64)> = sqlx::query_as(
                "SELECT m.name, c.name, c.type, c.\"notnull\", c.pk FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (table, col, ty, notnull, pk) in rows {
                // A primary key column is NOT NULL in PostgreSQL whether declared or not.
                out.entry(table)
                    .or_default()
                    .insert(col, (type_class(&ty), !(notnull || pk > 0)));
            }
        }
        Backend::Postgres(p) => {
            let rows: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (table, col, ty, nullable) in rows {
                out.entry(table)
                    .or_default()
                    .insert(col, (type_class(&ty), nullable == "YES"));
            }
        }
    }
    out
}

/// A migration written for one backend only, or differently for each (a column
/// missing, another type, NULL allowed on one side), gives a deployment that behaves
/// differently on PostgreSQL than in every SQLite test. After all migrations both
/// backends have the same tables, columns, type classes and nullability. Runs when
/// `RIGHTTRACK_TEST_PG_URL` is set (as in CI); with SQLite alone there is nothing to
/// compare.
#[tokio::test]
async fn sqlite_and_postgres_have_the_same_schema_after_migrating() {
    let dbs = TestDb::each().await.unwrap();
    if dbs.len() < 2 {
        eprintln!("RIGHTTRACK_TEST_PG_URL is not set: nothing to compare SQLite with");
        return;
    }
    let lite = schema(&dbs[0]).await;
    let pg = schema(&dbs[1]).await;
    assert!(lite.len() > 10, "{lite:?}");
    let mut diffs = Vec::new();
    for table in lite
        .keys()
        .chain(pg.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (lite.get(table), pg.get(table)) {
            (Some(a), Some(b)) => {
                for col in a
                    .keys()
                    .chain(b.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                {
                    match (a.get(col), b.get(col)) {
                        (Some(x), Some(y)) if x == y => {}
                        (x, y) => diffs.push(format!(
                            "{table}.{col}: sqlite {x:?}, postgres {y:?} (type class, nullable)"
                        )),
                    }
                }
            }
            (a, _) => diffs.push(format!(
                "table {table} only in {}",
                if a.is_some() { "sqlite" } else { "postgres" }
            )),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
