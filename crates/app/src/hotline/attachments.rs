//! Sealing a case's attachments: each file's metadata and body under the case key,
//! with ids that keep the order the files were sent in.
//!
//! What is accepted and stripped is decided in [`righttrack_core::attachments`]; the
//! reporter's files, with a report or with a message, come through [`seal_all`].

use crate::{Error, Result};
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
