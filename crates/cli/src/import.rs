//! `righttrack import FILE...`: bulk-load interactions straight into the store.
//!
//! Streams each file line by line and stores batches of [`BATCH`] in one transaction,
//! so memory stays constant however large the file. Each batch is scanned on a worker
//! thread while the previous one is written. Bad lines are reported as
//! `FILE:LINE: message` (never the line's content) and skipped, each by its number: a
//! line that is not UTF-8 or longer than the size limit is one bad line, and every other
//! line is still read and imported. The exit code is 1 when any line was bad.
//! Re-importing a file stores nothing twice; a line whose id was stored before with
//! different content is reported as a conflict and not stored.

use anyhow::{Context, Result};
use righttrack_app::interactions::ingest::Imported;
use righttrack_app::interactions::{conflict_message, prepare_line};
use righttrack_app::Ctx;
use righttrack_core::interactions::{Prepared, MAX_INTERACTION_BYTES};
use righttrack_scan::Engine;
use righttrack_store::interactions::Outcome;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

const BATCH: usize = 500;

/// Lines read, and what became of them.
#[derive(Default, Debug)]
pub struct Totals {
    pub lines: u64,
    pub imported: Imported,
}

/// Prepared interactions, where each came from (`FILE:LINE`), and error lines.
type Scanned = (Vec<Prepared>, Vec<String>, Vec<String>);

fn scan_batch(ctx: &Ctx, engine: &Engine, lines: Vec<(String, usize, String)>) -> Scanned {
    let mut good = Vec::with_capacity(lines.len());
    let mut at = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (file, n, line) in lines {
        match prepare_line(ctx, engine, &line) {
            Ok(p) => {
                good.push(p);
                at.push(format!("{file}:{n}"));
            }
            Err(e) => errors.push(format!("{file}:{n}: {e}")),
        }
    }
    (good, at, errors)
}

/// One line read from a file: its text, or why it cannot be used.
enum Line {
    Eof,
    Text(String),
    Bad(String),
}

/// Reads up to and including the next `\n`, keeping at most one byte more than the
/// size limit in memory (the rest of an over-long line is skipped).
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        let room = (MAX_INTERACTION_BYTES + 2).saturating_sub(buf.len());
        if part.len() > room {
            too_long = true;
        }
        buf.extend_from_slice(&part[..part.len().min(room)]);
        let used = part.len();
        reader.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(Line::Eof);
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    if too_long || buf.len() > MAX_INTERACTION_BYTES {
        return Ok(Line::Bad(format!(
            "the interaction is larger than {} KiB",
            MAX_INTERACTION_BYTES / 1024
        )));
    }
    match std::str::from_utf8(buf) {
        Ok(s) => Ok(Line::Text(s.to_owned())),
        Err(e) => Ok(Line::Bad(format!(
            "not UTF-8 text (invalid byte at column {})",
            e.valid_up_to() + 1
        ))),
    }
}

pub async fn run(ctx: &Ctx, files: &[PathBuf]) -> Result<Totals> {
    let engine: Arc<Engine> = ctx
        .engine()
        .map_err(|e| anyhow::anyhow!("rule pack: {e}"))?;
    let mut totals = Totals::default();
    let progress = std::io::stderr().is_terminal();
    let mut pending: Option<tokio::task::JoinHandle<Scanned>> = None;
    let flush = |t: &mut Totals, prepared: Scanned| {
        for e in &prepared.2 {
            eprintln!("{e}");
        }
        t.imported.errors += prepared.2.len() as u64;
        (prepared.0, prepared.1)
    };
    for path in files {
        let name = path.display().to_string();
        let f = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
        let mut reader = BufReader::new(f);
        let mut batch = Vec::with_capacity(BATCH);
        let mut n = 0usize;
        let mut buf = Vec::new();
        loop {
            let read = read_line(&mut reader, &mut buf)
                .with_context(|| format!("{name}:{}: cannot read", n + 1))?;
            let eof = matches!(read, Line::Eof);
            if !eof {
                n += 1;
                totals.lines += 1;
            }
            match read {
                Line::Eof => {}
                Line::Bad(why) => {
                    eprintln!("{name}:{n}: {why}");
                    totals.imported.errors += 1;
                }
                Line::Text(line) => {
                    if !line.trim().is_empty() {
                        batch.push((name.clone(), n, line));
                    }
                }
            }
            if batch.len() >= BATCH || (eof && !batch.is_empty()) {
                let engine = engine.clone();
                let st = ctx.clone();
                let lines = std::mem::take(&mut batch);
                let next = tokio::task::spawn_blocking(move || scan_batch(&st, &engine, lines));
                if let Some(prev) = pending.replace(next) {
                    let good = flush(&mut totals, prev.await?);
                    store(ctx, &good.0, &good.1, &mut totals.imported).await?;
                }
                if progress {
                    eprint!(
                        "\rimported {} lines ({} stored, {} duplicates, {} conflicts, {} errors)",
                        totals.lines,
                        totals.imported.stored,
                        totals.imported.duplicates,
                        totals.imported.conflicts,
                        totals.imported.errors
                    );
                    let _ = std::io::stderr().flush();
                }
            }
            if eof {
                break;
            }
        }
    }
    if let Some(prev) = pending.take() {
        let good = flush(&mut totals, prev.await?);
        store(ctx, &good.0, &good.1, &mut totals.imported).await?;
    }
    if progress {
        eprintln!();
    }
    Ok(totals)
}

async fn store(ctx: &Ctx, good: &[Prepared], at: &[String], totals: &mut Imported) -> Result<()> {
    if good.is_empty() {
        return Ok(());
    }
    let outcomes = righttrack_app::interactions::ingest::store(ctx, good)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    for ((p, at), o) in good.iter().zip(at).zip(outcomes) {
        match o {
            Outcome::Stored => totals.stored += 1,
            Outcome::Duplicate => totals.duplicates += 1,
            Outcome::Conflict => {
                eprintln!("{at}: {}", conflict_message(&p.ext_id));
                totals.conflicts += 1;
            }
        }
    }
    Ok(())
}
