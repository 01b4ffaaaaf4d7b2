//! Fresh databases for tests, on every backend the environment offers.
//!
//! SQLite always; PostgreSQL when `RIGHTTRACK_TEST_PG_URL` names a server whose user may
//! create databases (the test command sets it). Each [`TestDb`] is a brand-new database,
//! dropped again when the value is dropped, so tests never see each other's rows.

use crate::{Db, Result};
use std::path::PathBuf;

pub struct TestDb {
    pub db: Db,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDb({})", self.db.backend_name())
    }
}

fn random_suffix() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    data_encoding::HEXLOWER.encode(&b)
}

/// Where the PostgreSQL test server is, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("RIGHTTRACK_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..path_start], db);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestDb {
    /// A migrated SQLite database in a new temporary directory.
    pub async fn sqlite() -> Result<TestDb> {
        let dir = std::env::temp_dir().join(format!("righttrack-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Connect {
            location: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let db = Db::open_sqlite(&dir.join("righttrack.db")).await?;
        db.migrate().await?;
        Ok(TestDb {
            db,
            dir: Some(dir),
            pg: None,
        })
    }

    /// A migrated, brand-new PostgreSQL database, if a test server is configured.
    pub async fn postgres() -> Result<Option<TestDb>> {
        let Some(admin) = pg_admin_url() else {
            return Ok(None);
        };
        let name = format!("rt_test_{}", random_suffix());
        let admin_db = Db::connect_postgres(&admin).await?;
        if let crate::Backend::Postgres(p) = &admin_db.backend {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(p)
                .await?;
        }
        admin_db.close().await;
        let db = Db::connect_postgres(&with_database(&admin, &name)).await?;
        db.migrate().await?;
        Ok(Some(TestDb {
            db,
            dir: None,
            pg: Some((admin, name)),
        }))
    }

    /// One database per available backend: SQLite, then PostgreSQL if configured.
    pub async fn each() -> Result<Vec<TestDb>> {
        let mut v = vec![TestDb::sqlite().await?];
        if let Some(pg) = TestDb::postgres().await? {
            v.push(pg);
        }
        Ok(v)
    }

    /// The SQLite file (for tests that inspect bytes at rest).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("righttrack.db"))
    }

    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// The URL another process (the CLI) can open this database with.
    pub fn url(&self) -> String {
        match (&self.dir, &self.pg) {
            (Some(d), _) => format!("sqlite:{}", d.join("righttrack.db").display()),
            (_, Some((admin, name))) => with_database(admin, name),
            _ => String::new(),
        }
    }

    /// The number of rows in `table` (tests that check nothing was written).
    pub async fn count(&self, table: &str) -> Result<i64> {
        self.scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
            .await
    }

    /// One number from raw SQL, e.g. `SELECT CAST(COUNT(*) AS BIGINT) FROM ...` (tests
    /// that check rows are gone).
    pub async fn scalar(&self, sql: &str) -> Result<i64> {
        Ok(crate::on_pool!(self.db, |p| sqlx::query_scalar::<_, i64>(
            sql
        )
        .fetch_one(p)
        .await?))
    }

    /// Runs raw SQL as an attacker with direct database access would (tamper tests).
    pub async fn raw(&self, sql: &str) -> Result<()> {
        crate::on_pool!(self.db, |p| sqlx::raw_sql(sql)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }
}

/// Seeding hotline cases without the reporter flow (the analytics tests need many cases
/// with chosen facts). Sealed values are dummy bytes: nothing here can be opened.
impl TestDb {
    /// Inserts a case with `facts`, its key "wrapped" (dummy bytes) for each of `readers`.
    /// Returns the case id.
    pub async fn seed_speakup_case(
        &self,
        facts: &righttrack_core::hotline_stats::CaseFacts,
        readers: &[righttrack_core::ids::UserId],
    ) -> Result<String> {
        use rand::RngCore;
        let id = format!("case-{}", random_suffix());
        let mut lookup = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut lookup);
        crate::on_pool!(self.db, |p| {
            async {
                let mut tx = p.begin().await?;
                execute!(
                    &mut *tx,
                    "INSERT INTO speakup_cases (id, category, anonymous, status, receipt_lookup, reporter_wrap, submitted_at, closed_at, reporter_returned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &id,
                    &facts.category,
                    facts.anonymous,
                    facts.status.as_str(),
                    lookup.to_vec(),
                    vec![0u8; 8],
                    crate::ms(facts.submitted_at),
                    facts.closed_at.map(crate::ms),
                    facts.reporter_returned,
                );
                for reader in readers {
                    execute!(
                        &mut *tx,
                        "INSERT INTO speakup_wraps (case_id, user_id, wrapped) VALUES ($1, $2, $3)",
                        &id,
                        reader.to_string(),
                        vec![0u8; 8],
                    );
                }
                tx.commit().await?;
                Ok::<_, crate::StoreError>(())
            }
            .await
        })?;
        Ok(id)
    }

    /// Inserts the statistics row a destroyed case leaves behind.
    pub async fn seed_speakup_stats(
        &self,
        facts: &righttrack_core::hotline_stats::CaseFacts,
        deleted_at: jiff::Timestamp,
    ) -> Result<()> {
        let id = format!("stats-{}", random_suffix());
        crate::on_pool!(self.db, |p| {
            sqlx::query(
            "INSERT INTO speakup_stats (id, category, anonymous, final_status, reporter_returned, submitted_at, closed_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&facts.category)
        .bind(facts.anonymous)
        .bind(facts.status.as_str())
        .bind(facts.reporter_returned)
        .bind(crate::ms(facts.submitted_at))
        .bind(facts.closed_at.map(crate::ms))
        .bind(crate::ms(deleted_at))
        .execute(p)
        .await?
        .rows_affected()
        });
        Ok(())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.pg.take() {
            // Drop the database from a separate thread with its own runtime: Drop may run
            // inside a runtime that must not block.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(db) = Db::connect_postgres(&admin).await {
                        if let crate::Backend::Postgres(p) = &db.backend {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(p)
                            .await;
                        }
                        db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/test?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
