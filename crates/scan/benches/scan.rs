//! Throughput benchmark of the engine alone (no JSON parsing, no output).
//!
//! `cargo bench -p righttrack-scan` scans the labelled dev corpus with the full
//! default pack, single-threaded and with 2..=N threads, and prints MB/s of
//! input JSON (the same bytes `righttrack scan` reads). Corpus path:
//! `RIGHTTRACK_BENCH_CORPUS`, else `../shared/bench/dev-2k.jsonl` next to the
//! repository, else a synthetic corpus generated here.
//! The best of several rounds is reported, because the machine is shared.

use righttrack_scan::{Engine, Interaction, Scratch};
use std::time::Instant;

fn corpus() -> (Vec<Interaction>, usize, String) {
    let candidates = [
        std::env::var("RIGHTTRACK_BENCH_CORPUS").unwrap_or_default(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/bench/dev-2k.jsonl"
        )
        .to_string(),
        "/work/shared/bench/dev-2k.jsonl".to_string(),
    ];
    for p in candidates.iter().filter(|p| !p.is_empty()) {
        if let Ok(src) = std::fs::read_to_string(p) {
            let v: Vec<Interaction> = src
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            if !v.is_empty() {
                return (v, src.len(), p.clone());
            }
        }
    }
    // Synthetic fallback so the bench runs anywhere.
    let mut lines = String::new();
    for i in 0..2000 {
        lines.push_str(&format!(
            r#"{{"id":"s{i}","channel":"voice","agent_id":"a1","started_at":"2026-11-20T14:03:00Z","turns":[{{"speaker":"agent","text":"this call may be recorded thank you for calling can i have the long card number please"}},{{"speaker":"customer","text":"sure it's four one one one one one one one one one one one one one one one and my email is jo dot smith at gmail dot com"}},{{"speaker":"agent","text":"thanks i'll call you back tomorrow before 5pm i guarantee your refund"}},{{"speaker":"customer","text":"my name is mario rossi and i live at 12 baker street springfield il 62704 call me at 217 555 0143"}}]}}"#
        ));
        lines.push('\n');
    }
    let v = lines
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    (v, lines.len(), "synthetic".into())
}

fn run(engine: &Engine, items: &[Interaction], threads: usize) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        for chunk in items.chunks(items.len().div_ceil(threads)) {
            s.spawn(move || {
                let mut sc = Scratch::default();
                let mut n = 0usize;
                for i in chunk {
                    n += engine.scan_with(i, &mut sc).spans.len();
                }
                std::hint::black_box(n);
            });
        }
    });
    t.elapsed().as_secs_f64()
}

fn main() {
    let engine = match Engine::default_engine() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("default pack does not compile: {e}");
            std::process::exit(1);
        }
    };
    let (items, bytes, path) = corpus();
    // Repeat the corpus so each round lasts long enough to time.
    let reps = 4;
    let all: Vec<Interaction> = (0..reps).flat_map(|_| items.iter().cloned()).collect();
    let total = (bytes * reps) as f64 / 1e6;
    println!(
        "corpus: {path} ({} interactions, {:.2} MB) x{reps}",
        items.len(),
        bytes as f64 / 1e6
    );
    let _ = run(&engine, &items, 1); // warm-up
    let max_threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    let mut base = 0.0;
    for threads in 1..=max_threads {
        let best = (0..5)
            .map(|_| run(&engine, &all, threads))
            .fold(f64::INFINITY, f64::min);
        let mbs = total / best;
        if threads == 1 {
            base = mbs;
        }
        println!(
            "scan/default-pack threads={threads}: {mbs:.1} MB/s, {:.0} interactions/s, speed-up {:.2}x",
            (all.len() as f64) / best,
            mbs / base
        );
    }
}
