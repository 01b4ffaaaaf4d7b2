//! The audit trail's storage.
//!
//! **Architecture Invariant:** this module is the only writer of `audit_log`,
//! `audit_head` and `audit_checkpoints`. Appends are serialized by the row lock that
//! `UPDATE audit_head` takes (on both backends), so concurrent writers from several
//! server instances still produce one unbroken chain. Every [`CHECKPOINT_EVERY`]
//! entries, the same transaction stores an Ed25519-signed checkpoint, and every append
//! signs the new head (`audit_head.signature`). Verification requires both: a checkpoint
//! at every interval and a valid head signature, so a database writer without the
//! signing key cannot delete the checkpoints and re-chain a forged history.

use crate::query::Query;
use crate::{on_pool, Db, Result, StoreError};
use ed25519_dalek::{SigningKey, VerifyingKey};
use righttrack_core::audit::{self, Broken, ChainVerifier, Checkpoint, Entry, Hash, NewEntry};

pub const CHECKPOINT_EVERY: i64 = 64;

/// The migration that added `audit_head.signature`: a database migrated from before it
/// has an unsigned head once, which the first start signs ([`Db::audit_sign_legacy_head`]).
pub const HEAD_SIGNED_SINCE: i64 = 23;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Matches actions that start with this text (`login.` matches `login.failure`).
    pub action_prefix: Option<String>,
    pub target: Option<String>,
    /// Only entries older than this sequence number (keyset pagination, newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub checkpoints: usize,
    pub head_hash: Hash,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] Broken),
    #[error(transparent)]
    Store(#[from] StoreError),
}

type EntryRow = (i64, i64, String, String, String, String, Vec<u8>, Vec<u8>);

fn to_hash(v: &[u8], seq: i64) -> Result<Hash> {
    v.try_into()
        .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))
}

fn from_row(r: EntryRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.0,
        entry: NewEntry {
            at_ms: r.1,
            actor: r.2,
            action: r.3,
            target: r.4,
            detail: r.5,
        },
        prev_hash: to_hash(&r.6, r.0)?,
        hash: to_hash(&r.7, r.0)?,
    })
}

const COLS: &str = "seq, at_ms, actor, action, target, detail, prev_hash, hash";

impl Db {
    /// Appends an entry to the chain (and a signed checkpoint every [`CHECKPOINT_EVERY`]).
    pub async fn audit_append(&self, e: NewEntry, signer: &SigningKey) -> Result<Entry> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            let (seq, prev): (i64, Vec<u8>) = fetch!(
                &mut *tx,
                fetch_one,
                "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
            );
            let prev = to_hash(&prev, seq - 1)?;
            let entry = audit::chain(&prev, seq, e);
            execute!(
                &mut *tx,
                "INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                entry.seq,
                entry.entry.at_ms,
                &entry.entry.actor,
                &entry.entry.action,
                &entry.entry.target,
                &entry.entry.detail,
                &entry.prev_hash[..],
                &entry.hash[..],
            );
            let head = audit::sign_checkpoint(signer, seq, entry.hash);
            execute!(
                &mut *tx,
                "UPDATE audit_head SET hash = $1, signature = $2 WHERE id = 1",
                &entry.hash[..],
                &head.signature[..],
            );
            if seq % CHECKPOINT_EVERY == 0 {
                insert_checkpoint(&mut tx, &head, entry.entry.at_ms).await?;
            }
            tx.commit().await?;
            Ok(entry)
        })
    }

    /// Signs the current head now (e.g. at shutdown, or when an export is made).
    pub async fn audit_checkpoint(
        &self,
        signer: &SigningKey,
        at_ms: i64,
    ) -> Result<Option<Checkpoint>> {
        let (seq, hash) = self.audit_head().await?;
        if seq == 0 {
            return Ok(None);
        }
        let cp = audit::sign_checkpoint(signer, seq, hash);
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            let exists: i64 = scalar!(
                &mut *tx,
                fetch_one,
                "SELECT COUNT(*) FROM audit_checkpoints WHERE seq = $1",
                seq,
            );
            if exists == 0 {
                insert_checkpoint(&mut tx, &cp, at_ms).await?;
            }
            tx.commit().await?;
        });
        Ok(Some(cp))
    }

    /// The last sequence number and hash.
    pub async fn audit_head(&self) -> Result<(i64, Hash)> {
        let (seq, hash): (i64, Vec<u8>) = fetch!(
            self,
            fetch_one,
            "SELECT seq, hash FROM audit_head WHERE id = 1",
        );
        Ok((seq, to_hash(&hash, seq)?))
    }

    /// The head's sequence number, hash and signature, read together (the signature is
    /// `None` on a database migrated from before it was kept).
    async fn audit_signed_head(&self) -> Result<(i64, Hash, Option<Vec<u8>>)> {
        let (seq, hash, sig): (i64, Vec<u8>, Option<Vec<u8>>) = fetch!(
            self,
            fetch_one,
            "SELECT seq, hash, signature FROM audit_head WHERE id = 1",
        );
        Ok((seq, to_hash(&hash, seq)?, sig))
    }

    /// Signs an unsigned head once, after the migration that introduced head signatures
    /// (the caller knows the database was older). Returns whether it signed.
    pub async fn audit_sign_legacy_head(&self, signer: &SigningKey) -> Result<bool> {
        let (seq, hash, sig) = self.audit_signed_head().await?;
        if seq == 0 || sig.is_some() {
            return Ok(false);
        }
        let cp = audit::sign_checkpoint(signer, seq, hash);
        let n = execute!(
            self,
            "UPDATE audit_head SET signature = $1 WHERE id = 1 AND seq = $2 AND signature IS NULL",
            &cp.signature[..],
            seq,
        );
        Ok(n == 1)
    }

    /// Newest first, filtered, one page.
    pub async fn audit_list(&self, f: &AuditFilter) -> Result<Vec<Entry>> {
        let like = f.action_prefix.as_ref().map(|a| {
            // The prefix is literal: LIKE's wildcards in it are escaped, not dropped
            // (`user.roles_changed` must not lose its underscore).
            let literal = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("{literal}%")
        });
        let mut q = Query::new(format!("SELECT {COLS} FROM audit_log WHERE 1 = 1"));
        q.and(" AND actor = ?", f.actor.as_ref());
        q.and(" AND action LIKE ? ESCAPE '\\'", like);
        q.and(" AND target = ?", f.target.as_ref());
        q.and(" AND seq < ?", f.before_seq);
        q.push(" ORDER BY seq DESC LIMIT ?", f.limit.clamp(1, 1000));
        let rows: Vec<EntryRow> = fetch_query!(self, fetch_all, q);
        rows.into_iter().map(from_row).collect()
    }

    /// Every entry of exactly `action` recorded at or after `from_ms`, oldest first
    /// (histories rebuilt from the trail, such as team membership for the retaliation
    /// watch). `audit_list` matches prefixes and pages newest first, for people.
    pub async fn audit_by_action(&self, action: &str, from_ms: i64) -> Result<Vec<Entry>> {
        let sql =
            format!("SELECT {COLS} FROM audit_log WHERE action = $1 AND at_ms >= $2 ORDER BY seq");
        let rows: Vec<EntryRow> = fetch!(self, fetch_all, &sql, action, from_ms);
        rows.into_iter().map(from_row).collect()
    }

    /// Walks the whole chain in order, checking every link, every signed checkpoint and
    /// the head. Memory stays constant: entries are read in pages.
    pub async fn audit_verify(&self, key: &VerifyingKey) -> Result<VerifyReport, VerifyError> {
        self.audit_verify_with(key, &[]).await
    }

    /// [`Db::audit_verify`], and also every head in `exported` (signed heads kept outside
    /// the database): each must be signed by `key` and match the entry it names.
    pub async fn audit_verify_with(
        &self,
        key: &VerifyingKey,
        exported: &[Checkpoint],
    ) -> Result<VerifyReport, VerifyError> {
        // The head first: entries appended while the walk runs are left for next time,
        // so a live server's trail verifies too.
        let (head_seq, head_hash, head_sig) = self.audit_signed_head().await?;
        let cps: Vec<(i64, Vec<u8>, Vec<u8>)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT seq, hash, signature FROM audit_checkpoints WHERE seq <= $1 ORDER BY seq"
        )
        .bind(head_seq)
        .fetch_all(p)
        .await
        .map_err(StoreError::from)?);
        let mut checkpoints = Vec::with_capacity(cps.len() + exported.len());
        for (seq, hash, sig) in cps {
            checkpoints.push(Checkpoint {
                seq,
                hash: to_hash(&hash, seq)?,
                signature: sig.try_into().map_err(|_| Broken::Signature { seq })?,
            });
        }
        let stored = checkpoints.len();
        checkpoints.extend_from_slice(exported);
        checkpoints.sort_by_key(|c| c.seq);
        let mut cp_iter = checkpoints.iter().peekable();
        let mut v = ChainVerifier::new();
        let sql = format!(
            "SELECT {COLS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
        );
        let mut after = i64::MIN;
        loop {
            let rows: Vec<EntryRow> = on_pool!(self, |p| sqlx::query_as(&sql)
                .bind(after)
                .bind(head_seq)
                .fetch_all(p)
                .await
                .map_err(StoreError::from)?);
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let e = from_row(r)?;
                v.push(&e)?;
                // Every interval has its checkpoint: deleting them is not a way out.
                if e.seq % CHECKPOINT_EVERY == 0 && cp_iter.peek().is_none_or(|cp| cp.seq != e.seq)
                {
                    return Err(Broken::MissingCheckpoint { seq: e.seq }.into());
                }
                while let Some(cp) = cp_iter.peek() {
                    if cp.seq < e.seq {
                        // A checkpoint for an entry that is gone.
                        return Err(Broken::Checkpoint { seq: cp.seq }.into());
                    }
                    if cp.seq == e.seq {
                        audit::check_checkpoint(key, cp, Some(&e.hash))?;
                        cp_iter.next();
                    } else {
                        break;
                    }
                }
                after = e.seq;
            }
        }
        if let Some(cp) = cp_iter.next() {
            audit::check_checkpoint(key, cp, None).map_err(|_| Broken::Truncated {
                last: v.last_seq(),
                head: cp.seq,
            })?;
        }
        if head_seq != v.last_seq() || head_hash != v.last_hash() {
            return Err(Broken::Truncated {
                last: v.last_seq(),
                head: head_seq,
            }
            .into());
        }
        // Entries are committed with the head that records them, so rows beyond the
        // current head (one statement, one snapshot) were added around the application.
        let stray: i64 = on_pool!(self, |p| {
            sqlx::query_scalar(
            "SELECT CAST((SELECT COUNT(*) FROM audit_log WHERE seq > h.seq) + (SELECT COUNT(*) FROM audit_checkpoints WHERE seq > h.seq) AS BIGINT) FROM audit_head h WHERE h.id = 1"
        )
        .fetch_one(p)
        .await
        .map_err(StoreError::from)?
        });
        if stray > 0 {
            let (now, _) = self.audit_head().await?;
            return Err(Broken::BeyondHead { head: now }.into());
        }
        // The head itself is signed, so the entries after the last checkpoint cannot be
        // rewritten either.
        if head_seq > 0 {
            let unsigned = Broken::HeadUnsigned { seq: head_seq };
            let sig: [u8; 64] = head_sig
                .and_then(|s| s.try_into().ok())
                .ok_or(unsigned.clone())?;
            let cp = Checkpoint {
                seq: head_seq,
                hash: head_hash,
                signature: sig,
            };
            audit::check_checkpoint(key, &cp, Some(&head_hash)).map_err(|_| unsigned)?;
        }
        Ok(VerifyReport {
            entries: v.last_seq(),
            checkpoints: stored,
            head_hash: v.last_hash(),
        })
    }
}

async fn insert_checkpoint<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    cp: &Checkpoint,
    at_ms: i64,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
{
    sqlx::query::<DB>(
        "INSERT INTO audit_checkpoints (seq, hash, signature, at_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(cp.seq)
    .bind(&cp.hash[..])
    .bind(&cp.signature[..])
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
