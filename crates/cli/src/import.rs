//! `righttrack import FILE...`: bulk-load interactions straight into the store.
//!
//! Streams each file line by line and stores batches of [`BATCH`] in one transaction,
//! so memory stays constant however large the file. Each batch is scanned on a worker
//! thread while the previous one is written. Bad lines are reported as
//! `FILE:LINE: message` (never the line's content) and skipped; the exit code is 1 when
//! any line was bad. Re-importing a file stores nothing twice.

use anyhow::{Context, Result};
use righttrack_core::interactions::Prepared;
use righttrack_scan::Engine;
use righttrack_store::interactions::Outcome;
use righttrack_web::interactions::prepare_line;
use righttrack_web::AppState;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

const BATCH: usize = 500;

#[derive(Default, Debug)]
pub struct Totals {
    pub lines: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub errors: u64,
}

fn scan_batch(
    state: &AppState,
    engine: &Engine,
    lines: Vec<(String, usize, String)>,
) -> (Vec<Prepared>, Vec<String>) {
    let mut good = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (file, n, line) in lines {
        match prepare_line(state, engine, &line) {
            Ok(p) => good.push(p),
            Err(e) => errors.push(format!("{file}:{n}: {e}")),
        }
    }
    (good, errors)
}

pub async fn run(state: &AppState, files: &[PathBuf]) -> Result<Totals> {
    let engine: Arc<Engine> = state
        .engine()
        .map_err(|e| anyhow::anyhow!("rule pack: {e}"))?;
    let mut totals = Totals::default();
    let progress = std::io::stderr().is_terminal();
    let mut pending: Option<tokio::task::JoinHandle<(Vec<Prepared>, Vec<String>)>> = None;
    let flush = |t: &mut Totals, prepared: (Vec<Prepared>, Vec<String>)| {
        for e in &prepared.1 {
            eprintln!("{e}");
        }
        t.errors += prepared.1.len() as u64;
        prepared.0
    };
    for path in files {
        let name = path.display().to_string();
        let f = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
        let mut reader = BufReader::new(f);
        let mut batch = Vec::with_capacity(BATCH);
        let mut n = 0usize;
        let mut buf = String::new();
        loop {
            buf.clear();
            let read = reader
                .read_line(&mut buf)
                .with_context(|| format!("{name}:{}: cannot read (is it UTF-8 text?)", n + 1))?;
            let eof = read == 0;
            if !eof {
                n += 1;
                totals.lines += 1;
                let line = buf.trim_end_matches(['\n', '\r']);
                if !line.trim().is_empty() {
                    batch.push((name.clone(), n, line.to_owned()));
                }
            }
            if batch.len() >= BATCH || (eof && !batch.is_empty()) {
                let engine = engine.clone();
                let st = state.clone();
                let lines = std::mem::take(&mut batch);
                let next = tokio::task::spawn_blocking(move || scan_batch(&st, &engine, lines));
                if let Some(prev) = pending.replace(next) {
                    let good = flush(&mut totals, prev.await?);
                    store(state, &good, &mut totals).await?;
                }
                if progress {
                    eprint!(
                        "\rimported {} lines ({} stored, {} duplicates, {} errors)",
                        totals.lines, totals.stored, totals.duplicates, totals.errors
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
        store(state, &good, &mut totals).await?;
    }
    if progress {
        eprintln!();
    }
    Ok(totals)
}

async fn store(state: &AppState, good: &[Prepared], totals: &mut Totals) -> Result<()> {
    if good.is_empty() {
        return Ok(());
    }
    let outcomes = state
        .db
        .store_interactions(good, state.now(), &mut rand::rngs::OsRng)
        .await?;
    for o in outcomes {
        match o {
            Outcome::Stored => totals.stored += 1,
            Outcome::Duplicate => totals.duplicates += 1,
        }
    }
    Ok(())
}
