//! Output formats: findings JSONL, redacted interactions JSONL, CSV, summary.
//!
//! Workers format their own lines (`jsonl`, `csv`) so the writer thread only
//! copies bytes in input order; the summary is an aggregate folded by the
//! writer. No format prints span text: CSV and summary carry offsets, kinds
//! and rule ids only, so their output is safe to share.

use righttrack_scan::Findings;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One findings object per input line (PRODUCT.md Findings format).
    Jsonl,
    /// A table of counts per kind and rule, printed at the end.
    Summary,
    /// One CSV row per span, event and commitment.
    Csv,
}

/// CSV header line.
pub const CSV_HEADER: &str = "id,record,turn,start,end,kind,rule,due,score\n";

fn csv_field(out: &mut String, s: &str) {
    out.push_str(&righttrack_scan::csv::cell(s));
}

/// CSV rows for one interaction.
pub fn csv_rows(f: &Findings, out: &mut String) {
    let id = &f.id;
    let mut row =
        |record: &str, turn: usize, start: &str, end: &str, kind: &str, rule: &str, due: &str| {
            csv_field(out, id);
            let _ = write!(out, ",{record},{turn},{start},{end},");
            csv_field(out, kind);
            out.push(',');
            csv_field(out, rule);
            out.push(',');
            csv_field(out, due);
            let _ = writeln!(out, ",{}", f.score.value);
        };
    for s in &f.spans {
        row(
            "span",
            s.turn,
            &s.start.to_string(),
            &s.end.to_string(),
            &s.kind,
            &s.rule,
            "",
        );
    }
    for e in &f.events {
        if e.kind != "commitment" {
            row("event", e.turn, "", "", &e.kind, &e.rule, "");
        }
    }
    for c in &f.commitments {
        row(
            "commitment",
            c.turn,
            &c.due_start.to_string(),
            &c.due_end.to_string(),
            "commitment",
            "commitment.deadline",
            &c.due,
        );
    }
    if f.spans.is_empty() && f.events.is_empty() {
        row("none", 0, "", "", "", "", "");
    }
}

/// Aggregated counts for `--format summary`.
#[derive(Debug, Default)]
pub struct Summary {
    interactions: u64,
    errors: u64,
    score_sum: u64,
    critical_failed: u64,
    kinds: BTreeMap<String, u64>,
    rules: BTreeMap<(String, String), u64>,
}

impl Summary {
    /// Fold one interaction in.
    pub fn add(&mut self, f: &Findings) {
        self.interactions += 1;
        self.score_sum += u64::from(f.score.value);
        self.critical_failed += u64::from(f.scorecard.critical_failed);
        for s in &f.spans {
            *self.kinds.entry(s.kind.clone()).or_default() += 1;
            *self
                .rules
                .entry((s.kind.clone(), s.rule.clone()))
                .or_default() += 1;
        }
        for e in &f.events {
            *self.kinds.entry(e.kind.clone()).or_default() += 1;
            *self
                .rules
                .entry((e.kind.clone(), e.rule.clone()))
                .or_default() += 1;
        }
    }
    /// Count an input error.
    pub fn error(&mut self) {
        self.errors += 1;
    }
    /// Render the table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "interactions scanned: {}", self.interactions);
        let _ = writeln!(s, "input errors:         {}", self.errors);
        if self.interactions > 0 {
            let _ = writeln!(
                s,
                "mean score:           {:.1}",
                self.score_sum as f64 / self.interactions as f64
            );
            let _ = writeln!(s, "critical failures:    {}", self.critical_failed);
        }
        let _ = writeln!(s, "\n{:<36} {:>10}", "kind", "count");
        for (k, n) in &self.kinds {
            let _ = writeln!(s, "{k:<36} {n:>10}");
        }
        let _ = writeln!(s, "\n{:<36} {:<36} {:>10}", "kind", "rule", "count");
        for ((k, r), n) in &self.rules {
            let _ = writeln!(s, "{k:<36} {r:<36} {n:>10}");
        }
        s
    }
}
