//! The evidence binder's narratives: one text per question of the catalogue
//! (`righttrack_core::binder`), with who wrote it last and when. The figures beside them
//! are computed at generation time by the modules that own them and are never stored
//! here. Every save is audited by the caller (`binder.narrative_saved`).

use crate::{from_ms, ms, on_pool, Db, Result};
use jiff::Timestamp;
use serde::Serialize;

/// A question's narrative as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Narrative {
    pub question_key: String,
    pub narrative: String,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

type Row = (String, String, String, i64);

fn narrative(r: Row) -> Narrative {
    Narrative {
        question_key: r.0,
        narrative: r.1,
        updated_by: r.2,
        updated_at: from_ms(r.3),
    }
}

impl Db {
    /// Every stored narrative, by question key.
    pub async fn binder_narratives(&self) -> Result<Vec<Narrative>> {
        let rows: Vec<Row> = on_pool!(self, |p| sqlx::query_as(
            "SELECT question_key, narrative, updated_by, updated_at FROM binder_narratives \
             ORDER BY question_key"
        )
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(narrative).collect())
    }

    /// One question's narrative, if written.
    pub async fn binder_narrative(&self, key: &str) -> Result<Option<Narrative>> {
        let row: Option<Row> = on_pool!(self, |p| sqlx::query_as(
            "SELECT question_key, narrative, updated_by, updated_at FROM binder_narratives \
             WHERE question_key = $1"
        )
        .bind(key)
        .fetch_optional(p)
        .await?);
        Ok(row.map(narrative))
    }

    /// Writes (or replaces) a question's narrative. The caller checks that `key` is in
    /// the catalogue and audits the save.
    pub async fn put_binder_narrative(
        &self,
        key: &str,
        text: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<()> {
        on_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO binder_narratives (question_key, narrative, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (question_key) DO UPDATE SET \
                 narrative = excluded.narrative, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(text)
            .bind(by)
            .bind(ms(at))
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
