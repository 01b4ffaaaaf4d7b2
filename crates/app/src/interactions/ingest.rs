//! Preparing one interaction for the store: parse, check limits, scan, redact, hash, seal.
//!
//! Every ingestion path (the HTTP API, `righttrack import`, the message-queue consumer
//! and the demo seeders) goes through [`prepare_line`], so an interaction is treated the
//! same whichever way it came in. Preparing is synchronous and CPU-bound: callers run
//! it on a blocking thread. Errors are plain strings naming the field, never the
//! content (a bad line may hold a card number); each shell attaches its own line number.

use crate::{Ctx, Error, Result};
use righttrack_core::interactions::{
    check_limits, content_hash, prepare, VaultCopy, MAX_INTERACTION_BYTES, VAULT_PURPOSE,
};
use righttrack_store::interactions::Outcome;

pub use righttrack_core::interactions::Prepared;

/// Parses, scans and redacts one interaction (one JSON text); when the privacy vault is
/// on, also seals the original for it. The keyed-hash key must be loaded first
/// (`program::conflicts::ensure_key`). The error names the field, never the content.
pub fn prepare_line(
    ctx: &Ctx,
    engine: &righttrack_scan::Engine,
    line: &str,
) -> std::result::Result<Prepared, String> {
    if line.len() > MAX_INTERACTION_BYTES {
        return Err(format!(
            "the interaction is larger than {} KiB",
            MAX_INTERACTION_BYTES / 1024
        ));
    }
    let inter = serde_json::from_str::<righttrack_scan::Interaction>(line)
        .map_err(|e| righttrack_scan::input::describe(line, &e))?;
    check_limits(&inter)?;
    let mut p =
        prepare(engine, &inter).map_err(|_| "could not encode the interaction".to_owned())?;
    let key = ctx
        .conflict_key
        .get()
        .ok_or_else(|| "the reference key is not loaded".to_owned())?;
    p.content_hash = Some(
        content_hash(key.expose(), &inter)
            .map_err(|_| "could not encode the interaction".to_owned())?,
    );
    if let Some(r) = inter
        .customer_ref
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        // Conflicts of interest: only the keyed hash goes on, under the key checked
        // above (the same one the conflicts capability matches with).
        p.customer_ref_hash = Some(righttrack_core::conflicts::ref_hash(key.expose(), r));
    }
    if let Some(keep) = ctx.config.vault_retention {
        let sealed = ctx
            .seal(VAULT_PURPOSE, line.as_bytes())
            .map_err(|_| "could not seal the original for the privacy vault".to_owned())?;
        p.vault = Some(VaultCopy {
            sealed,
            expires_at: ctx.now().checked_add(keep).unwrap_or(jiff::Timestamp::MAX),
        });
    }
    Ok(p)
}

/// What the sender of a re-sent id with other content is told (HTTP, import, stream).
pub fn conflict_message(id: &str) -> String {
    format!("field `id`: an interaction with id `{id}` was stored before with different content; the stored one was kept and this one was not stored")
}

/// What became of a batch: the lines that could not be prepared (line number, reason)
/// and, for each prepared line, its number, its prepared form and what the store did.
#[derive(Debug, Default)]
pub struct Ingested {
    pub rejected: Vec<(usize, String)>,
    pub prepared: Vec<(usize, Prepared, Outcome)>,
}

/// Prepares numbered lines on the blocking pool (the async workers keep serving), then
/// stores the good ones in one transaction: when this returns, an acknowledged
/// interaction is durable. The keyed-hash key must be loaded first.
pub async fn ingest(ctx: &Ctx, lines: Vec<(usize, String)>) -> Result<Ingested> {
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let c = ctx.clone();
    let results = tokio::task::spawn_blocking(move || {
        lines
            .into_iter()
            .map(|(n, line)| (n, prepare_line(&c, &engine, &line)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::internal(&e))?;
    let mut out = Ingested::default();
    let mut good = Vec::new();
    let mut good_lines = Vec::new();
    for (n, r) in results {
        match r {
            Ok(p) => {
                good_lines.push(n);
                good.push(p);
            }
            Err(msg) => out.rejected.push((n, msg)),
        }
    }
    let outcomes = store(ctx, &good).await?;
    out.prepared = good_lines
        .into_iter()
        .zip(good)
        .zip(outcomes)
        .map(|((n, p), o)| (n, p, o))
        .collect();
    Ok(out)
}

/// Stores prepared interactions in one transaction; one outcome per interaction, in
/// order. When this returns, a stored interaction is durable.
pub async fn store(ctx: &Ctx, prepared: &[Prepared]) -> Result<Vec<Outcome>> {
    Ok(ctx
        .db
        .store_interactions(prepared, ctx.now(), &mut rand::rngs::OsRng)
        .await?)
}

/// What a bulk import did, line by line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Imported {
    pub stored: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub errors: u64,
}

/// Records a finished bulk import (counts only) in the audit trail.
pub async fn record_import(ctx: &Ctx, actor: &str, t: &Imported) -> Result<()> {
    ctx.audit(
        actor,
        "interactions.imported",
        "",
        serde_json::json!({"stored": t.stored, "duplicates": t.duplicates, "conflicts": t.conflicts, "errors": t.errors}),
    )
    .await?;
    Ok(())
}
