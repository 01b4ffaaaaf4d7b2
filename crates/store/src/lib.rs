//! Persistence for RightTrack: one repository API, two backends.
//!
//! SQLite (WAL mode) is the embedded default; PostgreSQL is for multi-instance
//! deployments. Both run the *same* SQL text: queries are written in the subset the two
//! dialects share (`$1` placeholders, `BIGINT` millisecond timestamps, text UUIDs, blobs),
//! and [`on_pool!`] expands each repository body once per backend, so the compiler
//! type-checks both. Where the dialects really differ (DDL, triggers) the one source of
//! each migration says so, and [`migrations`] renders it per backend. We chose this over
//! two hand-written implementations of every repository (atuin's split) because a single
//! body cannot drift; the shared story tests in `tests/` run against both backends.
//!
//! **Architecture Invariant:** only this crate issues SQL, and only [`audit`] writes the
//! audit tables.
//!
//! Queries are runtime-checked (`sqlx::query`, not `query!`), so building needs no database.

/// The rows of `sql` (`fetch_optional`, `fetch_all` or `fetch_one` of
/// `sqlx::query_as`), the arguments bound in order: `fetch!(self, fetch_optional, &q, id)`
/// on whichever pool the [`Db`] holds, or `fetch!(&mut *tx, fetch_all, ...)` in a
/// transaction. Like every helper here it turns a database error into a [`StoreError`]
/// with `?`.
macro_rules! fetch {
    (&mut *$tx:ident, $fetch:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query_as($sql)$(.bind($arg))*.$fetch(&mut *$tx).await?
    };
    ($db:expr, $fetch:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_pool!($db, |p| sqlx::query_as($sql)$(.bind($arg))*.$fetch(p).await?)
    };
}

/// [`fetch!`] for a single column (`sqlx::query_scalar`).
macro_rules! scalar {
    (&mut *$tx:ident, $fetch:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query_scalar($sql)$(.bind($arg))*.$fetch(&mut *$tx).await?
    };
    ($db:expr, $fetch:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_pool!($db, |p| sqlx::query_scalar($sql)$(.bind($arg))*.$fetch(p).await?)
    };
}

/// Runs the statement `sql` with the arguments bound in order (on the [`Db`]'s pool, or
/// `&mut *tx`); the number of rows it touched.
macro_rules! execute {
    (&mut *$tx:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($arg))*.execute(&mut *$tx).await?.rows_affected()
    };
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_pool!($db, |p| sqlx::query($sql)$(.bind($arg))*.execute(p).await?.rows_affected())
    };
}

/// [`execute!`] that hands back the `sqlx` result instead of `?`-ing it, for
/// a caller that names what a unique-key conflict is about ([`StoreError::naming`]).
macro_rules! try_execute {
    (&mut *$tx:ident, $sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($arg))*.execute(&mut *$tx).await.map(|r| r.rows_affected())
    };
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::on_pool!($db, |p| sqlx::query($sql)$(.bind($arg))*.execute(p).await.map(|r| r.rows_affected()))
    };
}

/// Runs `body` in one transaction on whichever pool the [`Db`] holds: `tx` is the open
/// transaction, committed when the body ends with its value; a `return` from the body
/// (`return Ok::<_, StoreError>(false)`) or an error rolls it back. The whole is a
/// `Result<_, StoreError>`.
macro_rules! in_tx {
    ($db:expr, |$tx:ident| $body:block) => {
        $crate::on_pool!($db, |p| {
            async {
                let mut $tx = p.begin().await?;
                let value = $body;
                $tx.commit().await?;
                Ok::<_, $crate::StoreError>(value)
            }
            .await
        })
    };
}

#[macro_use]
mod query;

pub mod audit;
pub mod calibration;
pub mod dashboard;
pub mod directory;
pub mod disputes;
pub mod feedback;
pub mod interactions;
pub mod retaliation;
pub mod sessions;
pub mod speakup;
pub mod speakup_attachments;
pub mod speakup_cases;
pub mod speakup_config;
pub mod speakup_stats;
pub mod surveys;
pub mod testing;
pub mod tokens;
// conflicts of interest (issue 9)
pub mod conflicts;
// Issue #7: audits and corrective actions, discipline, recognition.
pub mod capa;
pub mod coaching;
pub mod discipline;
pub mod kudos;
pub mod leadership;
pub mod mail;
pub mod migrations;
mod notices;
// Policies and attestation (issue #6).
pub mod fairness;
pub mod pay;
pub mod people;
pub mod policies;
pub mod training;
// The auditor's evidence binder (issue #8).
pub mod binder;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use sqlx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {location}: {reason}")]
    Connect { location: String, reason: String },
    #[error("the database at {location} has schema version {found}, newer than this righttrack binary knows ({known}); run a newer righttrack")]
    SchemaTooNew {
        location: String,
        found: i64,
        known: i64,
    },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("not found")]
    NotFound,
    #[error("{0} already exists")]
    Conflict(String),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    /// Text the database cannot hold: PostgreSQL refuses the NUL character in text (SQLite
    /// would keep it), so both backends refuse it through this error.
    #[error("the text contains a NUL character, which cannot be stored")]
    Unstorable,
    /// The storage does not answer or cannot write (server gone, connection lost, disk
    /// full, file unreadable, no free connection in time): worth retrying later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

/// Whether `e` means the storage is out of reach or out of space rather than a bad query.
fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.parse::<i32>() {
                // SQLite (extended codes keep the primary code in the low byte):
                // READONLY, IOERR, FULL, CANTOPEN, and BUSY/LOCKED after the busy timeout.
                Ok(n) => matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14),
                // PostgreSQL SQLSTATE: connection exceptions, insufficient resources (disk
                // full, out of memory, too many connections), operator intervention
                // (terminated, shutting down), I/O errors, a database that is gone.
                Err(_) => {
                    code.starts_with("08")
                        || code.starts_with("53")
                        || code.starts_with("57P")
                        || code == "58030"
                        || code == "3D000"
                }
            }
        }
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        if let Some(db) = e.as_database_error() {
            if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
                return StoreError::Conflict("a record with that key".into());
            }
            // character_not_in_repertoire, untranslatable_character: a NUL in text.
            if matches!(db.code().as_deref(), Some("22021" | "22P05")) {
                return StoreError::Unstorable;
            }
        }
        if is_outage(&e) {
            return StoreError::Unavailable(e);
        }
        StoreError::Db(e)
    }
}

impl StoreError {
    /// Names the record a unique-key conflict is about ("user \"ana\""); other errors
    /// pass through. The database only knows a constraint was violated.
    pub(crate) fn naming(self, what: impl FnOnce() -> String) -> Self {
        match self {
            StoreError::Conflict(_) => StoreError::Conflict(what()),
            other => other,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// `Ok` when a statement touched a row, [`StoreError::NotFound`] when it touched none
/// (an update or insert-from-select of a record that does not exist).
pub(crate) fn found(rows: u64) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A user id read back from the column `what`; one that does not parse is
/// [`StoreError::Corrupt`], naming the column and the value.
pub(crate) fn uid(s: &str, what: &str) -> Result<righttrack_core::ids::UserId> {
    righttrack_core::ids::UserId::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} {s:?}")))
}

#[derive(Clone, Debug)]
#[doc(hidden)]
pub enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database. Cheap to clone (it wraps a pool).
#[derive(Clone, Debug)]
pub struct Db {
    #[doc(hidden)]
    pub backend: Backend,
    location: String,
}

/// How long a request waits for a free connection before the storage counts as
/// unavailable (the client gets 503 with `Retry-After`, not a hung request).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the same body against whichever pool the [`Db`] holds. The body is compiled once
/// per backend, so it must only use SQL both dialects accept.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Strips credentials from a database URL so it can appear in messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

impl Db {
    /// Opens (creating if needed) the SQLite database file in WAL mode.
    pub async fn open_sqlite(path: &Path) -> Result<Db> {
        let location = path.display().to_string();
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a transaction acknowledged to a client survives a crash or power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Connect {
                location: location.clone(),
                reason: e.to_string(),
            })?;
        Ok(Db {
            backend: Backend::Sqlite(pool),
            location,
        })
    }

    /// Connects to PostgreSQL. The URL's password never appears in errors.
    pub async fn connect_postgres(url: &str) -> Result<Db> {
        let location = redact_url(url);
        let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::Connect {
            location: location.clone(),
            reason: format!("invalid database URL ({})", first_line(&e.to_string())),
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Connect {
                location: location.clone(),
                reason: first_line(&e.to_string()),
            })?;
        Ok(Db {
            backend: Backend::Postgres(pool),
            location,
        })
    }

    /// Opens a database by URL: `postgres://...`/`postgresql://...`, or `sqlite:PATH`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Self::open_sqlite(Path::new(path)).await
        } else {
            Err(StoreError::Connect {
                location: redact_url(url),
                reason: "unsupported database URL; use postgres://... or sqlite:PATH".into(),
            })
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.dialect() {
            migrations::Dialect::Sqlite => "sqlite",
            migrations::Dialect::Postgres => "postgres",
        }
    }

    /// The SQL dialect of the pool this handle holds.
    fn dialect(&self) -> migrations::Dialect {
        match self.backend {
            Backend::Sqlite(_) => migrations::Dialect::Sqlite,
            Backend::Postgres(_) => migrations::Dialect::Postgres,
        }
    }

    pub fn location(&self) -> &str {
        &self.location
    }

    fn migrator(&self) -> Result<&'static sqlx::migrate::Migrator> {
        migrations::migrator(self.dialect()).map_err(StoreError::Migrate)
    }

    /// The highest migration version already applied (0 for a new database).
    pub async fn schema_version(&self) -> Result<i64> {
        let exists: bool = scalar!(
            self,
            fetch_one,
            match self.dialect() {
                migrations::Dialect::Sqlite => "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = '_sqlx_migrations'",
                migrations::Dialect::Postgres => "SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()",
            },
        );
        if !exists {
            return Ok(0);
        }
        let v: Option<i64> = scalar!(
            self,
            fetch_one,
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE",
        );
        Ok(v.unwrap_or(0))
    }

    /// Every `(table, column)` of the schema, sorted (for schema invariants in tests, such
    /// as "no table stores a client address").
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let mut cols: Vec<(String, String)> = fetch!(
            self,
            fetch_all,
            match self.dialect() {
                migrations::Dialect::Sqlite => "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'",
                migrations::Dialect::Postgres => "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema()",
            },
        );
        cols.sort();
        Ok(cols)
    }

    /// The newest schema version this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        self.migrator()
            .map(|m| m.iter().map(|m| m.version).max().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Refuses a database migrated by a newer binary, then applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        let found = self.schema_version().await?;
        let known = self.known_schema_version();
        if found > known {
            return Err(StoreError::SchemaTooNew {
                location: self.location.clone(),
                found,
                known,
            });
        }
        let migrator = self.migrator()?;
        on_pool!(self, |p| migrator.run(p).await)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        // Derived totals a migration created or emptied are rebuilt once from the
        // interactions.
        if self.derived_missing("interaction_monthly").await? {
            self.rebuild_interaction_monthly().await?;
        }
        if self.derived_missing("agent_monthly").await? {
            self.rebuild_agent_monthly().await?;
        }
        Ok(())
    }

    /// Whether interactions exist but the totals derived from them in `table` do not.
    async fn derived_missing(&self, table: &'static str) -> Result<bool> {
        let any = |sql: String| async move {
            let row: Option<i64> = scalar!(self, fetch_optional, &sql);
            Ok::<_, StoreError>(row.is_some())
        };
        Ok(
            any("SELECT CAST(1 AS BIGINT) FROM interactions LIMIT 1".into()).await?
                && !any(format!("SELECT CAST(1 AS BIGINT) FROM {table} LIMIT 1")).await?,
        )
    }

    /// Whether the database holds nothing worth a key: no schema yet, or a schema with no
    /// users and an empty audit trail. Keys may be created only for such a database.
    pub async fn holds_no_data(&self) -> Result<bool> {
        if self.schema_version().await? == 0 {
            return Ok(true);
        }
        let (seq, _) = self.audit_head().await?;
        Ok(seq == 0 && self.count_users().await? == 0)
    }

    /// What the database's own consistency check finds: empty when sound. SQLite runs
    /// `PRAGMA quick_check` (`thorough`: `PRAGMA integrity_check`, which also checks
    /// index contents); a file too damaged to read is reported, not returned as an
    /// error. PostgreSQL checks its pages itself; this only asks it to answer.
    pub async fn integrity_problems(&self, thorough: bool) -> Result<Vec<String>> {
        match &self.backend {
            Backend::Sqlite(p) => {
                let pragma = if thorough {
                    "PRAGMA integrity_check(20)"
                } else {
                    "PRAGMA quick_check(20)"
                };
                match sqlx::query_scalar::<_, String>(pragma).fetch_all(p).await {
                    Ok(rows) => Ok(rows.into_iter().filter(|r| r != "ok").collect()),
                    Err(e) => match e.as_database_error() {
                        // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), extended or not.
                        Some(d)
                            if matches!(
                                d.code()
                                    .and_then(|c| c.parse::<i32>().ok())
                                    .map(|c| c & 0xff),
                                Some(11) | Some(26)
                            ) =>
                        {
                            Ok(vec![d.message().to_owned()])
                        }
                        _ => Err(e.into()),
                    },
                }
            }
            Backend::Postgres(_) => {
                self.ping().await?;
                Ok(Vec::new())
            }
        }
    }

    /// SQLite: writes a consistent copy of the whole database to `dest` (a new file) with
    /// `VACUUM INTO`, safe while other connections write. Returns `false` on PostgreSQL,
    /// whose backups are `pg_dump`'s job.
    pub async fn sqlite_backup(&self, dest: &Path) -> Result<bool> {
        match &self.backend {
            Backend::Sqlite(p) => {
                let dest = dest.to_str().ok_or_else(|| {
                    StoreError::Corrupt("the backup path is not valid UTF-8".into())
                })?;
                sqlx::query("VACUUM INTO $1").bind(dest).execute(p).await?;
                Ok(true)
            }
            Backend::Postgres(_) => Ok(false),
        }
    }

    /// For `/healthz`: does the database answer?
    pub async fn ping(&self) -> Result<()> {
        let _: i64 = scalar!(self, fetch_one, "SELECT CAST(1 AS BIGINT)");
        Ok(())
    }

    /// Pool gauges for `/metrics`: (open connections, idle connections).
    pub fn pool_stats(&self) -> (u32, usize) {
        on_pool!(self, |p| (p.size(), p.num_idle()))
    }

    pub async fn close(&self) {
        on_pool!(self, |p| p.close().await)
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}

/// Milliseconds since the epoch, the storage form of every timestamp.
pub fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn from_ms(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("postgres://rt:s3cret@db:5432/rt"),
            "postgres://db:5432/rt"
        );
        assert_eq!(redact_url("postgres://db/rt"), "postgres://db/rt");
    }
}
