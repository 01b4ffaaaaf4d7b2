//! The I/O side of the scanning engine: `righttrack scan` and
//! `righttrack rules test`.
//!
//! `scan` streams JSONL from files or standard input through a pool of worker
//! threads and writes results in input order:
//!
//! * a reader thread cuts the input into batches of lines and sends them over
//!   a *bounded* channel, so at most `2 × threads` batches are in flight and
//!   memory stays constant whatever the input size;
//! * each worker owns a [`righttrack_scan::Scratch`] and formats its own output
//!   lines, sharing one compiled [`righttrack_scan::Engine`];
//! * the writer (calling thread) re-orders batches by sequence number and
//!   writes them, counting errors and drawing a progress line on stderr when
//!   it is a terminal.
//!
//! A malformed line is reported as `file:line: field …` on stderr — never with
//! its content — and the rest of the input is still scanned; the exit code is
//! 1 when any line failed.

mod output;

pub use output::Format;

use anyhow::{bail, Context as _};
use righttrack_scan::{redact, Engine, HashKey, Interaction, RedactMode, RulePack, Scratch};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Redaction mode on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RedactArg {
    /// `*` masks; card numbers keep at most first 6 and last 4 digits.
    Mask,
    /// Numbered placeholders (`<CARD_NUMBER_1>`).
    Replace,
    /// Keyed HMAC-SHA-256 placeholders; key from --hash-key-file or RIGHTTRACK_HASH_KEY.
    Hash,
}

/// `righttrack scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// JSONL files of interactions (standard input when none, or `-`).
    pub files: Vec<PathBuf>,
    /// Rule pack (TOML); the embedded default pack when absent.
    #[arg(long, value_name = "PACK")]
    pub rules: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Write the interactions back with sensitive text redacted (JSONL) instead of findings.
    #[arg(long, value_enum)]
    pub redact: Option<RedactArg>,
    /// File holding the secret key for `--redact hash` (else env RIGHTTRACK_HASH_KEY).
    #[arg(long, value_name = "FILE")]
    pub hash_key_file: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Never draw the progress line.
    #[arg(long)]
    pub no_progress: bool,
}

/// `righttrack rules test`.
#[derive(Debug, Clone, clap::Args)]
pub struct RulesTestArgs {
    /// Rule pack (TOML); the embedded default pack when absent.
    pub pack: Option<PathBuf>,
    /// Print every example, not only failures.
    #[arg(long, short)]
    pub verbose: bool,
}

fn load_pack(path: Option<&PathBuf>) -> anyhow::Result<RulePack> {
    match path {
        None => Ok(RulePack::default_pack()?),
        Some(p) => {
            let src = std::fs::read_to_string(p)
                .with_context(|| format!("reading rule pack {}", p.display()))?;
            RulePack::from_toml(&src).with_context(|| format!("rule pack {}", p.display()))
        }
    }
}

fn hash_key(args: &ScanArgs) -> anyhow::Result<HashKey> {
    if let Some(p) = &args.hash_key_file {
        let k =
            std::fs::read(p).with_context(|| format!("reading hash key file {}", p.display()))?;
        let k = k.trim_ascii().to_vec();
        if k.len() < 16 {
            bail!("hash key in {} is shorter than 16 bytes", p.display());
        }
        return Ok(HashKey::new(k));
    }
    match std::env::var_os("RIGHTTRACK_HASH_KEY") {
        Some(v) if v.len() >= 16 => Ok(HashKey::new(v.into_encoded_bytes())),
        Some(_) => bail!("RIGHTTRACK_HASH_KEY is shorter than 16 bytes"),
        None => bail!("--redact hash needs a key: --hash-key-file FILE or RIGHTTRACK_HASH_KEY"),
    }
}

struct Line {
    file: usize,
    no: u64,
    text: String,
}

struct Batch {
    seq: u64,
    lines: Vec<Line>,
}

enum Out {
    Text(Vec<u8>),
    Findings(Box<righttrack_scan::Findings>),
    Error { file: usize, no: u64, msg: String },
}

struct Done {
    seq: u64,
    outs: Vec<Out>,
    bytes: u64,
}

const BATCH_LINES: usize = 64;

fn reader(files: Vec<PathBuf>, tx: SyncSender<Batch>) -> anyhow::Result<()> {
    let mut seq = 0;
    let mut lines = Vec::with_capacity(BATCH_LINES);
    let inputs: Vec<Option<PathBuf>> = if files.is_empty() {
        vec![None]
    } else {
        files
            .into_iter()
            .map(|f| if f.as_os_str() == "-" { None } else { Some(f) })
            .collect()
    };
    for (fi, f) in inputs.into_iter().enumerate() {
        let r: Box<dyn Read> = match &f {
            None => Box::new(std::io::stdin().lock()),
            Some(p) => Box::new(
                std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
            ),
        };
        let mut r = BufReader::with_capacity(1 << 16, r);
        let mut no = 0u64;
        // One read buffer for the whole input; each line is then copied into a
        // string of its exact size (reading into a fresh `Vec` grew it by
        // doubling, about eight reallocations for a typical 2 KB line).
        let mut buf = Vec::with_capacity(1 << 12);
        loop {
            buf.clear();
            let n = r.read_until(b'\n', &mut buf).with_context(|| {
                format!(
                    "reading {}",
                    f.as_ref()
                        .map_or("<stdin>".into(), |p| p.display().to_string())
                )
            })?;
            if n == 0 {
                break;
            }
            no += 1;
            // Invalid UTF-8 is reported per line by the worker (lossy text never parses as-is).
            let text = match std::str::from_utf8(&buf) {
                Ok(s) => s.to_owned(),
                Err(_) => String::from("\u{0}invalid-utf8"),
            };
            lines.push(Line { file: fi, no, text });
            if lines.len() == BATCH_LINES {
                if tx
                    .send(Batch {
                        seq,
                        lines: std::mem::take(&mut lines),
                    })
                    .is_err()
                {
                    return Ok(());
                }
                seq += 1;
                lines.reserve(BATCH_LINES);
            }
        }
    }
    if !lines.is_empty() {
        let _ = tx.send(Batch { seq, lines });
    }
    Ok(())
}

struct Job<'a> {
    engine: &'a Engine,
    format: Format,
    redact: Option<RedactMode>,
}

fn work(job: &Job<'_>, rx: &Mutex<Receiver<Batch>>, tx: &SyncSender<Done>) {
    let mut sc = Scratch::default();
    loop {
        let batch = match rx.lock() {
            Ok(g) => match g.recv() {
                Ok(b) => b,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let mut outs = Vec::with_capacity(batch.lines.len());
        let mut bytes = 0u64;
        for l in &batch.lines {
            bytes += l.text.len() as u64;
            let t = l.text.trim();
            if t.is_empty() {
                continue;
            }
            if t.starts_with('\u{0}') {
                outs.push(Out::Error {
                    file: l.file,
                    no: l.no,
                    msg: "not valid UTF-8".into(),
                });
                continue;
            }
            let inter: Interaction = match serde_json::from_str(t) {
                Ok(i) => i,
                Err(e) => {
                    outs.push(Out::Error {
                        file: l.file,
                        no: l.no,
                        msg: righttrack_scan::input::describe(t, &e),
                    });
                    continue;
                }
            };
            let f = job.engine.scan_with(&inter, &mut sc);
            match (&job.redact, job.format) {
                (Some(mode), Format::Jsonl) => {
                    let r = redact(&inter, &f, mode);
                    match json_line(&r, t.len()) {
                        Ok(s) => outs.push(Out::Text(s)),
                        Err(_) => outs.push(Out::Error {
                            file: l.file,
                            no: l.no,
                            msg: "could not serialise output".into(),
                        }),
                    }
                }
                (_, Format::Jsonl) => match json_line(&f, t.len()) {
                    Ok(s) => outs.push(Out::Text(s)),
                    Err(_) => outs.push(Out::Error {
                        file: l.file,
                        no: l.no,
                        msg: "could not serialise findings".into(),
                    }),
                },
                (_, Format::Csv) => {
                    let mut s = String::new();
                    output::csv_rows(&f, &mut s);
                    outs.push(Out::Text(s.into_bytes()));
                }
                (_, Format::Summary) => outs.push(Out::Findings(Box::new(f))),
            }
        }
        if tx
            .send(Done {
                seq: batch.seq,
                outs,
                bytes,
            })
            .is_err()
        {
            return;
        }
    }
}

/// One JSON line of `v`, in a buffer sized from the input line (`input_len`):
/// findings and redacted interactions are about as long as their input, and
/// `serde_json::to_string` starts at 128 bytes and grows by doubling.
fn json_line<T: serde::Serialize>(v: &T, input_len: usize) -> serde_json::Result<Vec<u8>> {
    let mut b = Vec::with_capacity(input_len + 256);
    serde_json::to_writer(&mut b, v)?;
    b.push(b'\n');
    Ok(b)
}

/// Run `righttrack scan`.
pub fn run_scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = std::io::stderr();
    let progress = !args.no_progress && stderr.is_terminal();
    run_scan_to(args, &mut out, &mut std::io::stderr(), progress)
}

/// Run `scan` writing results to `out` and diagnostics to `err` (for tests and embedding).
pub fn run_scan_to(
    args: &ScanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    progress: bool,
) -> anyhow::Result<ExitCode> {
    let pack = load_pack(args.rules.as_ref())?;
    let engine = Engine::new(&pack).context("compiling rule pack")?;
    let redact = match args.redact {
        None => None,
        Some(RedactArg::Mask) => Some(RedactMode::Mask),
        Some(RedactArg::Replace) => Some(RedactMode::Replace),
        Some(RedactArg::Hash) => Some(RedactMode::Hash(hash_key(args)?)),
    };
    if redact.is_some() && args.format != Format::Jsonl {
        bail!("--redact writes JSONL; use it with --format jsonl");
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let names: Vec<String> = if args.files.is_empty() {
        vec!["<stdin>".into()]
    } else {
        args.files
            .iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    "<stdin>".into()
                } else {
                    p.display().to_string()
                }
            })
            .collect()
    };
    for f in &args.files {
        if f.as_os_str() != "-" && !f.is_file() {
            bail!("{}: no such file", f.display());
        }
    }
    let job = Job {
        engine: &engine,
        format: args.format,
        redact,
    };
    let (btx, brx) = sync_channel::<Batch>(threads * 2);
    let (dtx, drx) = sync_channel::<Done>(threads * 2);
    let files = args.files.clone();
    let mut summary = output::Summary::default();
    let mut errors = 0u64;
    let mut scanned = 0u64;
    let started = Instant::now();
    let result = std::thread::scope(|s| -> anyhow::Result<()> {
        let rd = s.spawn(move || reader(files, btx));
        // The receivers live only inside this closure and the workers: when the
        // writer stops early (output closed), returning drops them, every blocked
        // `send` fails, and the reader and workers end instead of waiting forever.
        let brx = Arc::new(Mutex::new(brx));
        for _ in 0..threads {
            let brx = Arc::clone(&brx);
            let dtx = dtx.clone();
            let job = &job;
            s.spawn(move || work(job, &brx, &dtx));
        }
        drop(brx);
        drop(dtx);
        let drx = drx;
        if args.format == Format::Csv {
            out.write_all(output::CSV_HEADER.as_bytes())?;
        }
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        let mut bytes = 0u64;
        let mut last_draw = Instant::now();
        for d in drx.iter() {
            pending.insert(d.seq, d);
            while let Some(d) = pending.remove(&next) {
                next += 1;
                bytes += d.bytes;
                for o in d.outs {
                    match o {
                        Out::Text(t) => {
                            scanned += 1;
                            out.write_all(&t)?;
                        }
                        Out::Findings(f) => {
                            scanned += 1;
                            summary.add(&f);
                        }
                        Out::Error { file, no, msg } => {
                            errors += 1;
                            summary.error();
                            let name = names.get(file).map_or("<input>", String::as_str);
                            writeln!(err, "error: {name}:{no}: {msg}")?;
                        }
                    }
                }
            }
            if progress && last_draw.elapsed().as_millis() >= 200 {
                last_draw = Instant::now();
                let secs = started.elapsed().as_secs_f64().max(1e-6);
                write!(
                    err,
                    "\r{scanned} interactions, {:.1} MB, {:.1} MB/s, {errors} errors   ",
                    bytes as f64 / 1e6,
                    bytes as f64 / 1e6 / secs
                )?;
            }
        }
        if progress {
            writeln!(err)?;
        }
        match rd.join() {
            Ok(r) => r,
            Err(_) => bail!("reader thread panicked"),
        }
    });
    let flushed = result.and_then(|()| {
        if args.format == Format::Summary {
            out.write_all(summary.render().as_bytes())?;
        }
        out.flush()?;
        Ok(())
    });
    if let Err(e) = flushed {
        // The reader of our output went away (`righttrack scan FILE | head`): stop
        // quietly with success, as `cat` and `grep` do under a closed pipe.
        if closed_output(&e) {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(e);
    }
    if errors > 0 {
        writeln!(
            err,
            "{errors} line(s) could not be scanned; {scanned} interaction(s) scanned"
        )?;
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `e` is a write to an output whose reader has gone.
fn closed_output(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Run `righttrack rules test`.
pub fn run_rules_test(args: &RulesTestArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    run_rules_test_to(args, &mut out)
}

/// `rules test` writing to `out`.
pub fn run_rules_test_to(args: &RulesTestArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let pack = load_pack(args.pack.as_ref())?;
    let engine = Engine::new(&pack).context("compiling rule pack")?;
    let results = righttrack_scan::testing::run_examples(&pack, &engine);
    let mut failed = 0;
    for r in &results {
        if !r.passed || args.verbose {
            let what = if r.positive { "positive" } else { "negative" };
            let verdict = if r.passed {
                "ok"
            } else if r.positive {
                "FAIL (did not fire)"
            } else {
                "FAIL (fired)"
            };
            writeln!(
                out,
                "{} {what}[{}]: {verdict}: {}",
                r.rule,
                r.index,
                r.example.replace('\n', " | ")
            )?;
        }
        failed += usize::from(!r.passed);
    }
    writeln!(
        out,
        "rule pack {} {}: {} rules, {} examples",
        pack.name,
        pack.version,
        pack.rules.len(),
        results.len()
    )?;
    writeln!(out, "{} passed, {} failed", results.len() - failed, failed)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
