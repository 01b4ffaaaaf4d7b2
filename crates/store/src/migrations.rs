//! The schema migrations: one source per migration, rendered for each backend.
//!
//! Each file in `crates/store/migrations/` holds the DDL both dialects share, with
//! placeholders for the words they spell differently (`{{BLOB}}` is `BLOB` or `BYTEA`,
//! `{{FALSE}}`/`{{TRUE}}` are `0`/`1` or `FALSE`/`TRUE`, `{{WITHOUT_ROWID}}` is SQLite's
//! ` WITHOUT ROWID` or nothing) and, where they really differ (triggers, table
//! rebuilds), blocks of lines for one backend only, between a `--@sqlite` or
//! `--@postgres` line and an `--@end` line (the marker lines themselves vanish).
//!
//! **Architecture Invariant:** a migration's rendered text never changes once released:
//! a deployed database keeps each applied migration's checksum, and the migrator refuses
//! a changed one. `crates/store/migrations/SHA256SUMS` pins every rendering
//! (`tests/migrations.rs` checks them), and the renderings are what the former per-backend
//! folders held, byte for byte.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The SQL dialect a migration is rendered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Sqlite, Dialect::Postgres];

    /// The dialect's name, as in the `SHA256SUMS` pins (`sqlite/0001_platform.sql`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// Every placeholder with its SQLite and its PostgreSQL spelling.
const PLACEHOLDERS: [(&str, &str, &str); 4] = [
    ("{{BLOB}}", "BLOB", "BYTEA"),
    ("{{FALSE}}", "0", "FALSE"),
    ("{{TRUE}}", "1", "TRUE"),
    ("{{WITHOUT_ROWID}}", " WITHOUT ROWID", ""),
];

macro_rules! sources {
    ($($file:literal),* $(,)?) => {
        [$(($file, include_str!(concat!("../migrations/", $file)))),*]
    };
}

/// Every migration, oldest first: its file name (`NNNN_description.sql`) and its source.
/// A new migration is a new file here and in `migrations/`, plus its two pins.
pub const SOURCES: [(&str, &str); 27] = sources![
    "0001_platform.sql",
    "0002_interactions.sql",
    "0003_score_overrides.sql",
    "0004_disputes.sql",
    "0005_calibration.sql",
    "0006_feedback.sql",
    "0007_vault_and_severity.sql",
    "0008_speakup.sql",
    "0009_cases.sql",
    "0010_policies.sql",
    "0011_training.sql",
    "0012_conflicts.sql",
    "0013_surveys.sql",
    "0014_capa.sql",
    "0015_dashboard.sql",
    "0016_fairness.sql",
    "0017_binder.sql",
    "0018_agent_violations.sql",
    "0019_binder_generations.sql",
    "0020_auth_hardening.sql",
    "0021_hotline_hardening.sql",
    "0022_data_at_rest.sql",
    "0023_audit_head_signature.sql",
    "0024_pay.sql",
    "0025_coaching.sql",
    "0026_directory.sql",
    "0027_mail.sql",
];

/// The text of a migration `source` for `dialect`, or what is wrong with the source (an
/// unknown placeholder, an unclosed block).
pub fn render(source: &str, dialect: Dialect) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    let mut only: Option<Dialect> = None;
    for line in source.split_inclusive('\n') {
        match line.trim_end() {
            "--@sqlite" => only = Some(Dialect::Sqlite),
            "--@postgres" => only = Some(Dialect::Postgres),
            "--@end" => only = None,
            _ if only.is_none_or(|d| d == dialect) => out.push_str(line),
            _ => {}
        }
    }
    if only.is_some() {
        return Err("a dialect block has no `--@end` line".into());
    }
    for (token, sqlite, postgres) in PLACEHOLDERS {
        let word = match dialect {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        };
        out = out.replace(token, word);
    }
    match out.find("{{") {
        Some(at) => Err(format!(
            "unknown placeholder at `{}`",
            out[at..].lines().next().unwrap_or_default()
        )),
        None => Ok(out),
    }
}

/// A migration as sqlx's `migrate!` would have read it from `file`: the version before
/// the first `_`, the rest (less `.sql`, `_` as spaces) as its description.
fn migration(file: &str, sql: String) -> Result<Migration, String> {
    let (version, rest) = file
        .split_once('_')
        .ok_or_else(|| format!("{file}: not named NNNN_description.sql"))?;
    let version: i64 = version
        .parse()
        .map_err(|_| format!("{file}: not named NNNN_description.sql"))?;
    let description = rest.trim_end_matches(".sql").replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Ok(Migration::new(
        version,
        Cow::Owned(description),
        MigrationType::Simple,
        Cow::Owned(sql),
        no_tx,
    ))
}

/// The migrator for `dialect`, built once (an error names the broken migration).
pub(crate) fn migrator(dialect: Dialect) -> Result<&'static Migrator, String> {
    static SQLITE: OnceLock<Result<Migrator, String>> = OnceLock::new();
    static POSTGRES: OnceLock<Result<Migrator, String>> = OnceLock::new();
    let cell = match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| {
        let migrations = SOURCES
            .iter()
            .map(|(file, source)| {
                let sql = render(source, dialect).map_err(|e| format!("{file}: {e}"))?;
                migration(file, sql)
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Migrator {
            migrations: Cow::Owned(migrations),
            ..Migrator::DEFAULT
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_placeholders_render_per_dialect() {
        let src = "a {{BLOB}} DEFAULT {{FALSE}}\n--@sqlite\nlite\n--@postgres\npg\n--@end\n){{WITHOUT_ROWID}};\n";
        assert_eq!(
            render(src, Dialect::Sqlite).unwrap(),
            "a BLOB DEFAULT 0\nlite\n) WITHOUT ROWID;\n"
        );
        assert_eq!(
            render(src, Dialect::Postgres).unwrap(),
            "a BYTEA DEFAULT FALSE\npg\n);\n"
        );
        assert!(render("--@sqlite\nx\n", Dialect::Sqlite).is_err());
        assert!(render("{{NOPE}}\n", Dialect::Postgres).is_err());
    }

    #[test]
    fn every_migration_renders_with_its_version_and_description() {
        for d in Dialect::ALL {
            let m = migrator(d).unwrap();
            assert_eq!(m.migrations.len(), SOURCES.len());
            assert_eq!(m.migrations[6].version, 7);
            assert_eq!(m.migrations[6].description, "vault and severity");
        }
    }
}
