//! Attachments of speak-up cases: sealed blobs only.
//!
//! Name, type and size are sealed together under the case key (field
//! `attachment:<id>:meta`), the body separately (`attachment:<id>`); see
//! [`righttrack_core::attachments`]. This module never sees either in the clear: what a
//! copy of the database shows is that a case has attachments, who added them (reporter
//! or staff), when, and roughly how large they are (the sealed body's length).
//!
//! Listing returns the metadata rows without bodies, so a case page does not read
//! megabytes it does not show; one body is fetched at a time, by case and id.

use crate::{from_ms, ms, on_pool, Db, Result};
use jiff::Timestamp;

/// One attachment, both parts sealed: as written, and as fetched for a download.
#[derive(Debug, Clone)]
pub struct SealedAttachment {
    /// Random hex; the sealing fields name it.
    pub id: String,
    /// `reporter` or `staff`.
    pub author: String,
    pub meta_sealed: Vec<u8>,
    pub body_sealed: Vec<u8>,
    pub created_at: Timestamp,
}

/// One attachment as listed: no body.
#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: String,
    pub author: String,
    pub meta_sealed: Vec<u8>,
    pub created_at: Timestamp,
}

/// `(id, author, meta_sealed, body_sealed, created_at)`.
type FullRow = (String, String, Vec<u8>, Vec<u8>, i64);

/// Writes attachments of a case inside a transaction: the one INSERT of this table,
/// shared by [`Db::add_speakup_attachments`] and `create_speakup_case`, which files a
/// report and its attachments together or not at all.
pub(crate) async fn insert<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    case: &str,
    files: &[SealedAttachment],
) -> Result<()>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
{
    for a in files {
        sqlx::query::<DB>(
            "INSERT INTO speakup_attachments (id, case_id, author, meta_sealed, body_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(a.id.as_str())
        .bind(case)
        .bind(a.author.as_str())
        .bind(&a.meta_sealed[..])
        .bind(&a.body_sealed[..])
        .bind(ms(a.created_at))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Db {
    /// Adds attachments to an existing case, all or none.
    pub async fn add_speakup_attachments(
        &self,
        case: &str,
        files: &[SealedAttachment],
    ) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            insert(&mut tx, case, files).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A case's attachments, oldest first, without their bodies.
    pub async fn speakup_attachments(&self, case: &str) -> Result<Vec<AttachmentRow>> {
        let rows: Vec<(String, String, Vec<u8>, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, author, meta_sealed, created_at FROM speakup_attachments WHERE case_id = $1 ORDER BY created_at, id",
            case,
        );
        Ok(rows
            .into_iter()
            .map(|(id, author, meta_sealed, at)| AttachmentRow {
                id,
                author,
                meta_sealed,
                created_at: from_ms(at),
            })
            .collect())
    }

    /// One attachment of one case, with its body (`None` if the case has no such
    /// attachment: an id of another case does not open here).
    pub async fn speakup_attachment(
        &self,
        case: &str,
        id: &str,
    ) -> Result<Option<SealedAttachment>> {
        let row: Option<FullRow> = fetch!(
            self,
            fetch_optional,
            "SELECT id, author, meta_sealed, body_sealed, created_at FROM speakup_attachments WHERE case_id = $1 AND id = $2",
            case,
            id,
        );
        Ok(row.map(
            |(id, author, meta_sealed, body_sealed, at)| SealedAttachment {
                id,
                author,
                meta_sealed,
                body_sealed,
                created_at: from_ms(at),
            },
        ))
    }
}
