//! Sealing a case's attachments: each file's metadata and body under the case key,
//! with ids that keep the order the files were sent in.
//!
//! What is accepted and stripped is decided in [`righttrack_core::attachments`]; the
//! reporter's files, with a report or with a message, come through [`seal_all`].

use crate::{Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::attachments::{self as core_att, Prepared};
use righttrack_core::casekeys::CaseKey;
use righttrack_store::speakup_attachments::SealedAttachment;

/// Random hex ids for `n` attachments, in ascending order so that a case lists them in
/// the order they were sent (the store orders by time, then id).
fn ids(n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n).map(|_| super::cases::random_id()).collect();
    ids.sort();
    ids
}

/// Seals prepared files for case `case_id` under its key, stamped `now` (plus one
/// millisecond per file, to keep their order).
pub fn seal_all(
    key: &CaseKey,
    case_id: &str,
    author: &str,
    files: &[Prepared],
    now: Timestamp,
) -> Result<Vec<SealedAttachment>> {
    files
        .iter()
        .zip(ids(files.len()))
        .enumerate()
        .map(|(i, (f, id))| {
            let (meta_sealed, body_sealed) =
                core_att::seal(key, case_id, &id, f, &mut rand::rngs::OsRng)
                    .map_err(|e| Error::internal(&e))?;
            Ok(SealedAttachment {
                id,
                author: author.to_owned(),
                meta_sealed,
                body_sealed,
                // One millisecond apart, so files listed by time keep the order they
                // were sent in even when `now` is only a day (a reporter's files).
                created_at: now
                    .checked_add(jiff::SignedDuration::from_millis(
                        i64::try_from(i).unwrap_or(0),
                    ))
                    .unwrap_or(now),
            })
        })
        .collect()
}

/// One attachment of a case, opened: what a list shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachmentView {
    pub id: String,
    /// `reporter` or `staff`.
    pub author: String,
    /// The sanitized file name.
    pub name: String,
    /// The media type (`image/jpeg`, `image/png`, `application/pdf`, `text/plain`).
    #[serde(rename = "type")]
    pub mime: &'static str,
    /// Bytes as stored (after stripping).
    pub size: u64,
    /// False for PDF: its document properties were kept.
    pub metadata_stripped: bool,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: Timestamp,
}

fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

/// A case's attachments, opened with its key, oldest first. The caller has opened the
/// case (the reporter with the receipt, staff through the data-access gate).
pub async fn list(ctx: &Ctx, case_id: &str, key: &CaseKey) -> Result<Vec<AttachmentView>> {
    ctx.db
        .speakup_attachments(case_id)
        .await?
        .into_iter()
        .map(|row| {
            let meta = core_att::open_meta(key, case_id, &row.id, &row.meta_sealed)
                .map_err(|e| Error::internal(&e))?;
            Ok(AttachmentView {
                id: row.id,
                author: row.author,
                name: meta.name,
                mime: meta.kind.mime(),
                size: meta.size,
                metadata_stripped: meta.kind.metadata_stripped(),
                created_at: row.created_at,
            })
        })
        .collect()
}

/// One attachment, opened: its sanitized name, kind and bytes as stored.
pub struct Download {
    pub name: String,
    pub kind: core_att::Kind,
    pub body: Vec<u8>,
    /// The content type to send: the kind's, or `application/octet-stream` when the
    /// bytes do not match it.
    pub content_type: &'static str,
}

/// Opens attachment `attachment_id` of case `case_id` with its key; an id that is not
/// this case's is "not found". Checks nothing about the caller and audits nothing: the
/// caller does both.
pub async fn download(
    ctx: &Ctx,
    case_id: &str,
    attachment_id: &str,
    key: &CaseKey,
) -> Result<Download> {
    let Some(a) = ctx.db.speakup_attachment(case_id, attachment_id).await? else {
        return Err(Error::not_found());
    };
    let meta = core_att::open_meta(key, case_id, &a.id, &a.meta_sealed)
        .map_err(|e| Error::internal(&e))?;
    let body = core_att::open_body(key, case_id, &a.id, &a.body_sealed)
        .map_err(|e| Error::internal(&e))?;
    let content_type = if core_att::detect(&body) == Some(meta.kind) {
        meta.kind.content_type()
    } else {
        "application/octet-stream"
    };
    Ok(Download {
        name: meta.name,
        kind: meta.kind,
        body,
        content_type,
    })
}
