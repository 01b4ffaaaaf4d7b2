//! Pay records imported from an HR file, and whether sex is collected.
//!
//! Each line's amounts, hours, grade, years of service and sex are one sealed blob
//! (the app seals and opens it); only the period, the person and the category are clear,
//! so that a re-import can replace a person's line for a period.

use crate::{ms, Db, Result};
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
        in_tx!(self, |tx| {
            let mut replaced = 0;
            for r in rows {
                let existed: Option<(String,)> = fetch!(
                    &mut *tx,
                    fetch_optional,
                    "SELECT person FROM pay_records WHERE period = $1 AND person = $2",
                    &r.period,
                    &r.person
                );
                replaced += usize::from(existed.is_some());
                execute!(
                    &mut *tx,
                    "INSERT INTO pay_records (period, person, category, sealed, imported_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period, person) DO UPDATE \
                     SET category = excluded.category, sealed = excluded.sealed, \
                     imported_at = excluded.imported_at",
                    &r.period,
                    &r.person,
                    &r.category,
                    &r.sealed,
                    ms(at)
                );
            }
            replaced
        })
    }

    /// Every line of a period, by category and person.
    pub async fn pay_records(&self, period: &str) -> Result<Vec<PayRow>> {
        let rows: Vec<(String, String, String, Vec<u8>)> = fetch!(
            self,
            fetch_all,
            "SELECT period, person, category, sealed FROM pay_records WHERE period = $1 \
             ORDER BY category, person",
            period
        );
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
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT period, COUNT(*) FROM pay_records GROUP BY period ORDER BY period DESC"
        ))
    }

    /// Is sex collected? Off until enabled.
    pub async fn pay_collects_sex(&self) -> Result<bool> {
        let on: Option<bool> = scalar!(
            self,
            fetch_optional,
            "SELECT collect_sex FROM pay_settings WHERE id = 1"
        );
        Ok(on.unwrap_or(false))
    }

    pub async fn set_pay_collects_sex(&self, on: bool, at: Timestamp) -> Result<()> {
        execute!(
            self,
            "INSERT INTO pay_settings (id, collect_sex, updated_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET collect_sex = excluded.collect_sex, \
             updated_at = excluded.updated_at",
            on,
            ms(at)
        );
        Ok(())
    }

    /// Every sealed line, for key rotation.
    pub async fn all_pay_sealed(&self) -> Result<Vec<(String, String, Vec<u8>)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT period, person, sealed FROM pay_records"
        ))
    }

    /// Replaces one line's sealed blob if it is still `old` (key rotation).
    pub async fn replace_pay_sealed(
        &self,
        period: &str,
        person: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE pay_records SET sealed = $1 WHERE period = $2 AND person = $3 AND sealed = $4",
            new,
            period,
            person,
            old
        );
        Ok(n > 0)
    }
}
