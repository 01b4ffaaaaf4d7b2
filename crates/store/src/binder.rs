//! The evidence binder's narratives and generations.
//!
//! Narratives: one text per question of the catalogue (`righttrack_core::binder`), with
//! who wrote it last and when. Every save is audited by the caller
//! (`binder.narrative_saved`).
//!
//! Generations: the figures as computed by `web::binder` when a person generated the
//! binder, with the audit-trail head read after computing them. The figures are counts
//! and rates ([`Figures`], stored as JSON), never case content. A generation belongs to
//! its generator: lists and "latest" are per person, and the web layer refuses anyone
//! else's id. Every generation is audited by the caller (`binder.generated`).

use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::binder::Figures;
use righttrack_core::ids::BinderGenerationId;
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

/// A generation as listed: when, by whom, at which head (without its figures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenerationSummary {
    pub id: BinderGenerationId,
    pub generated_at: Timestamp,
    /// Username.
    pub generated_by: String,
    /// The audit-trail head when the figures had been computed: entry and hash (hex).
    pub head_seq: i64,
    pub head_hash: String,
}

/// A stored generation with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub summary: GenerationSummary,
    pub figures: Figures,
}

const GEN_COLS: &str = "id, generated_at, generated_by, head_seq, head_hash";
/// Newest first. Generations of one person follow each other in the audit trail (each
/// is audited), so the head breaks a tie of two made in the same millisecond.
const GEN_ORDER: &str = "ORDER BY generated_at DESC, head_seq DESC, id DESC";

type GenRow = (String, i64, String, i64, String);
type GenFullRow = (String, i64, String, i64, String, String);

fn summary(r: GenRow) -> Result<GenerationSummary> {
    let id = BinderGenerationId::parse(&r.0)
        .ok_or_else(|| StoreError::Corrupt(format!("binder generation id {:?}", r.0)))?;
    Ok(GenerationSummary {
        id,
        generated_at: from_ms(r.1),
        generated_by: r.2,
        head_seq: r.3,
        head_hash: r.4,
    })
}

fn generation(r: GenFullRow) -> Result<Generation> {
    let summary = summary((r.0, r.1, r.2, r.3, r.4))?;
    let figures = serde_json::from_str(&r.5).map_err(|e| {
        StoreError::Corrupt(format!("binder generation {}: figures: {e}", summary.id))
    })?;
    Ok(Generation { summary, figures })
}

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
        let rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT question_key, narrative, updated_by, updated_at FROM binder_narratives \
             ORDER BY question_key",
        );
        Ok(rows.into_iter().map(narrative).collect())
    }

    /// One question's narrative, if written.
    pub async fn binder_narrative(&self, key: &str) -> Result<Option<Narrative>> {
        let row: Option<Row> = fetch!(
            self,
            fetch_optional,
            "SELECT question_key, narrative, updated_by, updated_at FROM binder_narratives \
             WHERE question_key = $1",
            key,
        );
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
        execute!(
            self,
            "INSERT INTO binder_narratives (question_key, narrative, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (question_key) DO UPDATE SET \
                 narrative = excluded.narrative, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            key,
            text,
            by,
            ms(at),
        );
        Ok(())
    }

    /// Stores a generation. The caller computed its figures, read the head after them,
    /// and audits the generation.
    pub async fn put_binder_generation(&self, g: &Generation) -> Result<()> {
        let figures = serde_json::to_string(&g.figures)
            .map_err(|e| StoreError::Corrupt(format!("binder figures: {e}")))?;
        let s = &g.summary;
        execute!(
            self,
            "INSERT INTO binder_generations \
                 (id, generated_at, generated_by, head_seq, head_hash, figures) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            s.id.to_string(),
            ms(s.generated_at),
            &s.generated_by,
            s.head_seq,
            &s.head_hash,
            &figures,
        );
        Ok(())
    }

    /// The newest generation `generated_by` made, if any.
    pub async fn latest_binder_generation(&self, generated_by: &str) -> Result<Option<Generation>> {
        let sql = format!(
            "SELECT {GEN_COLS}, figures FROM binder_generations WHERE generated_by = $1 \
             {GEN_ORDER} LIMIT 1"
        );
        let row: Option<GenFullRow> = fetch!(self, fetch_optional, &sql, generated_by);
        row.map(generation).transpose()
    }

    /// The generations `generated_by` made, newest first, at most `limit`.
    pub async fn binder_generations(
        &self,
        generated_by: &str,
        limit: i64,
    ) -> Result<Vec<GenerationSummary>> {
        let sql = format!(
            "SELECT {GEN_COLS} FROM binder_generations WHERE generated_by = $1 \
             {GEN_ORDER} LIMIT $2"
        );
        let rows: Vec<GenRow> = fetch!(self, fetch_all, &sql, generated_by, limit);
        rows.into_iter().map(summary).collect()
    }

    /// One generation, whoever made it: the caller checks it is theirs.
    pub async fn binder_generation(&self, id: BinderGenerationId) -> Result<Option<Generation>> {
        let sql = format!("SELECT {GEN_COLS}, figures FROM binder_generations WHERE id = $1");
        let row: Option<GenFullRow> = fetch!(self, fetch_optional, &sql, id.to_string());
        row.map(generation).transpose()
    }
}
