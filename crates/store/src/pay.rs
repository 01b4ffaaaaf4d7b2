//! Pay records imported from an HR file, and whether sex is collected.
//!
//! Each line's amounts, hours, grade, years of service and sex are one sealed blob
//! (the app seals and opens it); only the period, the person and the category are clear,
//! so that a re-import can replace a person's line for a period.

use crate::{ms, on_pool, Db, Result};
use jiff::Timestamp;

/// One stored line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRow {
    pub period: String,
    pub person: String,
    pub category: String,
    pub sealed: Vec<u8>,
}

impl Db {
    /// Stores the lines, replacing a person's earlier line for the same period, in one
    /// transaction. Returns how many replaced an earlier line.
    pub async fn put_pay_records(&self, rows: &[PayRow], at: Timestamp) -> Result<usize> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            let mut replaced = 0;
            for r in rows {
                let existed: Option<(String,)> = sqlx::query_as(
                    "SELECT person FROM pay_records WHERE period = $1 AND person = $2",
                )
                .bind(&r.period)
                .bind(&r.person)
                .fetch_optional(&mut *tx)
                .await?;
                replaced += usize::from(existed.is_some());
                sqlx::query(
                    "INSERT INTO pay_records (period, person, category, sealed, imported_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period, person) DO UPDATE \
                     SET category = excluded.category, sealed = excluded.sealed, \
                     imported_at = excluded.imported_at",
                )
                .bind(&r.period)
                .bind(&r.person)
                .bind(&r.category)
                .bind(&r.sealed)
                .bind(ms(at))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(replaced)
        })
    }

    /// Every line of a period, by category and person.
    pub async fn pay_records(&self, period: &str) -> Result<Vec<PayRow>> {
        let rows: Vec<(String, String, String, Vec<u8>)> = on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT period, person, category, sealed FROM pay_records WHERE period = $1 \
                 ORDER BY category, person",
            )
            .bind(period)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(period, person, category, sealed)| PayRow {
                period,
                person,
                category,
                sealed,
            })
            .collect())
    }

    /// The periods with pay data and their number of lines, latest first.
    pub async fn pay_periods(&self) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT period, COUNT(*) FROM pay_records GROUP BY period ORDER BY period DESC",
            )
            .fetch_all(p)
            .await?
        }))
    }

    /// Is sex collected? Off until enabled.
    pub async fn pay_collects_sex(&self) -> Result<bool> {
        let row: Option<(bool,)> = on_pool!(self, |p| {
            sqlx::query_as("SELECT collect_sex FROM pay_settings WHERE id = 1")
                .fetch_optional(p)
                .await?
        });
        Ok(row.is_some_and(|(on,)| on))
    }

    pub async fn set_pay_collects_sex(&self, on: bool, at: Timestamp) -> Result<()> {
        on_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO pay_settings (id, collect_sex, updated_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET collect_sex = excluded.collect_sex, \
                 updated_at = excluded.updated_at",
            )
            .bind(on)
            .bind(ms(at))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Every sealed line, for key rotation.
    pub async fn all_pay_sealed(&self) -> Result<Vec<(String, String, Vec<u8>)>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as("SELECT period, person, sealed FROM pay_records")
                .fetch_all(p)
                .await?
        }))
    }

    /// Replaces one line's sealed blob if it is still `old` (key rotation).
    pub async fn replace_pay_sealed(
        &self,
        period: &str,
        person: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool> {
        let n = on_pool!(self, |p| {
            sqlx::query(
                "UPDATE pay_records SET sealed = $1 WHERE period = $2 AND person = $3 AND sealed = $4",
            )
            .bind(new)
            .bind(period)
            .bind(person)
            .bind(old)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }
}
